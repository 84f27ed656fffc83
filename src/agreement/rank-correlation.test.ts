import { describe, expect, it } from 'vitest';
import { kendallTauB, kendallTauBFromTable } from './kendall-tau.js';
import { mulberry32 } from './prng.js';
import { averageRanks } from './ranks.js';
import { spearmanFromTable, spearmanRho } from './spearman.js';
import { contingencyTable } from './table.js';

// Tied 1–5 data used across these tests (and by compare.test.ts):
const human = [1, 2, 2, 3, 5, 5];
const judge = [2, 1, 2, 3, 4, 5];
const SCALE = [1, 2, 3, 4, 5];

describe('averageRanks', () => {
  it('averages the ranks of ties', () => {
    expect(averageRanks(human)).toEqual([1, 2.5, 2.5, 4, 5.5, 5.5]);
    expect(averageRanks(judge)).toEqual([2.5, 1, 2.5, 4, 5, 6]);
  });
});

describe("Spearman's ρ", () => {
  it('is 14.25/√280.5 ≈ 0.850841 on tied data worked by hand', () => {
    // Ranks human (1, 2.5, 2.5, 4, 5.5, 5.5), judge (2.5, 1, 2.5, 4, 5, 6), both mean 3.5.
    // Deviations h: (−2.5, −1, −1, 0.5, 2, 2); j: (−1, −2.5, −1, 0.5, 1.5, 2.5).
    // Σ dh·dj = 2.5 + 2.5 + 1 + 0.25 + 3 + 5 = 14.25; Σ dh² = 16.5; Σ dj² = 17.
    // ρ = 14.25/√(16.5·17) = 14.25/√280.5 ≈ 0.8508410 (scipy.stats.spearmanr: 0.8508410434878082).
    const expected = 14.25 / Math.sqrt(280.5);
    expect(spearmanRho(human, judge).value).toBeCloseTo(expected, 14);
    expect(spearmanFromTable(contingencyTable(human, judge, SCALE)).value).toBeCloseTo(expected, 14);
  });

  it("matches scipy's documented example spearmanr([1,2,3,4,5], [5,6,7,8,7]) = 0.8207826816681233", () => {
    // Ranks of y: (1, 2, 3.5, 5, 3.5). Σ dx·dy = 4 + 1 + 0 + 2 + 1 = 8, Σ dx² = 10, Σ dy² = 9.5: 8/√95.
    expect(spearmanRho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).value).toBeCloseTo(0.8207826816681233, 14);
    expect(spearmanRho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).value).toBeCloseTo(8 / Math.sqrt(95), 14);
  });

  it('is null when a rater is constant, or there is one row', () => {
    expect(spearmanRho([3, 3, 3], [1, 2, 3]).value).toBeNull();
    expect(spearmanFromTable(contingencyTable([3, 3, 3], [1, 2, 3], SCALE)).value).toBeNull();
    expect(spearmanFromTable(contingencyTable([3], [4], SCALE)).reason).toMatch(/do not vary/);
  });

  it('the table form equals the list form on random tied scale data', () => {
    const random = mulberry32(11);
    for (let trial = 0; trial < 100; trial++) {
      const n = 2 + Math.floor(random() * 40);
      const x = Array.from({ length: n }, () => 1 + Math.floor(random() * 5));
      const y = x.map((v) => Math.min(5, Math.max(1, v + Math.floor(random() * 3) - 1)));
      const list = spearmanRho(x, y).value;
      const table = spearmanFromTable(contingencyTable(x, y, SCALE)).value;
      if (list === null) expect(table).toBeNull();
      else expect(table).toBeCloseTo(list, 12);
    }
  });
});

describe("Kendall's τ-b", () => {
  it('is 10/√182 ≈ 0.741249 on tied data worked by hand', () => {
    // Rows a(1,2) b(2,1) c(2,2) d(3,3) e(5,4) f(5,5); 15 pairs.
    // Discordant: a–b. Tied in human only: b–c, e–f. Tied in judge only: a–c.
    // Concordant: the other 11 (a–d a–e a–f b–d b–e b–f c–d c–e c–f d–e d–f).
    // τ_b = (11 − 1)/√((15 − 2)(15 − 1)) = 10/√182 ≈ 0.7412493 (scipy.stats.kendalltau: 0.7412493166611013).
    const expected = 10 / Math.sqrt(182);
    expect(kendallTauB(human, judge).value).toBeCloseTo(expected, 14);
    expect(kendallTauBFromTable(contingencyTable(human, judge, SCALE)).value).toBeCloseTo(expected, 14);
  });

  it("matches scipy's documented example kendalltau([12,2,1,12,2], [1,4,7,1,0]) = -0.47140452079103173", () => {
    // Points a(12,1) b(2,4) c(1,7) d(12,1) e(2,0): concordant a–e, d–e; discordant a–b a–c b–c b–d c–d c–e;
    // a–d tied in both, b–e tied in x. τ_b = (2 − 6)/√((10 − 2)(10 − 1)) = −4/√72.
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]).value).toBeCloseTo(-4 / Math.sqrt(72), 14);
    const t = contingencyTable([12, 2, 1, 12, 2], [1, 4, 7, 1, 0], [0, 1, 2, 4, 7, 12]);
    expect(kendallTauBFromTable(t).value).toBeCloseTo(-0.47140452079103173, 14);
  });

  it('is null when every pair is tied for a rater, or there is one row', () => {
    expect(kendallTauB([2, 2, 2], [1, 2, 3]).value).toBeNull();
    expect(kendallTauBFromTable(contingencyTable([2, 2, 2], [1, 2, 3], SCALE)).value).toBeNull();
    expect(kendallTauBFromTable(contingencyTable([2], [3], SCALE)).value).toBeNull();
  });

  it('is ±1 on perfectly (anti-)ordered data', () => {
    expect(kendallTauBFromTable(contingencyTable([1, 2, 3, 4], [1, 2, 3, 4], SCALE)).value).toBe(1);
    expect(kendallTauBFromTable(contingencyTable([1, 2, 3, 4], [5, 4, 3, 2], SCALE)).value).toBe(-1);
  });

  it('the table form equals the pairwise definition on random tied scale data', () => {
    const random = mulberry32(5);
    for (let trial = 0; trial < 100; trial++) {
      const n = 2 + Math.floor(random() * 40);
      const x = Array.from({ length: n }, () => 1 + Math.floor(random() * 5));
      const y = Array.from({ length: n }, () => 1 + Math.floor(random() * 5));
      const list = kendallTauB(x, y).value;
      const table = kendallTauBFromTable(contingencyTable(x, y, SCALE)).value;
      if (list === null) expect(table).toBeNull();
      else expect(table).toBeCloseTo(list, 12);
    }
  });
});
