/**
 * Krippendorff's α (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011): agreement as
 * 1 − observed / expected disagreement, from the coincidence matrix of pairable values, for any
 * number of coders, missing values, and a difference function chosen by the level of measurement.
 */
import { undefinedBecause, valueOf, type Statistic } from './statistic.js';
import type { ContingencyTable } from './table.js';

/**
 * Levels of measurement, each with its squared difference δ²(c, k) (Krippendorff 2011, section
 * "difference functions"):
 * - nominal: 0 if c = k else 1;
 * - ordinal: (Σ_{g=c..k} n_g − (n_c + n_k)/2)², over the values in ascending order;
 * - interval: (c − k)²;
 * - ratio: ((c − k) / (c + k))².
 */
export type AlphaMetric = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/**
 * α from a coincidence matrix o (o[c][k]: pairs of values c, k within units, each unit u with m_u
 * pairable values contributing 1/(m_u − 1) per ordered pair of its values from different coders).
 * With n_c = Σ_k o[c][k] and n = Σ_c n_c:
 *
 *   α = 1 − D_o / D_e = 1 − (n − 1) · Σ_{c,k} o_ck δ²_ck / Σ_{c,k} n_c n_k δ²_ck.
 *
 * `values` are the numeric values of the matrix's rows, ascending (needed for every metric but
 * nominal). Undefined (null) when no unit has two values (n = 0), or when the expected
 * disagreement is 0 — a single value occurs in the data: with no variation there is nothing to
 * measure agreement against and α is 0/0 (the `krippendorff` Python package refuses such data
 * with "There has to be more than one value in the domain"). Perfect agreement with variation is 1.
 */
export function alphaFromCoincidences(o: readonly (readonly number[])[], values: readonly number[], metric: AlphaMetric): Statistic {
  const k = o.length;
  const totals = o.map((row) => row.reduce((sum, x) => sum + x, 0));
  const n = totals.reduce((sum, x) => sum + x, 0);
  if (n === 0) return undefinedBecause('no unit has values from two coders, so there is nothing to compare');
  if (metric !== 'nominal') {
    for (let i = 1; i < k; i++) {
      if (!(values[i]! > values[i - 1]!))
        throw new RangeError(`α (${metric}) needs the values in ascending order: ${JSON.stringify(values)}`);
    }
  }
  // Cumulative totals, for the ordinal difference: Σ_{g=c..k} n_g = cumulative[k+1] − cumulative[c] (c ≤ k).
  const cumulative = [0];
  for (const t of totals) cumulative.push(cumulative[cumulative.length - 1]! + t);
  const delta = (c: number, d: number): number => {
    if (c === d) return 0;
    switch (metric) {
      case 'nominal':
        return 1;
      case 'interval':
        return (values[c]! - values[d]!) ** 2;
      case 'ratio':
        return ((values[c]! - values[d]!) / (values[c]! + values[d]!)) ** 2;
      case 'ordinal': {
        const [lo, hi] = c < d ? [c, d] : [d, c];
        return (cumulative[hi + 1]! - cumulative[lo]! - (totals[c]! + totals[d]!) / 2) ** 2;
      }
    }
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      if (c === d) continue;
      const diff = delta(c, d);
      observed += o[c]![d]! * diff;
      expected += totals[c]! * totals[d]! * diff;
    }
  }
  if (expected === 0) {
    return undefinedBecause('only one value occurs in the data, so there is no variation to measure agreement against and α is 0/0');
  }
  return valueOf(1 - ((n - 1) * observed) / expected);
}

/**
 * α for two coders who rated the same rows, from their contingency table (no missing values: the
 * table holds pairs). Each row with values (c, k) adds 1/(2 − 1) = 1 to o[c][k] and to o[k][c], so
 * o = counts + countsᵀ and n = 2 × rows.
 */
export function krippendorffAlphaFromTable(table: ContingencyTable, values: readonly number[], metric: AlphaMetric): Statistic {
  const counts = table.counts;
  const o = counts.map((row, c) => row.map((x, k) => x + counts[k]![c]!));
  return alphaFromCoincidences(o, values, metric);
}

/**
 * α over reliability data: `units[u]` holds the values the coders gave unit u, null or undefined
 * where a coder gave none (Krippendorff's m × N matrix, transposed: one entry per unit). Units with
 * fewer than two values are not pairable and are left out, as in Krippendorff (2011).
 * @example krippendorffAlpha([[1, 1], [2, 2], [1, 2]], 'nominal')
 */
export function krippendorffAlpha(units: ReadonlyArray<ReadonlyArray<number | null | undefined>>, metric: AlphaMetric): Statistic {
  const values = [...new Set(units.flatMap((u) => u.filter((v): v is number => v !== null && v !== undefined)))].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const o = values.map(() => new Array<number>(values.length).fill(0));
  for (const unit of units) {
    const present = unit.filter((v): v is number => v !== null && v !== undefined).map((v) => index.get(v)!);
    const m = present.length;
    if (m < 2) continue;
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) if (a !== b) o[present[a]!]![present[b]!]! += 1 / (m - 1);
    }
  }
  return alphaFromCoincidences(o, values, metric);
}
