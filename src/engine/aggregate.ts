/**
 * Aggregates over a metric's per-row values, as MLflow names and computes them: population
 * variance (numpy's default), p90 by linear interpolation (numpy.percentile's default).
 */
import type { Aggregation } from '../judges/definition.js';

/**
 * Computes the requested aggregations; an empty list of values gives none (never NaN). `ratio` is
 * the share of values at or above `ratioThreshold`: 1 for yes/no and 1/0 values, a metric's own
 * decision threshold for probabilities (toxicity: 0.5).
 */
export function aggregate(values: ArrayLike<number>, aggregations: readonly Aggregation[], ratioThreshold = 1): Partial<Record<Aggregation, number>> {
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
