/**
 * Levenshtein edit distance and the `levenshtein` metric: the normalized similarity
 * 1 − distance / max(length) of prediction and target (as rapidfuzz's `Levenshtein.normalized_similarity`
 * with unit costs), 1 when both are empty. Lengths and edits count Unicode code points, so an emoji
 * or an accented letter written as one code point is one character.
 */
import type { Metric } from '../metric.js';
import { scored, textMetric } from './text-metric.js';

function codePoints(text: string): Int32Array {
  return Int32Array.from(text, (ch) => ch.codePointAt(0)!);
}

/**
 * The number of single-character insertions, deletions and substitutions turning `a` into `b`.
 * @example editDistance('kitten', 'sitting') // 3
 */
export function editDistance(a: string, b: string): number {
  let x = codePoints(a);
  let y = codePoints(b);
  // A shared prefix and suffix cost nothing; trimming them keeps near-identical long texts cheap.
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  x = x.subarray(start, endX);
  y = y.subarray(start, endY);
  if (y.length > x.length) [x, y] = [y, x];
  // One row of the table, as long as the shorter text.
  const row = Int32Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (x[i - 1] === y[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[y.length]!;
}

/**
 * Normalized similarity of two texts in [0, 1]: 1 − distance / max(length), 1 when both are empty.
 * @example levenshteinSimilarity('kitten', 'sitting') // 1 − 3/7
 */
export function levenshteinSimilarity(a: string, b: string): number {
  const longest = Math.max(codePoints(a).length, codePoints(b).length);
  return longest === 0 ? 1 : 1 - editDistance(a, b) / longest;
}

/** `levenshtein`: the normalized similarity of prediction and target, per row. */
export const levenshtein: Metric = textMetric({
  name: 'levenshtein',
  greaterIsBetter: true,
  values: { kind: 'unit', range: { min: 0, max: 1 } },
  compares: true,
  score: (prediction, target) => scored(levenshteinSimilarity(prediction, target)),
});
