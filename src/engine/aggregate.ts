/**
 * Aggregates over a metric's per-row values, as MLflow names and computes them: population
 * variance (numpy's default), p90 by linear interpolation (numpy.percentile's default). The 95%
 * confidence interval of a headline is Wilson's score interval for a share of 1s (it stays inside
 * 0–1 and is sound near 0 and 1, where the normal one is not) and the normal approximation
 * mean ± z·s/√n with the sample standard deviation otherwise.
 */
import type { Aggregation } from '../judges/definition.js';

/**
 * Computes the requested aggregations; an empty list of values gives none (never NaN). `ratio` is
 * the share of values at or above `ratioThreshold`: 1 for yes/no and 1/0 values, a metric's own
 * decision threshold for probabilities (toxicity: 0.5).
 */
export function aggregate(
  values: ArrayLike<number>,
  aggregations: readonly Aggregation[],
  ratioThreshold = 1,
): Partial<Record<Aggregation, number>> {
  const n = values.length;
  if (n === 0) return {};
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  let sorted: Float64Array | undefined;
  const percentile = (p: number) => {
    sorted ??= Float64Array.from(values).sort();
    return percentileOfSorted(sorted, p);
  };
  const out: Partial<Record<Aggregation, number>> = {};
  for (const aggregation of aggregations) {
    switch (aggregation) {
      case 'mean':
        out.mean = mean;
        break;
      case 'variance':
        out.variance = squares / n;
        break;
      case 'p90':
        out.p90 = percentile(90);
        break;
      case 'median':
        out.median = percentile(50);
        break;
      case 'min':
        out.min = percentile(0);
        break;
      case 'max':
        out.max = percentile(100);
        break;
      case 'sum':
        out.sum = sum;
        break;
      case 'ratio': {
        // The share of rows judged yes, as MLflow's ratio of toxic rows (score >= 0.5).
        let yes = 0;
        for (let i = 0; i < n; i++) if (values[i]! >= ratioThreshold) yes++;
        out.ratio = yes / n;
        break;
      }
    }
  }
  return out;
}

/** A 95% confidence interval. */
export interface Interval {
  low: number;
  high: number;
  level: 0.95;
}

/** The two-sided 95% quantile of the standard normal distribution. */
const Z95 = 1.959963984540054;

/** What a headline's interval is computed from: the rows scored and the metric's stored aggregates. */
export interface HeadlineStats {
  n: number;
  mean?: number;
  /** Population variance, as the `variance` aggregate stores it. */
  variance?: number;
  ratio?: number;
}

/**
 * The 95% confidence interval of a headline aggregate, or null when there is none to give
 * (a headline that is not a mean or a ratio, too few rows, no variance for a mean).
 * `shareOfOnes`: the values are 1/0, so a mean is a share too. `range` clips the normal interval.
 * @example headlineInterval({ n: 20, ratio: 0.8 }, 'ratio') // { low: 0.584, high: 0.919, level: 0.95 }
 */
export function headlineInterval(
  stats: HeadlineStats,
  headline: Aggregation,
  options: { shareOfOnes?: boolean; range?: { min: number; max: number } } = {},
): Interval | null {
  const { n } = stats;
  const share = headline === 'ratio' ? stats.ratio : headline === 'mean' && options.shareOfOnes ? stats.mean : undefined;
  if (share !== undefined) return n >= 1 ? wilson(share, n) : null;
  if (headline !== 'mean' || stats.mean === undefined || stats.variance === undefined || n < 2) return null;
  const half = Z95 * Math.sqrt(stats.variance / (n - 1));
  const min = options.range?.min ?? -Infinity;
  const max = options.range?.max ?? Infinity;
  return { low: Math.max(min, stats.mean - half), high: Math.min(max, stats.mean + half), level: 0.95 };
}

/** The interval of a metric's headline from its per-row values (the engine has them all). */
export function valuesInterval(
  values: ArrayLike<number>,
  headline: Aggregation,
  options: { shareOfOnes?: boolean; range?: { min: number; max: number }; ratioThreshold?: number } = {},
): Interval | null {
  const stats = aggregate(values, ['mean', 'variance', 'ratio'], options.ratioThreshold);
  return headlineInterval({ n: values.length, ...stats }, headline, options);
}

/** Wilson's score interval of a proportion. */
function wilson(share: number, n: number): Interval {
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (share + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((share * (1 - share)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half), level: 0.95 };
}

/** numpy.percentile with linear interpolation over sorted values. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** A growable list of doubles: 8 bytes a value, so a million rows cost 8 MB, not 50. */
export class Values {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
