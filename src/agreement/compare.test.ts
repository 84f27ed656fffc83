import { describe, expect, it } from 'vitest';
import { compareLabels, STATISTICS } from './compare.js';
import { labelScheme } from './scheme.js';

/** Every number in a value, however deep (JSON.stringify would hide a NaN as null). */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

const binary = labelScheme({ type: 'binary' });
const yesNo = labelScheme({ type: 'yes_no', threshold: 3 });
const scale = labelScheme({ type: 'scale', min: 1, max: 5 });

describe('compareLabels on a binary judge that disagrees with the human on 2 of 10 rows', () => {
  // human: 0 0 0 0 0 1 1 1 1 1; judge: 0 0 0 0 1 1 1 1 1 0 (row 4: judge says 1, row 9: judge says 0).
  const human = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  const judge = [0, 0, 0, 0, 1, 1, 1, 1, 1, 0];
  const report = compareLabels(human, judge, binary);

  it('has accuracy 0.8, κ 0.6, weighted κ = κ, α 0.62, precision = recall = F1 = 0.8', () => {
    // Table (rows human, columns judge): [[4, 1], [1, 4]].
    // κ: p_o = 0.8, p_e = 0.5·0.5 + 0.5·0.5 = 0.5 → (0.8 − 0.5)/0.5 = 0.6.
    // α (nominal): o₀₀ = o₁₁ = 8, o₀₁ = o₁₀ = 2, n₀ = n₁ = 10, n = 20 → 1 − 19·2/(10·10) = 0.62.
    // Negative class 0: TP (both 0) = 4, FP (judge 0, human 1) = 1, FN (human 0, judge 1) = 1 → 0.8, 0.8, 0.8.
    expect(report.n).toBe(10);
    expect(report.dropped).toBe(0);
    expect(report.confusion).toEqual({
      labels: [0, 1],
      matrix: [
        [4, 1],
        [1, 4],
      ],
    });
    const s = report.statistics;
    expect(s.accuracy).toBe(0.8);
    expect(s.cohen_kappa).toBeCloseTo(0.6, 14);
    expect(s.weighted_kappa).toBeCloseTo(0.6, 14);
    expect(s.krippendorff_alpha).toBeCloseTo(0.62, 14);
    expect(s.precision).toBe(0.8);
    expect(s.recall).toBe(0.8);
    expect(s.f1).toBeCloseTo(0.8, 14);
  });

  it('leaves Spearman and Kendall null for binary output, with one note saying so', () => {
    expect(report.statistics.spearman).toBeNull();
    expect(report.statistics.kendall_tau).toBeNull();
    expect(report.ci.spearman).toBeNull();
    expect(report.notes.filter((n) => /spearman/.test(n))).toEqual([
      "spearman and kendall_tau are computed for numeric scales only; this judge's output is binary",
    ]);
  });

  it('gives a 95% interval around each defined statistic, reproducible from the seed', () => {
    for (const name of STATISTICS) {
      const value = report.statistics[name];
      if (value === null) continue;
      const [lo, hi] = report.ci[name]!;
      expect(lo).toBeLessThanOrEqual(value);
      expect(hi).toBeGreaterThanOrEqual(value);
    }
    expect(compareLabels(human, judge, binary, { seed: 1 }).ci).toEqual(report.ci);
    expect(compareLabels(human, judge, binary, { seed: 2 }).ci).not.toEqual(report.ci);
    expect(report.bootstrap).toEqual({ resamples: 1000, seed: 1, level: 0.95 });
  });
});

describe('compareLabels on a 1–5 scale', () => {
  const human = [1, 2, 2, 3, 5, 5];
  const judge = [2, 1, 2, 3, 4, 5];

  it('matches the values worked by hand in the statistics’ own tests', () => {
    const s = compareLabels(human, judge, scale).statistics;
    // Agreements at (2,2), (3,3), (5,5): 3/6.
    expect(s.accuracy).toBe(0.5);
    // Human totals over 1..5 (1,2,1,0,2), judge (1,2,1,1,1): Σ rᵢcᵢ = 1 + 4 + 1 + 0 + 2 = 8;
    // κ = (6·3 − 8)/(36 − 8) = 10/28.
    expect(s.cohen_kappa).toBeCloseTo(10 / 28, 14);
    expect(s.weighted_kappa).toBeCloseTo(0.88, 14);
    expect(s.krippendorff_alpha).toBeCloseTo(266 / 299, 14);
    expect(s.spearman).toBeCloseTo(14.25 / Math.sqrt(280.5), 14);
    expect(s.kendall_tau).toBeCloseTo(10 / Math.sqrt(182), 14);
    // Threshold 3: both raters put rows 1–4 at ≤ 3 and rows 5–6 above: TP 4, FP 0, FN 0.
    expect([s.precision, s.recall, s.f1]).toEqual([1, 1, 1]);
  });

  it('moves the negative class with the threshold', () => {
    // Threshold 1: the human flags row 1 only (score 1), the judge row 2 only: TP 0, FP 1, FN 1.
    const s = compareLabels(human, judge, labelScheme({ type: 'scale', min: 1, max: 5 }, { threshold: 1 })).statistics;
    expect([s.precision, s.recall, s.f1]).toEqual([0, 0, 0]);
  });
});

