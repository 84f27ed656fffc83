/**
 * Paired ratings of the same rows by two raters (a human reference and a judge) as a k × k
 * contingency table over an ordered list of labels. Every agreement statistic here is a function of
 * this table alone, which keeps them exact (integer counts) and makes a bootstrap resample cost one
 * pass over the rows plus O(k²)–O(k⁴) arithmetic, whatever the number of rows.
 */

/** `counts[i][j]`: rows the reference (human) rated label i and the judge rated label j. */
export interface ContingencyTable {
  readonly counts: readonly (readonly number[])[];
  /** Number of pairs: the sum of `counts`. */
  readonly n: number;
}

/**
 * Builds the table of paired ratings. `labels` fixes the order of rows and columns (for ordinal
 * statistics: ascending). Ratings are compared with `===` after lookup; a rating not in `labels`
 * throws.
 * @example contingencyTable([0, 1, 1], [0, 1, 0], [0, 1]).counts // [[1, 0], [1, 1]]
 */
export function contingencyTable<L>(reference: readonly L[], rated: readonly L[], labels: readonly L[]): ContingencyTable {
  if (reference.length !== rated.length) throw new RangeError(`paired ratings differ in length: ${reference.length} and ${rated.length}`);
  const index = new Map(labels.map((label, i) => [label, i]));
  const code = (label: L): number => {
    const i = index.get(label);
    if (i === undefined) throw new RangeError(`rating ${JSON.stringify(label)} is not one of the labels ${JSON.stringify(labels)}`);
    return i;
  };
  return tableFromCodes(labels.length, reference.map(code), rated.map(code));
}

/**
 * The table of label indexes `reference[s]`, `rated[s]` over the rows `sample` (all rows when
 * omitted; a bootstrap resample passes its drawn row numbers, repeats included).
 */
export function tableFromCodes(
  k: number,
  reference: ArrayLike<number>,
  rated: ArrayLike<number>,
  sample?: ArrayLike<number>,
): ContingencyTable {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const n = sample ? sample.length : reference.length;
  for (let s = 0; s < n; s++) {
    const row = sample ? sample[s]! : s;
    counts[reference[row]!]![rated[row]!]!++;
  }
  return { counts, n };
}

/** Row sums: how often the reference (human) used each label. */
export function rowTotals(table: ContingencyTable): number[] {
  return table.counts.map((row) => row.reduce((sum, c) => sum + c, 0));
}

/** Column sums: how often the judge used each label. */
export function columnTotals(table: ContingencyTable): number[] {
  const k = table.counts.length;
  const totals = new Array<number>(k).fill(0);
  for (const row of table.counts) for (let j = 0; j < k; j++) totals[j]! += row[j]!;
  return totals;
}

/** Throws on an empty table: no statistic is meaningful over zero pairs. */
export function requirePairs(table: ContingencyTable): void {
  if (table.n === 0) throw new RangeError('no pairs to compare: every row lacks a rating from one of the raters');
}
