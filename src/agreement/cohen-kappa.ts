/**
 * Cohen's κ (Cohen 1960, "A coefficient of agreement for nominal scales"): agreement corrected for
 * the agreement expected by chance from each rater's own label frequencies.
 */
import { undefinedBecause, valueOf, type Statistic } from './statistic.js';
import { columnTotals, requirePairs, rowTotals, type ContingencyTable } from './table.js';

/**
 * κ = (p_o − p_e) / (1 − p_e), with p_o = Σᵢ nᵢᵢ / n and p_e = Σᵢ rᵢ cᵢ / n² (rᵢ, cᵢ the human's and
 * the judge's totals for label i). Computed on integers as (n·Σᵢ nᵢᵢ − Σᵢ rᵢcᵢ) / (n² − Σᵢ rᵢcᵢ),
 * so the only division is the last.
 *
 * Undefined (null) when p_e = 1, which happens exactly when both raters gave every row the same
 * single label: κ is 0/0 there. This is the convention of scikit-learn (`cohen_kappa_score` gives
 * NaN; its newest versions name it with `replace_undefined_by=np.nan`, the default; the case is
 * discussed in scikit-learn issue #14256, "Kappa score cannot return 1") and of R's irr `kappa2`
 * (NaN from the same 0/0). We return null with the reason instead of NaN, rather than 1: perfect
 * agreement on a single label says nothing about agreement beyond chance.
 */
export function cohenKappa(table: ContingencyTable): Statistic {
  requirePairs(table);
  const { n } = table;
  const rows = rowTotals(table);
  const columns = columnTotals(table);
  let diagonal = 0;
  let chance = 0;
  table.counts.forEach((row, i) => {
    diagonal += row[i]!;
    chance += rows[i]! * columns[i]!;
  });
  if (chance === n * n) {
    return undefinedBecause(
      'expected agreement is 1 (both raters gave every row the same single label), so κ is 0/0; scikit-learn and irr return NaN here',
    );
  }
  return valueOf((n * diagonal - chance) / (n * n - chance));
}
