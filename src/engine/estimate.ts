/**
 * `--dry-run`: the run goes through its real rendering path (every judge, every chunk), but each
 * call is counted and priced instead of sent. Input tokens are counted with js-tiktoken for OpenAI
 * models (in linear time: count-tokens.ts) and approximated (4 characters a token) for others;
 * output tokens are an assumption. The budget of `--max-cost` counts each call the same way.
 */
import type { Tiktoken } from 'js-tiktoken/lite';
import type { ResolvedModel } from '../providers/models.js';
import { priceOf, type Price } from '../providers/prices.js';
import { loadEncoding, openAiEncoding } from '../providers/tokenizers.js';
import { countTokens } from './count-tokens.js';

/** Output tokens assumed per call, since no answer exists yet. */
export const ASSUMED_OUTPUT_TOKENS = { judge: 80, model: 150 } as const;

/** Calls tokenized exactly per model before switching to the measured characters-per-token ratio. */
const EXACT_CALLS = 2000;

/** The estimate for one metric or for the model under test. */
export interface CallEstimate {
  name: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** null when the model's price is unknown. */
  costUsd: number | null;
  tokenizer: string;
}

export class Estimator {
  readonly samples = new Map<string, { system?: string; user: string }>();
  private readonly totals = new Map<
    string,
    CallEstimate & { chars: number; exactChars: number; exactTokens: number; exactCalls: number }
  >();

  constructor(private readonly prices?: Record<string, Price>) {}

  /** Counts one call; returns the answer a dry run pretends to get. */
  async record(name: string, resolved: ResolvedModel, kind: 'judge' | 'model', system: string | undefined, user: string): Promise<void> {
    if (!this.samples.has(name)) this.samples.set(name, { ...(system !== undefined ? { system } : {}), user });
    const text = (system ?? '') + '\n' + user;
    const encoder = await encoderFor(resolved);
    let total = this.totals.get(name);
    if (!total) {
      total = {
        name,
        model: resolved.ref.uri,
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        tokenizer: encoder ? 'tiktoken' : 'approximate (4 characters a token)',
        chars: 0,
        exactChars: 0,
        exactTokens: 0,
        exactCalls: 0,
      };
      this.totals.set(name, total);
    }
    total.calls++;
    total.chars += text.length;
    total.outputTokens += ASSUMED_OUTPUT_TOKENS[kind];
    if (encoder && total.exactCalls < EXACT_CALLS) {
      total.exactCalls++;
      total.exactChars += text.length;
      total.exactTokens += countTokens(encoder, text);
    }
  }

  /** The estimates, per metric and for the model under test. */
  report(): CallEstimate[] {
    return [...this.totals.values()].map((t) => {
      const ratio = t.exactChars > 0 ? t.exactTokens / t.exactChars : 0.25;
      const inputTokens = Math.round(t.chars * ratio);
      const price = priceOf({ provider: t.model.split(':')[0]!, modelId: t.model.replace(/^[^:]+:\/?/, ''), uri: t.model }, this.prices);
      return {
        name: t.name,
        model: t.model,
        calls: t.calls,
        inputTokens,
        outputTokens: t.outputTokens,
        costUsd: price ? (inputTokens * price.input + t.outputTokens * price.output) / 1_000_000 : null,
        tokenizer: t.tokenizer,
      };
    });
  }
}

/**
 * Input tokens of a request to `resolved`: counted with its tiktoken encoding for OpenAI models,
 * 4 characters a token for others (whose tokenizers are not public).
 */
export async function inputTokensOf(resolved: ResolvedModel, text: string): Promise<number> {
  const encoder = await encoderFor(resolved);
  return encoder ? countTokens(encoder, text) : Math.ceil(text.length / 4);
}

/** The encoding of an OpenAI model, or undefined for other providers. */
function encoderFor(resolved: ResolvedModel): Promise<Tiktoken> | undefined {
  return resolved.ref.provider === 'openai' ? loadEncoding(openAiEncoding(resolved.ref.modelId)) : undefined;
}
