import { describe, expect, it } from 'vitest';
import { accuracy } from './accuracy.js';
import { cohenKappa } from './cohen-kappa.js';
import { contingencyTable, type ContingencyTable } from './table.js';

/** A 2 × 2 table [[a, b], [c, d]]: rows the first rater (yes, no), columns the second. */
const table2x2 = (a: number, b: number, c: number, d: number): ContingencyTable => ({
  counts: [
    [a, b],
    [c, d],
  ],
  n: a + b + c + d,
});

describe('accuracy', () => {
  it('is the diagonal over n', () => {
    // 20 + 15 agreements out of 50.
    expect(accuracy(table2x2(20, 5, 10, 15)).value).toBe(0.7);
  });
  it('throws on an empty table', () => {
    expect(() =>
      accuracy({
        counts: [
          [0, 0],
          [0, 0],
        ],
        n: 0,
      }),
    ).toThrow(/no pairs/);
  });
});

describe("Cohen's κ", () => {
  it("is 0.4 on Wikipedia's classic example (50 proposals, a=20 b=5 c=10 d=15)", () => {
    // p_o = (20 + 15)/50 = 0.7.
    // Rater A says yes to a + b = 25 (0.5), rater B to a + c = 30 (0.6).
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.3 + 0.2 = 0.5, κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
    expect(cohenKappa(table2x2(20, 5, 10, 15)).value).toBeCloseTo(0.4, 14);
  });

  it('is 49/89 on a 3-label table worked by hand', () => {
    // [[5,2,0],[1,4,2],[0,1,5]], n = 20: diagonal 14, row totals 7,7,6, column totals 6,7,7.
    // Σ rᵢcᵢ = 42 + 49 + 42 = 133; κ = (20·14 − 133)/(400 − 133) = 147/267 = 49/89.
    const t: ContingencyTable = {
      counts: [
        [5, 2, 0],
        [1, 4, 2],
        [0, 1, 5],
      ],
      n: 20,
    };
    expect(cohenKappa(t).value).toBeCloseTo(49 / 89, 14);
  });

  it('is 1 on perfect agreement over two labels and 0 when agreement is at chance', () => {
    expect(cohenKappa(table2x2(3, 0, 0, 7)).value).toBe(1);
    // Rater A: yes 50%, B: yes 50%, independent: p_o = 0.5 = p_e.
    expect(cohenKappa(table2x2(5, 5, 5, 5)).value).toBe(0);
  });

  it('is symmetric in the raters', () => {
    const t = contingencyTable(['a', 'b', 'a', 'c', 'b'], ['a', 'a', 'a', 'c', 'c'], ['a', 'b', 'c']);
    const swapped = contingencyTable(['a', 'a', 'a', 'c', 'c'], ['a', 'b', 'a', 'c', 'b'], ['a', 'b', 'c']);
    expect(cohenKappa(t).value).toBeCloseTo(cohenKappa(swapped).value!, 14);
  });

  it('is null, with the reason, when both raters used one and the same label (p_e = 1), as scikit-learn and irr (NaN)', () => {
    const k = cohenKappa(table2x2(10, 0, 0, 0));
    expect(k.value).toBeNull();
    expect(k.reason).toMatch(/expected agreement is 1/);
  });

  it('is 0, not undefined, when each rater used a single but different label', () => {
    // p_o = 0, p_e = 1·0 + 0·1 = 0: κ = 0/1.
    expect(cohenKappa(table2x2(0, 4, 0, 0)).value).toBe(0);
  });

  it('handles a single row: agreement is undefined (p_e = 1), disagreement is 0', () => {
    expect(cohenKappa(table2x2(1, 0, 0, 0)).value).toBeNull();
    expect(cohenKappa(table2x2(0, 1, 0, 0)).value).toBe(0);
  });

  it('throws on an empty table', () => {
    expect(() => cohenKappa({ counts: [[0]], n: 0 })).toThrow(/no pairs/);
  });
});

describe('contingencyTable', () => {
  it('counts pairs in label order, rows the reference', () => {
    expect(contingencyTable([0, 1, 1, 1], [0, 1, 0, 0], [0, 1]).counts).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });
  it('throws on a label outside the list and on unequal lengths', () => {
    expect(() => contingencyTable([0, 2], [0, 1], [0, 1])).toThrow(/not one of the labels/);
    expect(() => contingencyTable([0], [0, 1], [0, 1])).toThrow(/differ in length/);
  });
});
