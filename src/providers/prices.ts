/**
 * Prices in USD per million tokens, by model id prefix (the longest matching prefix wins, so dated
 * snapshots such as `gpt-4o-mini-2024-07-18` find their family). Overridable with the config's
 * `prices: { <model id>: { input, output } }`. Local servers (ollama, named endpoints) cost nothing.
 */
import type { Usage } from '../judges/run-judge.js';
import type { ModelRef } from './models.js';

/** Input and output price of a model, USD per million tokens. */
export interface Price {
  input: number;
  output: number;
}

export const PRICES: Record<string, Price> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5': { input: 1.25, output: 10 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
};

const PRICED_PROVIDERS = new Set(['openai', 'anthropic', 'google']);

/** The price of a model, from the overrides first, else the table; undefined when unknown. */
export function priceOf(ref: ModelRef, overrides?: Record<string, Price>): Price | undefined {
  const exact = overrides?.[ref.modelId] ?? overrides?.[ref.uri];
  if (exact) return exact;
  if (!PRICED_PROVIDERS.has(ref.provider)) return { input: 0, output: 0 };
  let best: string | undefined;
  for (const prefix of Object.keys(PRICES)) {
    if (ref.modelId.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  return best ? PRICES[best] : undefined;
}

/** The cost of a call in USD (0 when the model's price is unknown). */
export function costOf(ref: ModelRef, usage: Usage, overrides?: Record<string, Price>): number {
  const price = priceOf(ref, overrides);
  if (!price) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
