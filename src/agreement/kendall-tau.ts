/**
 * Kendall's τ-b (Kendall 1945, "The treatment of ties in ranking problems"): concordant minus
 * discordant pairs of rows, normalised for ties in each rater, as scipy.stats.kendalltau
 * (variant 'b', its default).
 */
import { undefinedBecause, valueOf, type Statistic } from './statistic.js';
import { columnTotals, requirePairs, rowTotals, type ContingencyTable } from './table.js';

/**
 * τ_b = (P − Q) / √((n₀ − n₁)(n₀ − n₂)), with n₀ = n(n−1)/2 pairs of rows, P concordant and Q
 * discordant pairs, n₁ = Σᵢ rᵢ(rᵢ−1)/2 pairs tied by the human and n₂ = Σⱼ cⱼ(cⱼ−1)/2 tied by the
 * judge. Over a table with labels ascending: P = Σᵢⱼ nᵢⱼ · Σ_{i'>i, j'>j} nᵢ'ⱼ' and
 * Q = Σᵢⱼ nᵢⱼ · Σ_{i'>i, j'<j} nᵢ'ⱼ' (O(k²) with running sums, whatever the number of rows).
 *
 * Undefined (null) when either rater's ratings are all tied (n₀ = n₁ or n₀ = n₂: one label
 * throughout, or fewer than two rows); scipy returns NaN there.
 */
export function kendallTauBFromTable(table: ContingencyTable): Statistic {
  requirePairs(table);
  const counts = table.counts;
  const k = counts.length;
  // after[i][j] = Σ_{i' ≥ i, j' ≥ j} n_{i'j'} (zero past the last row or column).
  const after = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
  for (let i = k - 1; i >= 0; i--) {
    for (let j = k - 1; j >= 0; j--) after[i]![j] = counts[i]![j]! + after[i + 1]![j]! + after[i]![j + 1]! - after[i + 1]![j + 1]!;
  }
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const count = counts[i]![j]!;
      if (count === 0) continue;
      concordant += count * after[i + 1]![j + 1]!; // rows i' > i, columns j' > j
      discordant += count * (after[i + 1]![0]! - after[i + 1]![j]!); // rows i' > i, columns j' < j
    }
  }
  const pairs = (t: number): number => (t * (t - 1)) / 2;
  const total = pairs(table.n);
  const humanTies = rowTotals(table).reduce((sum, r) => sum + pairs(r), 0);
  const judgeTies = columnTotals(table).reduce((sum, c) => sum + pairs(c), 0);
  if (total === humanTies || total === judgeTies) {
    return undefinedBecause(
      `every pair of rows is tied in the ${total === humanTies ? 'human' : 'judge'} ratings (one label throughout, or a single row), so τ-b is 0/0`,
    );
  }
  return valueOf((concordant - discordant) / Math.sqrt((total - humanTies) * (total - judgeTies)));
}

/**
 * τ-b of two equally long lists of numbers, by its definition over every pair of rows (O(n²); an
 * independent path from {@link kendallTauBFromTable}, which the tests hold equal).
 * @example kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]).value // -0.47140452079103173 (scipy's documented example)
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): Statistic {
  if (x.length !== y.length) throw new RangeError(`paired ratings differ in length: ${x.length} and ${y.length}`);
  if (x.length === 0) throw new RangeError('no pairs to compare');
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0; // pairs tied in x (whether or not also in y): n₁
  let tiedY = 0; // n₂
  for (let a = 0; a < x.length; a++) {
    for (let b = a + 1; b < x.length; b++) {
      const dx = Math.sign(x[a]! - x[b]!);
      const dy = Math.sign(y[a]! - y[b]!);
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      if (dx * dy > 0) concordant++;
      else if (dx * dy < 0) discordant++;
    }
  }
  const total = (x.length * (x.length - 1)) / 2;
  if (total === tiedX || total === tiedY) return undefinedBecause('every pair is tied in one of the ratings, so τ-b is 0/0');
  return valueOf((concordant - discordant) / Math.sqrt((total - tiedX) * (total - tiedY)));
}
