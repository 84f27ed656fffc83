/**
 * ROUGE as Google's `rouge-score` package computes it and MLflow reports it (through Hugging Face
 * `evaluate`'s `rouge` with `use_aggregator=False`): the per-row F-measure of `score(target,
 * prediction)`. Tokens are rouge-score's default: lower-case, every run of characters outside
 * [a-z0-9] becomes a space, split on spaces; with `use_stemmer`, tokens longer than 3 characters
 * go through NLTK's Porter stemmer. rougeLsum splits both texts into sentences on newlines and
 * scores the summary-level union LCS (ROUGE paper §3.2) with rouge-score's guard against counting
 * a token twice. An empty prediction or target scores 0.
 */
import { z } from 'zod';
import type { Metric } from '../metric.js';
import { porterStem } from './porter-stemmer.js';
import { scored, textMetric } from './text-metric.js';

/** The ROUGE variants MLflow names. */
export type RougeType = 'rouge1' | 'rouge2' | 'rougeL' | 'rougeLsum';

/** rouge-score's `Score`. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** Options of the ROUGE metrics, as the config writes them. */
export const rougeOptions = z.strictObject({
  /** Porter-stem tokens longer than 3 characters (rouge-score's `use_stemmer`; MLflow leaves it off). */
  use_stemmer: z.boolean().default(false),
});

/** rouge-score's default tokenizer. */
export function rougeTokens(text: string, useStemmer = false): string[] {
  const tokens = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter(Boolean);
  return useStemmer ? tokens.map((token) => (token.length > 3 ? porterStem(token) : token)) : tokens;
}

/**
 * The ROUGE score of a prediction against a target, as `RougeScorer([type], use_stemmer).score(target, prediction)`.
 * @example rougeScore('rouge1', 'the cat sat', 'the cat ran').fmeasure // 2/3
 */
export function rougeScore(type: RougeType, target: string, prediction: string, useStemmer = false): RougeScore {
  if (type === 'rougeLsum') {
    const sentences = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => rougeTokens(line, useStemmer));
    return summaryLevelLcs(sentences(target), sentences(prediction));
  }
  const targetTokens = rougeTokens(target, useStemmer);
  const predictionTokens = rougeTokens(prediction, useStemmer);
  if (type === 'rougeL') return lcsScore(targetTokens, predictionTokens);
  return ngramScore(targetTokens, predictionTokens, type === 'rouge1' ? 1 : 2);
}

/** `rouge1`, `rouge2`, `rougeL` or `rougeLsum` as a metric: the F-measure per row. */
export function rougeMetric(type: RougeType, { use_stemmer = false }: z.input<typeof rougeOptions> = {}): Metric {
  return textMetric({
    name: type,
    greaterIsBetter: true,
    values: { kind: 'unit', range: { min: 0, max: 1 } },
    compares: true,
    score: (prediction, target) => scored(rougeScore(type, target, prediction, use_stemmer).fmeasure),
  });
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function ngramScore(targetTokens: string[], predictionTokens: string[], n: number): RougeScore {
  const target = ngramCounts(targetTokens, n);
  const prediction = ngramCounts(predictionTokens, n);
  let overlap = 0;
  for (const [gram, count] of target) overlap += Math.min(count, prediction.get(gram) ?? 0);
  const targetTotal = Math.max(0, targetTokens.length - n + 1);
  const predictionTotal = Math.max(0, predictionTokens.length - n + 1);
  // rouge-score divides by max(count, 1), so an empty side gives 0 rather than NaN.
  const precision = overlap / Math.max(predictionTotal, 1);
  const recall = overlap / Math.max(targetTotal, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Maps tokens to small integers so that the LCS tables compare numbers, not strings. */
function interned(sequences: string[][]): Int32Array[] {
  const ids = new Map<string, number>();
  return sequences.map((tokens) =>
    Int32Array.from(tokens, (token) => {
      let id = ids.get(token);
      if (id === undefined) ids.set(token, (id = ids.size));
      return id;
    }),
  );
}

/** LCS length in two rows of memory: rougeL needs no backtracking. */
function lcsLength(a: Int32Array, b: Int32Array): number {
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

function lcsScore(targetTokens: string[], predictionTokens: string[]): RougeScore {
  if (targetTokens.length === 0 || predictionTokens.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const [target, prediction] = interned([targetTokens, predictionTokens]) as [Int32Array, Int32Array];
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/**
 * The indices into `ref` of one LCS with `can`, read back from the full table exactly as
 * rouge-score's `_backtrack_norec` does: which LCS is chosen decides the union in rougeLsum.
 */
function lcsIndices(ref: Int32Array, can: Int32Array): number[] {
  const width = can.length + 1;
  const table = new Int32Array((ref.length + 1) * width);
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= can.length; j++) {
      table[i * width + j] =
        ref[i - 1] === can[j - 1] ? table[(i - 1) * width + j - 1]! + 1 : Math.max(table[(i - 1) * width + j]!, table[i * width + j - 1]!);
    }
  }
  const indices: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      indices.push(i - 1);
      i--;
      j--;
    } else if (table[i * width + j - 1]! > table[(i - 1) * width + j]!) {
      j--;
    } else {
      i--;
    }
  }
  return indices.reverse();
}

function summaryLevelLcs(targetSentences: string[][], predictionSentences: string[][]): RougeScore {
  const zero = { precision: 0, recall: 0, fmeasure: 0 };
  const targetTotal = targetSentences.reduce((sum, s) => sum + s.length, 0);
  const predictionTotal = predictionSentences.reduce((sum, s) => sum + s.length, 0);
  if (targetTotal === 0 || predictionTotal === 0) return zero;
  const all = interned([...targetSentences, ...predictionSentences]);
  const refs = all.slice(0, targetSentences.length);
  const cans = all.slice(targetSentences.length);
  // Token budgets on both sides, so a token in several unions counts no more often than it occurs.
  const targetLeft = new Map<number, number>();
  const predictionLeft = new Map<number, number>();
  for (const s of refs) for (const t of s) targetLeft.set(t, (targetLeft.get(t) ?? 0) + 1);
  for (const s of cans) for (const t of s) predictionLeft.set(t, (predictionLeft.get(t) ?? 0) + 1);
  let hits = 0;
  for (const ref of refs) {
    const union = new Set<number>();
    for (const can of cans) for (const index of lcsIndices(ref, can)) union.add(index);
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = ref[index]!;
      if (targetLeft.get(token)! > 0 && (predictionLeft.get(token) ?? 0) > 0) {
        hits++;
        targetLeft.set(token, targetLeft.get(token)! - 1);
        predictionLeft.set(token, predictionLeft.get(token)! - 1);
      }
    }
  }
  const precision = hits / predictionTotal;
  const recall = hits / targetTotal;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}
