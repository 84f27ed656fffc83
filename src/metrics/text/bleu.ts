/**
 * BLEU as sacreBLEU 2.x computes it, on its 0–100 scale: the `13a` tokenizer (mteval-v13a, WMT's
 * standard), case-sensitive, n-grams up to 4, brevity penalty against the closest reference
 * length, and `exp` smoothing (NIST's) by default. Per row it is `sacrebleu.sentence_bleu`, whose
 * effective order drops n-gram orders the hypothesis is too short to have; `corpusBleu` is
 * `sacrebleu.corpus_bleu`, which sums the statistics of all sentences first and keeps all four
 * orders. Note MLflow's own `bleu` differs: it calls Hugging Face `evaluate`'s `bleu`, 0–1 and
 * unsmoothed, so a short sentence without a 4-gram match scores 0 there.
 */
import { z } from 'zod';
import type { Metric } from '../metric.js';
import { pyRstrip, pySplit } from './python-text.js';
import { scored, textMetric } from './text-metric.js';

const MAX_ORDER = 4;

/** sacreBLEU's smoothing methods (Chen & Cherry 2014): `floor` is method 1, `add-k` method 2, `exp` method 3. */
export const SMOOTH_METHODS = ['exp', 'floor', 'add-k', 'none'] as const;
export type SmoothMethod = (typeof SMOOTH_METHODS)[number];

/** sacreBLEU's default smoothing values: `floor` 0.1, `add-k` 1 (the others take none). */
const SMOOTH_DEFAULTS: Record<SmoothMethod, number> = { exp: 0, floor: 0.1, 'add-k': 1, none: 0 };

export interface BleuOptions {
  smoothMethod?: SmoothMethod;
  smoothValue?: number;
  /** Lower-case hypotheses and references first (sacreBLEU's `lowercase`). */
  lowercase?: boolean;
}

/** Options of the `bleu` metric, as the config writes them. */
export const bleuOptions = z.strictObject({
  smooth_method: z.enum(SMOOTH_METHODS).default('exp'),
  smooth_value: z.number().positive().optional(),
  lowercase: z.boolean().default(false),
});

const TOKEN_RULES: Array<[RegExp, string]> = [
  // Symbols (ASCII punctuation but ' , - .) become tokens of their own.
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  // Period and comma split off unless between digits (3.14 and 1,000 stay whole).
  [/([^0-9])([.,])/g, '$1 $2 '],
  [/([.,])([^0-9])/g, ' $1 $2'],
  // A dash after a digit splits (1-2), other dashes stay inside words.
  [/([0-9])(-)/g, '$1 $2 '],
];

/** sacreBLEU's `13a` tokenizer: the tokens of a line joined by single spaces. */
export function tokenize13a(line: string): string {
  let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  text = ` ${text} `;
  for (const [pattern, replacement] of TOKEN_RULES) text = text.replace(pattern, replacement);
  return pySplit(text).join(' ');
}

/** A segment's sufficient statistics: lengths, and matched and total n-grams of each order. */
interface Stats {
  hypLen: number;
  refLen: number;
  correct: number[];
  total: number[];
}

function tokens(text: string, lowercase: boolean): string[] {
  return pySplit(tokenize13a(pyRstrip(lowercase ? text.toLowerCase() : text)));
}

