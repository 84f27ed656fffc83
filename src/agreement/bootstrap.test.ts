import { describe, expect, it } from 'vitest';
import { bootstrapIntervals, quantile } from './bootstrap.js';
import { mulberry32 } from './prng.js';

describe('mulberry32', () => {
  it('gives the published reference sequence (seed 1985: 3527837133, 3112574143 as 32-bit outputs) and stays in [0, 1)', () => {
    // The reference outputs are those of Tommy Ettinger's C mulberry32, as other ports test against them.
    const ours = mulberry32(1985);
    expect([ours() * 2 ** 32, ours() * 2 ** 32]).toEqual([3527837133, 3112574143]);
    expect(Array.from({ length: 10_000 }, mulberry32(42)).every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const sa = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(sa);
    expect([c(), c(), c()]).not.toEqual(sa);
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics, as numpy', () => {
    // np.quantile([1, 2, 3, 4, 10], [0.025, 0.975]) = [1.1, 9.4]: h = 4·0.025 = 0.1 → 1 + 0.1·1;
    // h = 4·0.975 = 3.9 → 4 + 0.9·6 = 9.4.
    expect(quantile([1, 2, 3, 4, 10], 0.025)).toBeCloseTo(1.1, 14);
    expect(quantile([1, 2, 3, 4, 10], 0.975)).toBeCloseTo(9.4, 14);
    expect(quantile([7], 0.5)).toBe(7);
  });
});

describe('bootstrapIntervals', () => {
  const values = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
  const mean = (rows: Uint32Array) => {
    let sum = 0;
    for (const r of rows) sum += values[r]!;
    return { mean: sum / rows.length };
  };
  const pointMean = values.reduce((a, b) => a + b, 0) / values.length;

  it('is reproducible: the same seed gives identical intervals, another seed different ones', () => {
    const a = bootstrapIntervals(values.length, ['mean'], mean, { seed: 3, resamples: 500 });
    const b = bootstrapIntervals(values.length, ['mean'], mean, { seed: 3, resamples: 500 });
    const c = bootstrapIntervals(values.length, ['mean'], mean, { seed: 4, resamples: 500 });
    expect(a).toEqual(b);
    expect(c.mean.interval).not.toEqual(a.mean.interval);
  });

  it('contains the point estimate of a well-behaved statistic, with a sensible width', () => {
    const { interval, undefinedIn } = bootstrapIntervals(values.length, ['mean'], mean).mean;
    expect(undefinedIn).toBe(0);
    expect(interval![0]).toBeLessThan(pointMean);
    expect(interval![1]).toBeGreaterThan(pointMean);
    // Standard error of the mean ≈ σ/√n ≈ 29/√200 ≈ 2.1; a 95% interval is about ±4.
    expect(interval![1] - interval![0]).toBeGreaterThan(4);
    expect(interval![1] - interval![0]).toBeLessThan(12);
  });

  it('leaves out resamples where a statistic is undefined, and counts them', () => {
    let calls = 0;
    const result = bootstrapIntervals(10, ['x', 'never'], () => ({ x: calls++ % 2 ? null : 1, never: null }), { resamples: 100 });
    expect(result.x).toEqual({ interval: [1, 1], undefinedIn: 50 });
    expect(result.never).toEqual({ interval: null, undefinedIn: 100 });
  });

  it('rejects nonsense settings', () => {
    expect(() => bootstrapIntervals(0, ['m'], () => ({ m: 0 }))).toThrow(/no rows/);
    expect(() => bootstrapIntervals(3, ['m'], () => ({ m: 0 }), { resamples: 0 })).toThrow(/resamples/);
    expect(() => bootstrapIntervals(3, ['m'], () => ({ m: 0 }), { level: 1 })).toThrow(/level/);
  });
});
