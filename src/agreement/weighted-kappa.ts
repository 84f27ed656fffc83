/**
 * Weighted κ with quadratic weights (Cohen 1968, "Weighted kappa"; Fleiss & Cohen 1973): for
 * ordinal labels, a disagreement by two steps costs four times one by a step.
 */
import { undefinedBecause, valueOf, type Statistic } from './statistic.js';
import { columnTotals, requirePairs, rowTotals, type ContingencyTable } from './table.js';

/**
 * κ_w = 1 − Σᵢⱼ wᵢⱼ oᵢⱼ / Σᵢⱼ wᵢⱼ eᵢⱼ with disagreement weights wᵢⱼ = (i − j)² / (k − 1)² over the
 * label positions i, j (the table's order, as scikit-learn's `cohen_kappa_score(weights=
 * 'quadratic')` with `labels` given), observed oᵢⱼ = nᵢⱼ and expected eᵢⱼ = rᵢ cⱼ / n. The constant
 * (k − 1)² cancels, so κ_w = 1 − n·Σ (i−j)² nᵢⱼ / Σ (i−j)² rᵢ cⱼ.
 *
 * For two labels the weights are 0 on the diagonal and 1 off it, so κ_w = 1 − n(n₀₁+n₁₀)/(r₀c₁+r₁c₀),
 * and Cohen's κ = (n·Σnᵢᵢ − Σrᵢcᵢ)/(n² − Σrᵢcᵢ) is the same number: n² − Σrᵢcᵢ = r₀c₁ + r₁c₀
 * (expand n² = (r₀+r₁)(c₀+c₁)) and n·Σnᵢᵢ − Σrᵢcᵢ = (r₀c₁ + r₁c₀) − n(n₀₁+n₁₀).
 *
 * Undefined (null) when the expected weighted disagreement is 0: both raters used one and the same
 * label throughout (as Cohen's κ).
 */
export function quadraticWeightedKappa(table: ContingencyTable): Statistic {
  requirePairs(table);
  const rows = rowTotals(table);
  const columns = columnTotals(table);
  let observed = 0;
  let expected = 0;
  table.counts.forEach((row, i) =>
    row.forEach((count, j) => {
      const weight = (i - j) * (i - j);
      observed += weight * count;
      expected += weight * rows[i]! * columns[j]!;
    }),
  );
  if (expected === 0) {
    return undefinedBecause('expected disagreement is 0 (both raters gave every row the same single label), so weighted κ is 0/0');
  }
  return valueOf(1 - (table.n * observed) / expected);
}