function ngramCounts(words: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= MAX_ORDER; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      // The order leads the key, so grams of different orders never collide.
      const key = `${n} ${words.slice(i, i + n).join(' ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function segmentStats(hypothesis: string, references: readonly string[], lowercase: boolean): Stats {
  const hyp = tokens(hypothesis, lowercase);
  // Each n-gram may match as often as the reference that has it most often.
  const refCounts = new Map<string, number>();
  const refLens: number[] = [];
  for (const reference of references) {
    const ref = tokens(reference, lowercase);
    refLens.push(ref.length);
    for (const [gram, count] of ngramCounts(ref)) refCounts.set(gram, Math.max(refCounts.get(gram) ?? 0, count));
  }
  // The closest reference length; on a tie, the shorter.
  let refLen = refLens[0] ?? 0;
  for (const len of refLens) {
    const better = Math.abs(hyp.length - len) - Math.abs(hyp.length - refLen);
    if (better < 0 || (better === 0 && len < refLen)) refLen = len;
  }
  const correct = new Array<number>(MAX_ORDER).fill(0);
  const total = new Array<number>(MAX_ORDER).fill(0);
  for (const [gram, count] of ngramCounts(hyp)) {
    const n = Number(gram.slice(0, gram.indexOf(' '))) - 1;
    total[n]! += count;
    correct[n]! += Math.min(count, refCounts.get(gram) ?? 0);
  }
  return { hypLen: hyp.length, refLen, correct, total };
}

/** sacreBLEU's `BLEU.compute_bleu`. */
function computeBleu(stats: Stats, options: BleuOptions, effectiveOrder: boolean): number {
  const method = options.smoothMethod ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[method];
  const { hypLen, refLen } = stats;
  const correct = [...stats.correct];
  const total = [...stats.total];
  const bp = hypLen < refLen ? (hypLen > 0 ? Math.exp(1 - refLen / hypLen) : 0) : 1;
  if (correct.every((c) => c === 0)) return 0;
  const precisions = new Array<number>(MAX_ORDER).fill(0);
  let smoothMteval = 1;
  let order = MAX_ORDER;
  for (let n = 1; n <= MAX_ORDER; n++) {
    if (method === 'add-k' && n > 1) {
      correct[n - 1]! += smoothValue;
      total[n - 1]! += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (effectiveOrder) order = n;
    if (correct[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]!);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / total[n - 1]!;
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!;
    }
  }
  // sacreBLEU's my_log: a zero precision counts as a huge negative log, so the score becomes 0.
  const logs = precisions.slice(0, order).map((p) => (p === 0 ? -9999999999 : Math.log(p)));
  return bp * Math.exp(logs.reduce((a, b) => a + b, 0) / order);
}

/**
 * Sentence BLEU of one hypothesis against one or more references, as `sacrebleu.sentence_bleu`.
 * @example sentenceBleu('the cat sat on the mat', 'the cat sat on the mat') // 100
 */
export function sentenceBleu(hypothesis: string, references: string | readonly string[], options: BleuOptions = {}): number {
  const refs = typeof references === 'string' ? [references] : references;
  return computeBleu(segmentStats(hypothesis, refs, options.lowercase ?? false), options, true);
}

/**
 * Corpus BLEU, as `sacrebleu.corpus_bleu`: statistics summed over all sentences, then one score.
 * `references[i]` holds the reference (or references) of `predictions[i]` — per sentence, where
 * sacreBLEU takes reference streams.
 * @example corpusBleu(['the cat sat on the mat', 'a dog'], ['the cat sat on the mat', 'a dog barked'])
 */
export function corpusBleu(
  predictions: readonly string[],
  references: ReadonlyArray<string | readonly string[]>,
  options: BleuOptions = {},
): number {
  if (predictions.length !== references.length) {
    throw new Error(
      `corpusBleu: ${predictions.length} predictions but ${references.length} references; give one reference (or list of references) per prediction`,
    );
  }
  const sum: Stats = { hypLen: 0, refLen: 0, correct: new Array<number>(MAX_ORDER).fill(0), total: new Array<number>(MAX_ORDER).fill(0) };
  predictions.forEach((prediction, i) => {
    const ref = references[i]!;
    const stats = segmentStats(prediction, typeof ref === 'string' ? [ref] : ref, options.lowercase ?? false);
    sum.hypLen += stats.hypLen;
    sum.refLen += stats.refLen;
    for (let n = 0; n < MAX_ORDER; n++) {
      sum.correct[n]! += stats.correct[n]!;
      sum.total[n]! += stats.total[n]!;
    }
  });
  return computeBleu(sum, options, false);
}

/** `bleu`: sentence BLEU (0–100) of the prediction against the target, per row. */
export function bleuMetric({ smooth_method = 'exp', smooth_value, lowercase = false }: z.input<typeof bleuOptions> = {}): Metric {
  const settings: BleuOptions = {
    smoothMethod: smooth_method,
    lowercase,
    ...(smooth_value !== undefined ? { smoothValue: smooth_value } : {}),
  };
  return textMetric({
    name: 'bleu',
    greaterIsBetter: true,
    values: { kind: 'number', range: { min: 0, max: 100 } },
    compares: true,
    score: (prediction, target) => scored(sentenceBleu(prediction, target, settings)),
  });
}
