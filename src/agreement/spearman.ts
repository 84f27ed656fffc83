/**
 * Spearman's rank correlation ρ with tie-averaged ranks: Pearson's correlation of the ranks, which
 * is what scipy.stats.spearmanr computes when there are ties (the shortcut 1 − 6Σd²/(n(n²−1)) is
 * only exact without ties).
 */
import { averageRanks, levelRanks } from './ranks.js';
import { undefinedBecause, valueOf, type Statistic } from './statistic.js';
import { columnTotals, requirePairs, rowTotals, type ContingencyTable } from './table.js';

/**
 * ρ over a table whose labels are in ascending order: every row of level i has the mid-rank
 * Rᵢ = (rows below level i) + (rᵢ + 1)/2 (likewise Cⱼ for the judge), both mean (n + 1)/2, and
 *
 *   ρ = Σᵢⱼ nᵢⱼ (Rᵢ − R̄)(Cⱼ − C̄) / √(Σᵢ rᵢ (Rᵢ − R̄)² · Σⱼ cⱼ (Cⱼ − C̄)²).
 *
 * Undefined (null) when a rater's ranks do not vary (one label throughout, or a single row): the
 * correlation is 0/0 (scipy returns NaN with a ConstantInputWarning).
 */
export function spearmanFromTable(table: ContingencyTable): Statistic {
  requirePairs(table);
  const rows = rowTotals(table);
  const columns = columnTotals(table);
  const rowRank = levelRanks(rows);
  const columnRank = levelRanks(columns);
  const mean = (table.n + 1) / 2;
  let covariance = 0;
  table.counts.forEach((row, i) => row.forEach((count, j) => (covariance += count * (rowRank[i]! - mean) * (columnRank[j]! - mean))));
  const rowVariance = rows.reduce((sum, r, i) => sum + r * (rowRank[i]! - mean) ** 2, 0);
  const columnVariance = columns.reduce((sum, c, j) => sum + c * (columnRank[j]! - mean) ** 2, 0);
  if (rowVariance === 0 || columnVariance === 0) {
    return undefinedBecause(`the ${rowVariance === 0 ? 'human' : 'judge'} ratings do not vary, so the rank correlation is 0/0`);
  }
  return valueOf(covariance / Math.sqrt(rowVariance * columnVariance));
}

/**
 * ρ of two equally long lists of numbers (x the reference): Pearson's correlation of their
 * tie-averaged ranks, computed directly from the lists (an independent path from
 * {@link spearmanFromTable}, which the tests hold equal).
 * @example spearmanRho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).value // 0.8207826816681233 (scipy's documented example)
 */
export function spearmanRho(x: readonly number[], y: readonly number[]): Statistic {
  if (x.length !== y.length) throw new RangeError(`paired ratings differ in length: ${x.length} and ${y.length}`);
  if (x.length === 0) throw new RangeError('no pairs to compare');
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (x.length + 1) / 2;
  let covariance = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < x.length; i++) {
    covariance += (rx[i]! - mean) * (ry[i]! - mean);
    vx += (rx[i]! - mean) ** 2;
    vy += (ry[i]! - mean) ** 2;
  }
  if (vx === 0 || vy === 0)
    return undefinedBecause(`the ${vx === 0 ? 'first' : 'second'} ratings do not vary, so the rank correlation is 0/0`);
  return valueOf(covariance / Math.sqrt(vx * vy));
}
