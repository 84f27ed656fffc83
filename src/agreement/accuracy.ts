/** Accuracy: the share of rows on which the judge gave the human's label. */
import { valueOf, type Statistic } from './statistic.js';
import { requirePairs, type ContingencyTable } from './table.js';

/**
 * Observed agreement p_o = Σᵢ nᵢᵢ / n (the diagonal of the table over all pairs). Defined for any
 * non-empty table; an empty one throws.
 */
export function accuracy(table: ContingencyTable): Statistic {
  requirePairs(table);
  let agree = 0;
  table.counts.forEach((row, i) => (agree += row[i]!));
  return valueOf(agree / table.n);
}
