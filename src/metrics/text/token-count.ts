/**
 * `token_count` (MLflow): the number of tokens of the prediction under a tiktoken encoding,
 * `cl100k_base` by default as MLflow's, loaded on first use (providers/tokenizers.ts). Text that looks like a special
 * token (`<|endoftext|>`) is counted as the plain text it is: Python tiktoken's `encode` would
 * raise on it, and a model's answer that quotes such a string is still an answer to count.
 */
import { z } from 'zod';
import { ENCODINGS, loadEncoding, type Encoding } from '../../providers/tokenizers.js';
import type { Metric } from '../metric.js';
import { scored, textMetric } from './text-metric.js';

export type { Encoding };

/** Options of `token_count`, as the config writes them. */
export const tokenCountOptions = z.strictObject({
  encoding: z.enum(ENCODINGS).default('cl100k_base'),
});

/**
 * The number of tokens of a text under an encoding.
 * @example await countTokens('tiktoken is great!') // 6
 */
export async function countTokens(text: string, encoding: Encoding = 'cl100k_base'): Promise<number> {
  return (await loadEncoding(encoding)).encode(text, [], []).length;
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
