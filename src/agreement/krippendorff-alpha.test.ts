import { describe, expect, it } from 'vitest';
import { krippendorffAlpha, krippendorffAlphaFromTable } from './krippendorff-alpha.js';
import { contingencyTable } from './table.js';

const _ = null;

describe("Krippendorff's α", () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example A: binary data,
  // two observers, no missing data.
  const A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
  const B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];

  it('is 0.095 on the 2011 paper’s binary two-coder example, worked by hand', () => {
    // Pairs (A, B): (0,0) × 5, (1,1) × 1, (0,1) × 3, (1,0) × 1.
    // Coincidences (each unit adds both orders): o₀₀ = 10, o₁₁ = 2, o₀₁ = o₁₀ = 3 + 1 = 4.
    // n₀ = 14, n₁ = 6, n = 20.  α = 1 − (n − 1)·o₀₁ / (n₀·n₁) = 1 − 19·4/84 = 8/84 = 2/21 ≈ 0.0952.
    // (Written as sums over ordered c ≠ k both numerator and denominator double: 19·8/168, the same.)
    const units = A.map((a, i) => [a, B[i]!]);
    expect(krippendorffAlpha(units, 'nominal').value).toBeCloseTo(2 / 21, 14);
    expect(Number(krippendorffAlpha(units, 'nominal').value!.toFixed(3))).toBe(0.095);
    // The same from the two coders' contingency table.
    const table = contingencyTable(A, B, [0, 1]);
    expect(krippendorffAlphaFromTable(table, [0, 1], 'nominal').value).toBeCloseTo(2 / 21, 14);
    // For two values, the interval difference (c − k)² is the nominal one.
    expect(krippendorffAlphaFromTable(table, [0, 1], 'interval').value).toBeCloseTo(2 / 21, 14);
  });

  // Example C of the 2011 paper: four observers, twelve units, missing data (rows are observers).
  const C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ];
  const unitsC = C[0]!.map((_, u) => C.map((observer) => observer[u]!));

  it('reproduces the 2011 paper’s example C: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797', () => {
    expect(krippendorffAlpha(unitsC, 'nominal').value).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(unitsC, 'ordinal').value).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(unitsC, 'interval').value).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(unitsC, 'ratio').value).toBeCloseTo(0.797, 3);
  });

  it('reproduces the Wikipedia example (3 coders, 15 units, missing data): nominal 0.691, interval 0.811', () => {
    const W = [
      [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
      [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
      [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
    ];
    const units = W[0]!.map((_, u) => W.map((coder) => coder[u]!));
    expect(krippendorffAlpha(units, 'nominal').value).toBeCloseTo(0.691358, 6);
    expect(krippendorffAlpha(units, 'interval').value).toBeCloseTo(0.810845, 6);
  });

  it('is 266/299 (interval) on the 1–5 pairs human (1,2,2,3,5,5) / judge (2,1,2,3,4,5), worked by hand', () => {
    // Value counts over both coders: 1:2, 2:4, 3:2, 4:1, 5:3; n = 12, mean 35/12.
    // Observed: Σ_{c,k} o_ck (c−k)² = 2·[(1−2)² + (2−1)² + (5−4)²] = 6 (each unit adds both orders).
    // Expected: Σ_{c,k} n_c n_k (c−k)² = 2n·Σ n_c (c − mean)² = 2·12·(127 − 35²/12) = 24·299/12 = 598.
    // α = 1 − 11·6/598 = 532/598 = 266/299 ≈ 0.889632.
    const human = [1, 2, 2, 3, 5, 5];
    const judge = [2, 1, 2, 3, 4, 5];
    const table = contingencyTable(human, judge, [1, 2, 3, 4, 5]);
    expect(krippendorffAlphaFromTable(table, [1, 2, 3, 4, 5], 'interval').value).toBeCloseTo(266 / 299, 14);
    expect(
      krippendorffAlpha(
        human.map((h, i) => [h, judge[i]!]),
        'interval',
      ).value,
    ).toBeCloseTo(266 / 299, 14);
  });

  it('is null when a single value occurs (no variation), and when no unit is pairable', () => {
    const one = krippendorffAlpha(
      [
        [1, 1],
        [1, 1],
      ],
      'nominal',
    );
    expect(one.value).toBeNull();
    expect(one.reason).toMatch(/only one value/);
    const none = krippendorffAlpha(
      [
        [1, _],
        [_, 2],
      ],
      'nominal',
    );
    expect(none.value).toBeNull();
    expect(none.reason).toMatch(/no unit/);
  });

  it('is 1 on perfect agreement with variation', () => {
    expect(
      krippendorffAlpha(
        [
          [1, 1, 1],
          [2, 2, 2],
          [3, 3, 3],
        ],
        'nominal',
      ).value,
    ).toBe(1);
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2],
          [4, 4],
        ],
        'interval',
      ).value,
    ).toBe(1);
  });

  it('needs ascending values for the non-nominal metrics', () => {
    expect(() => krippendorffAlphaFromTable(contingencyTable([2, 1], [2, 1], [2, 1]), [2, 1], 'interval')).toThrow(/ascending/);
  });
});
