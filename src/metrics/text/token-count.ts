/**
 * `token_count` (MLflow): the number of tokens of the prediction under a tiktoken encoding,
 * `cl100k_base` by default as MLflow's. The encoder's rank table is megabytes, so it is imported
 * and built on first use only, once per encoding per process. Text that looks like a special
 * token (`<|endoftext|>`) is counted as the plain text it is: Python tiktoken's `encode` would
 * raise on it, and a model's answer that quotes such a string is still an answer to count.
 */
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import { z } from 'zod';
import type { Metric } from '../metric.js';
import { scored, textMetric } from './text-metric.js';

const RANKS = {
  cl100k_base: () => import('js-tiktoken/ranks/cl100k_base'),
  o200k_base: () => import('js-tiktoken/ranks/o200k_base'),
  p50k_base: () => import('js-tiktoken/ranks/p50k_base'),
  p50k_edit: () => import('js-tiktoken/ranks/p50k_edit'),
  r50k_base: () => import('js-tiktoken/ranks/r50k_base'),
  gpt2: () => import('js-tiktoken/ranks/gpt2'),
} satisfies Record<string, () => Promise<{ default: TiktokenBPE }>>;

/** The tiktoken encodings `token_count` can use. */
export type Encoding = keyof typeof RANKS;

/** Options of `token_count`, as the config writes them. */
export const tokenCountOptions = z.strictObject({
  encoding: z.enum(Object.keys(RANKS) as [Encoding, ...Encoding[]]).default('cl100k_base'),
});

const encoders = new Map<Encoding, Promise<Tiktoken>>();

function encoder(encoding: Encoding): Promise<Tiktoken> {
  let loading = encoders.get(encoding);
  if (!loading) {
    loading = RANKS[encoding]().then((ranks) => new Tiktoken(ranks.default));
    encoders.set(encoding, loading);
  }
  return loading;
}

/**
 * The number of tokens of a text under an encoding.
 * @example await countTokens('tiktoken is great!') // 6
 */
export async function countTokens(text: string, encoding: Encoding = 'cl100k_base'): Promise<number> {
  return (await encoder(encoding)).encode(text, [], []).length;
}

/** `token_count` as a metric. */
export function tokenCountMetric({ encoding = 'cl100k_base' }: z.input<typeof tokenCountOptions> = {}): Metric {
  return textMetric({
    name: 'token_count',
    // More tokens are neither better nor worse: a length to watch.
    greaterIsBetter: null,
    compares: false,
    score: async (prediction) => scored(await countTokens(prediction, encoding)),
  });
}
