/**
 * Percentile bootstrap intervals (Efron & Tibshirani 1993, "An Introduction to the Bootstrap",
 * ch. 13): resample the n rows with replacement B times, recompute each statistic, and take the
 * α/2 and 1 − α/2 quantiles of the B values. Rows are the resampling unit, so a human label and
 * the judge's value for the same row always travel together.
 */
import { mulberry32 } from './prng.js';

/** Bootstrap settings. */
export interface BootstrapOptions {
  /** B, the number of resamples (default 1000). */
  resamples?: number;
  /** Seed of the mulberry32 generator (default 1): the same seed gives the same intervals. */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/** A statistic's interval, and in how many resamples it was undefined (left out of the quantiles). */
export interface BootstrapInterval {
  /** [lower, upper], or null when the statistic was undefined in every resample. */
  interval: [number, number] | null;
  undefinedIn: number;
}

/**
 * Draws B resamples of n row numbers (each uniform on 0..n−1, with replacement) and returns, per
 * statistic `compute` reports, the percentile interval of its values. Resamples where a statistic
 * is null (say κ on a resample that drew a single label) are left out of that statistic's
 * quantiles and counted.
 */
export function bootstrapIntervals<K extends string>(
  n: number,
  keys: readonly K[],
  compute: (rows: Uint32Array) => Record<K, number | null>,
  options: BootstrapOptions = {},
): Record<K, BootstrapInterval> {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, not ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be between 0 and 1, not ${level}`);
  if (n < 1) throw new RangeError('no rows to resample');
  const random = mulberry32(options.seed ?? 1);
  const values = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const rows = new Uint32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let s = 0; s < n; s++) rows[s] = Math.floor(random() * n);
    const result = compute(rows);
    for (const key of keys) {
      const value = result[key];
      if (value !== null && Number.isFinite(value)) values[key].push(value);
    }
  }
  const tail = (1 - level) / 2;
  return Object.fromEntries(
    keys.map((key) => {
      const sorted = values[key].sort((a, b) => a - b);
      const interval: [number, number] | null = sorted.length ? [quantile(sorted, tail), quantile(sorted, 1 - tail)] : null;
      return [key, { interval, undefinedIn: resamples - sorted.length }];
    }),
  ) as Record<K, BootstrapInterval>;
}

/**
 * The p-quantile of sorted values with linear interpolation between order statistics, as numpy's
 * default (`method='linear'`): h = (m − 1)·p, x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
