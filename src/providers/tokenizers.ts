/**
 * tiktoken encodings, for counting what is sent to OpenAI models (`--dry-run`, `--max-cost`) and
 * for the `token_count` metric. Each encoding's rank table is megabytes of JavaScript, so it is
 * imported through js-tiktoken's `lite` entry when first asked for and built once per process:
 * a run that counts nothing never loads one.
 */
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

const RANKS = {
  cl100k_base: () => import('js-tiktoken/ranks/cl100k_base'),
  o200k_base: () => import('js-tiktoken/ranks/o200k_base'),
  p50k_base: () => import('js-tiktoken/ranks/p50k_base'),
  p50k_edit: () => import('js-tiktoken/ranks/p50k_edit'),
  r50k_base: () => import('js-tiktoken/ranks/r50k_base'),
  gpt2: () => import('js-tiktoken/ranks/gpt2'),
} satisfies Record<string, () => Promise<{ default: TiktokenBPE }>>;

/** The tiktoken encodings Juror can count with. */
export type Encoding = keyof typeof RANKS;

/** Every encoding's name. */
export const ENCODINGS = Object.keys(RANKS) as [Encoding, ...Encoding[]];

const encoders = new Map<Encoding, Promise<Tiktoken>>();

/** The encoder of `encoding`, imported and built on first use. */
export function loadEncoding(encoding: Encoding): Promise<Tiktoken> {
  let loading = encoders.get(encoding);
  if (!loading) {
    loading = RANKS[encoding]().then((ranks) => new Tiktoken(ranks.default));
    encoders.set(encoding, loading);
  }
  return loading;
}

/**
 * The encoding of an OpenAI chat model: o200k_base for the GPT-4o, GPT-4.1, GPT-4.5, GPT-5 and o
 * families (and any newer), cl100k_base for GPT-4 and GPT-3.5 — the chat models tiktoken's own
 * model table lists (Juror speaks Chat Completions, so the older completion models do not occur).
 * @example openAiEncoding('gpt-4o-mini') // 'o200k_base'
 */
export function openAiEncoding(modelId: string): Encoding {
  return /^(gpt-4|gpt-3\.5)/.test(modelId) && !/^gpt-4(o|\.\d)/.test(modelId) ? 'cl100k_base' : 'o200k_base';
}
