import { describe, expect, it } from 'vitest';
import { cohenKappa } from './cohen-kappa.js';
import { mulberry32 } from './prng.js';
import { quadraticWeightedKappa } from './weighted-kappa.js';
import type { ContingencyTable } from './table.js';

describe('quadratic weighted κ', () => {
  it('is 67/87 on a 3-label table worked by hand', () => {
    // [[5,2,0],[1,4,2],[0,1,5]], n = 20; weights (i − j)²: 1 one step apart, 4 two steps apart.
    // Observed: one-step cells 2 + 1 + 2 + 1 = 6 (two-step cells are 0) → Σ w·n = 6.
    // Rows r = (7,7,6), columns c = (6,7,7). Expected Σ w·rᵢcⱼ:
    //   one step: r₀c₁ + r₁c₀ + r₁c₂ + r₂c₁ = 49 + 42 + 49 + 42 = 182
    //   two steps: 4·(r₀c₂ + r₂c₀) = 4·(49 + 36) = 340          → 522.
    // κ_w = 1 − 20·6/522 = 1 − 120/522 = 402/522 = 67/87 ≈ 0.770115.
    const t: ContingencyTable = {
      counts: [
        [5, 2, 0],
        [1, 4, 2],
        [0, 1, 5],
      ],
      n: 20,
    };
    expect(quadraticWeightedKappa(t).value).toBeCloseTo(67 / 87, 14);
  });

  it('is 0.88 on the 1–5 scale pairs human (1,2,2,3,5,5) / judge (2,1,2,3,4,5), worked by hand', () => {
    // Disagreements (1,2), (2,1), (5,4), each one step: Σ w·n = 3.
    // Human totals r = (1,2,1,0,2) over 1..5, judge c = (1,2,1,1,1).
    // Σᵢ rᵢ Σⱼ cⱼ(i−j)²: i=1: 0+2+4+9+16 = 31; i=2: 2·(1+0+1+4+9) = 30; i=3: 4+2+0+1+4 = 11;
    //   i=4: 0; i=5: 2·(16+18+4+1+0) = 78 → 150.  κ_w = 1 − 6·3/150 = 0.88.
    const t: ContingencyTable = {
      counts: [
        [0, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 1, 1],
      ],
      n: 6,
    };
    expect(quadraticWeightedKappa(t).value).toBeCloseTo(0.88, 14);
  });

  it("equals Cohen's κ on every 2 × 2 table (the weights are 0 on the diagonal, 1 off it)", () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const counts = [0, 1].map(() => [0, 1].map(() => Math.floor(random() * 12)));
      const t: ContingencyTable = { counts, n: counts.flat().reduce((a, b) => a + b, 0) };
      if (t.n === 0) continue;
      const k = cohenKappa(t).value;
      const kw = quadraticWeightedKappa(t).value;
      if (k === null) expect(kw).toBeNull();
      else expect(kw).toBeCloseTo(k, 12);
    }
  });

  it('is null when both raters used one and the same label', () => {
    const w = quadraticWeightedKappa({
      counts: [
        [0, 0, 0],
        [0, 4, 0],
        [0, 0, 0],
      ],
      n: 4,
    });
    expect(w.value).toBeNull();
    expect(w.reason).toMatch(/same single label/);
  });

  it('is 1 on perfect agreement and penalises far disagreements more than near ones', () => {
    expect(
      quadraticWeightedKappa({
        counts: [
          [2, 0, 0],
          [0, 2, 0],
          [0, 0, 2],
        ],
        n: 6,
      }).value,
    ).toBe(1);
    const near = quadraticWeightedKappa({
      counts: [
        [2, 1, 0],
        [0, 2, 0],
        [0, 0, 2],
      ],
      n: 7,
    }).value!;
    const far = quadraticWeightedKappa({
      counts: [
        [2, 0, 1],
        [0, 2, 0],
        [0, 0, 2],
      ],
      n: 7,
    }).value!;
    expect(near).toBeGreaterThan(far);
  });
});