describe('compareLabels on degenerate data', () => {
  it('drops rows missing a label and counts them by cause', () => {
    const r = compareLabels(['yes', null, 'no', 'yes', undefined], ['yes', 'no', null, 'no', null], yesNo);
    expect(r.n).toBe(2);
    expect(r.dropped).toBe(3);
    expect(r.droppedDetail).toEqual({ noJudge: 1, noHuman: 1, neither: 1 });
    expect(r.notes[0]).toBe('3 of 5 rows dropped: 1 without a judge value (error rows), 1 without a human label, 1 with neither');
  });

  it('all one label on both sides: accuracy 1, κ, weighted κ and α null with reasons, no NaN anywhere', () => {
    const r = compareLabels(['yes', 'yes', 'yes'], ['yes', 'yes', 'yes'], yesNo);
    expect(r.statistics.accuracy).toBe(1);
    expect(r.statistics.cohen_kappa).toBeNull();
    expect(r.statistics.weighted_kappa).toBeNull();
    expect(r.statistics.krippendorff_alpha).toBeNull();
    // Nobody said no: precision, recall and F1 are 0/0.
    expect(r.statistics.precision).toBeNull();
    expect(r.statistics.f1).toBeNull();
    expect(r.notes).toContain(
      'cohen_kappa is undefined (null): expected agreement is 1 (both raters gave every row the same single label), so κ is 0/0; scikit-learn and irr return NaN here',
    );
    expect(r.notes.some((n) => n.startsWith('krippendorff_alpha is undefined (null): only one value occurs'))).toBe(true);
    expect(numbersIn(r).some((x) => !Number.isFinite(x))).toBe(false);
    expect(r.ci.cohen_kappa).toBeNull();
    expect(r.ci.accuracy).toEqual([1, 1]);
  });

  it('a constant judge on a varied human scale: κ = 0, Spearman and Kendall null (a variance is zero)', () => {
    const r = compareLabels([1, 3, 5, 4], [4, 4, 4, 4], scale);
    expect(r.statistics.cohen_kappa).toBe(0);
    expect(r.statistics.spearman).toBeNull();
    expect(r.statistics.kendall_tau).toBeNull();
    expect(r.notes).toContain('spearman is undefined (null): the judge ratings do not vary, so the rank correlation is 0/0');
  });

  it('a single row: statistics where defined, degenerate intervals, and a note', () => {
    const r = compareLabels([1], [0], binary);
    expect(r.n).toBe(1);
    expect(r.statistics.accuracy).toBe(0);
    expect(r.statistics.cohen_kappa).toBe(0);
    expect(r.ci.accuracy).toEqual([0, 0]);
    expect(r.notes).toContain('a single pair: every bootstrap resample is that pair, so the intervals are degenerate');
  });

  it('notes statistics undefined in some resamples', () => {
    // 1 disagreement in 12 rows: some resamples draw only agreeing rows of one label.
    const human = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    const judge = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const r = compareLabels(human, judge, binary);
    expect(r.statistics.cohen_kappa).toBe(0);
    expect(r.notes.some((n) => /^cohen_kappa: undefined in \d+ of 1000 bootstrap resamples/.test(n))).toBe(true);
  });

  it('throws on empty input, on no complete pair, and on a label outside the scheme', () => {
    expect(() => compareLabels([], [], binary)).toThrow(/no row has both/);
    expect(() => compareLabels([1, null], [null, 0], binary)).toThrow(/no row has both/);
    expect(() => compareLabels([2], [1], binary)).toThrow(/human label 2 is not one of/);
  });
});
