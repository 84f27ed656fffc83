/** Ranks with ties averaged ("fractional" or "mid" ranks), as scipy.stats.rankdata(method='average'). */

/**
 * The 1-based rank of each value, tied values sharing the mean of the ranks they span:
 * ranks([10, 20, 20, 30]) = [1, 2.5, 2.5, 4].
 */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end++;
    // Positions start..end (0-based) hold ranks start+1..end+1; their mean is (start + end)/2 + 1.
    const rank = (start + end) / 2 + 1;
    for (let p = start; p <= end; p++) ranks[order[p]!] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Mid-ranks of the levels of an ordered table margin: a level with t rows after s rows of lower
 * levels holds ranks s+1..s+t, whose mean is s + (t + 1)/2.
 */
export function levelRanks(totals: readonly number[]): number[] {
  let below = 0;
  return totals.map((t) => {
    const rank = below + (t + 1) / 2;
    below += t;
    return rank;
  });
}
