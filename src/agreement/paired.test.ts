import { describe, expect, it } from 'vitest';
import { mcnemar, mcnemarOfCounts, normalUpperTail, pairedDifference, wilcoxonOfDifferences, wilcoxonSignedRank } from './paired.js';

describe('pairedDifference', () => {
  it('reports mean(B) − mean(A) and a reproducible interval around it', () => {
    const a = [3, 4, 2, 5, 1, 3, 4, 2];
    const b = [4, 4, 5, 5, 2, 4, 3, 4];
    // Differences 1, 0, 3, 0, 1, 1, −1, 2: sum 7, mean 0.875; mean A = 24/8 = 3, mean B = 31/8 = 3.875.
    const first = pairedDifference(a, b, { seed: 7 });
    expect(first.n).toBe(8);
    expect(first.meanA).toBe(3);
    expect(first.meanB).toBe(3.875);
    expect(first.difference).toBe(0.875);
    expect(first.interval[0]).toBeLessThan(0.875);
    expect(first.interval[1]).toBeGreaterThan(0.875);
    // Every resampled mean lies between the smallest and largest difference.
    expect(first.interval[0]).toBeGreaterThanOrEqual(-1);
    expect(first.interval[1]).toBeLessThanOrEqual(3);
    expect(pairedDifference(a, b, { seed: 7 })).toEqual(first);
    const many = Array.from({ length: 40 }, (_, i) => (i * 7) % 5);
    const other = many.map((x, i) => x + Math.sin(i));
    expect(pairedDifference(many, other, { seed: 8 }).interval).not.toEqual(pairedDifference(many, other, { seed: 9 }).interval);
  });

  it('gives a point interval when every row differs by the same amount', () => {
    expect(pairedDifference([1, 2, 3], [1.5, 2.5, 3.5]).interval).toEqual([0.5, 0.5]);
  });

  it('refuses unpaired values', () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(/as many A as B/);
    expect(() => pairedDifference([], [])).toThrow(/no pairs/);
  });
});

describe('wilcoxonSignedRank', () => {
  it("matches scipy.stats.wilcoxon's documented example (exact, two-sided)", () => {
    // scipy.stats.wilcoxon docs: d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    // → statistic 24.0, pvalue 0.041259765625 (exact distribution; checked here with scipy 1.17.1).
    // By hand: the negative differences have ranks 10 and 14, so W− = 24 = min(W+, W−).
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
    const result = wilcoxonOfDifferences(d);
    expect(result).toMatchObject({ test: 'wilcoxon', statistic: 24, method: 'exact', informative: 15 });
    expect(result.p).toBeCloseTo(0.041259765625, 15);
  });

  it('takes the differences as B − A', () => {
    const a = [10, 10, 10];
    const b = [11, 13, 7];
    // Differences 1, 3, −3: ranks 1, 2.5, 2.5 (tied), W+ = 3.5, W− = 2.5.
    expect(wilcoxonSignedRank(a, b).statistic).toBe(2.5);
  });

  it('drops zero differences and uses the normal approximation with tie and continuity corrections', () => {
    // scipy 1.17.1: wilcoxon([1,2,-1,0,3,3,-2,4,0,5,2,1,-3,6,2,1], zero_method='wilcox', correction=True,
    // method='approx') → statistic 19.0, pvalue 0.03716202044021368.
    const result = wilcoxonOfDifferences([1, 2, -1, 0, 3, 3, -2, 4, 0, 5, 2, 1, -3, 6, 2, 1]);
    expect(result).toMatchObject({ statistic: 19, method: 'normal', informative: 14 });
    expect(result.p).toBeCloseTo(0.03716202044021368, 12);
  });

  it('uses the normal approximation from 50 differences on, even without ties', () => {
    // scipy 1.17.1: wilcoxon([x if x % 3 else -x for x in range(1, 61)], correction=True, method='approx')
    // → statistic 630.0, pvalue 0.03622649417878663.
    const d = Array.from({ length: 60 }, (_, i) => ((i + 1) % 3 ? i + 1 : -(i + 1)));
    const result = wilcoxonOfDifferences(d);
    expect(result).toMatchObject({ statistic: 630, method: 'normal' });
    expect(result.p).toBeCloseTo(0.03622649417878663, 12);
  });

  it('has p = 1 when every pair is equal', () => {
    expect(wilcoxonSignedRank([2, 3], [2, 3])).toMatchObject({ p: 1, informative: 0 });
  });
});

describe('mcnemar', () => {
  it('is the exact binomial test for few discordant pairs', () => {
    // 2 pairs with A = 1, B = 0 and 10 with A = 0, B = 1: p = 2·P(X ≤ 2), X ~ Bin(12, ½)
    // = 2·(1 + 12 + 66)/4096 = 158/4096 = 0.03857421875 (scipy.stats.binomtest(2, 12).pvalue agrees).
    const a = [1, 1, ...Array<number>(10).fill(0), 1, 0];
    const b = [0, 0, ...Array<number>(10).fill(1), 1, 0];
    expect(mcnemar(a, b)).toMatchObject({ test: 'mcnemar', statistic: 2, method: 'exact', informative: 12 });
    expect(mcnemar(a, b).p).toBeCloseTo(0.03857421875, 15);
  });

  it('is the chi-square test with continuity correction for many', () => {
    // b = 30, c = 12: χ² = (|30 − 12| − 1)² / 42 = 289/42 = 6.880952…; scipy.stats.chi2.sf(289/42, 1) = 0.008711912962379598
    // (R's mcnemar.test, correct = TRUE, computes the same statistic).
    const result = mcnemarOfCounts(30, 12);
    expect(result.method).toBe('chi-square');
    expect(result.statistic).toBeCloseTo(289 / 42, 14);
    expect(result.p).toBeCloseTo(0.008711912962379598, 12);
  });

  it('refuses values other than 1/0', () => {
    expect(() => mcnemar([1, 2], [0, 1])).toThrow(/row 1 has 2/);
  });
});

describe('normalUpperTail', () => {
  it('matches scipy.stats.norm.sf', () => {
    // scipy 1.17.1 norm.sf at 0.5, 1.96, 3, 6, 8.
    const expected: Array<[number, number]> = [
      [0.5, 0.3085375387259869],
      [1.96, 0.024997895148220435],
      [3, 0.0013498980316300933],
      [6, 9.865876450376946e-10],
      [8, 6.22096057427174e-16],
    ];
    for (const [z, p] of expected) expect(Math.abs(normalUpperTail(z) - p) / p).toBeLessThan(1e-8);
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 14);
  });
});
