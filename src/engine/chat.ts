/**
 * Calls through the AI SDK under the scheduler and the cache. Judge calls ask for the answer's
 * JSON schema through the best channel the model takes — structured output, else a forced tool
 * call, else JSON mode, else plain text read by the tolerant parser — and remember per model what
 * worked. The SDK's own retries are off: the scheduler retries, so limits and backoff are shared by
 * every call to an endpoint.
 */
import { APICallError } from '@ai-sdk/provider';
import { generateText, jsonSchema, NoObjectGeneratedError, Output, tool } from 'ai';
import type { Chat, ChatAnswer, ChatRequest, Usage } from '../judges/run-judge.js';
import type { ResolvedModel } from '../providers/models.js';
import { toCallSettings, type CallSettings } from '../providers/parameters.js';
import { costOf, type Price } from '../providers/prices.js';
import { AnswerCache } from './cache.js';
import type { Estimator } from './estimate.js';
import type { Scheduler, Target } from './scheduler.js';

/** How a judge is asked for its JSON answer, best first. */
export type AnswerMode = 'json_schema' | 'tool' | 'json_mode' | 'text';
const MODES: AnswerMode[] = ['json_schema', 'tool', 'json_mode', 'text'];

/** What every call of a run shares. */
export interface CallContext {
  scheduler: Scheduler;
  cache?: AnswerCache | undefined;
  prices?: Record<string, Price> | undefined;
  /** The mode that worked per model URI, learned during the run. */
  modes: Map<string, AnswerMode>;
  /** Set for a dry run: calls are counted and priced, never sent. */
  estimator?: Estimator | undefined;
}

function targetOf(resolved: ResolvedModel): Target {
  return { endpoint: resolved.endpoint, provider: resolved.ref.provider, uri: resolved.ref.uri, ...(resolved.keyEnv ? { keyEnv: resolved.keyEnv } : {}) };
}

function usageOf(usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined): Usage {
  return { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
}

/**
 * Answers from the cache, or calls under the scheduler. The key covers the endpoint, the model and
 * the whole request, so any change to the judge, the row or the parameters is a new call. A fresh
 * answer is cached only when the caller `keep`s it — a judge keeps answers that made a verdict, so
 * an error row is called again next time rather than replayed.
 */
async function cachedCall(resolved: ResolvedModel, context: CallContext, request: unknown, call: (signal: AbortSignal) => Promise<{ text: string; usage: Usage }>): Promise<ChatAnswer> {
  const key = context.cache ? AnswerCache.key({ endpoint: resolved.endpoint, model: resolved.ref.modelId, request }) : undefined;
  if (key) {
    const hit = await context.cache!.get(key);
    if (hit) return hit;
  }
  const answer = await context.scheduler.call(
    targetOf(resolved),
    async (signal) => {
      const started = performance.now();
      const { text, usage } = await call(signal);
      return { text, usage, costUsd: costOf(resolved.ref, usage, context.prices), latencyMs: performance.now() - started };
    },
    approximateTokens(request),
  );
  if (!key) return answer;
  return { ...answer, keep: () => context.cache!.put(key, resolved.ref.uri, answer) };
}

/**
 * A judge's chat function for one resolved model; `metric` names it in estimates. Parameters are
 * checked on the first call of a dry run or a run.
 */
export function judgeChat(resolved: ResolvedModel, context: CallContext, field: string, metric: string): Chat {
  const settingsOf = memo((parameters: Record<string, unknown>) => toCallSettings(parameters, `${field}.parameters`));
  return async (request) => {
    const settings = settingsOf(request.parameters);
    if (context.estimator) {
      const user = request.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
      context.estimator.record(metric, resolved, 'judge', request.system, user);
      return { text: pretendVerdict(request.schema), usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0 };
    }
    return cachedCall(resolved, context, { system: request.system, messages: request.messages, schema: request.schema, settings }, async (abortSignal) => {
      const uri = resolved.ref.uri;
      for (let i = MODES.indexOf(context.modes.get(uri) ?? 'json_schema'); ; i++) {
        const mode = MODES[i]!;
        try {
          const answer = await askInMode(mode, resolved, request, settings, abortSignal);
          if (!context.modes.has(uri)) context.modes.set(uri, mode);
          return answer;
        } catch (error) {
          // A 400 on a mode we have not seen work is the model refusing that way of answering: try the next.
          const refused = APICallError.isInstance(error) && (error.statusCode === 400 || error.statusCode === 422);
          if (!refused || context.modes.get(uri) === mode || mode === 'text') throw error;
        }
      }
    });
  };
}

async function askInMode(mode: AnswerMode, resolved: ResolvedModel, request: ChatRequest, settings: CallSettings, abortSignal: AbortSignal): Promise<{ text: string; usage: Usage }> {
  const base = { model: resolved.model, system: request.system, messages: request.messages, maxRetries: 0, abortSignal, ...settings };
  switch (mode) {
    case 'json_schema':
    case 'json_mode':
      try {
        const output = mode === 'json_schema' ? Output.object({ schema: jsonSchema(request.schema), name: 'verdict' }) : Output.json();
        const result = await generateText({ ...base, output });
        return { text: result.text, usage: usageOf(result.usage) };
      } catch (error) {
        // The model answered, but not with valid JSON: keep its text for the tolerant parse and the re-ask.
        if (!NoObjectGeneratedError.isInstance(error)) throw error;
        return { text: error.text ?? '', usage: usageOf(error.usage) };
      }
    case 'tool': {
      const result = await generateText({
        ...base,
        tools: { verdict: tool({ description: 'Record your verdict.', inputSchema: jsonSchema(request.schema) }) },
        toolChoice: { type: 'tool', toolName: 'verdict' },
      });
      const call = result.toolCalls[0];
      return { text: call ? JSON.stringify(call.input) : result.text, usage: usageOf(result.usage) };
    }
    case 'text': {
      const result = await generateText(base);
      return { text: result.text, usage: usageOf(result.usage) };
    }
  }
}

/** Calls the model under test with an optional system prompt and a user message; returns its text. */
export function textChat(resolved: ResolvedModel, context: CallContext, settings: CallSettings) {
  return async (system: string | undefined, prompt: string): Promise<ChatAnswer> => {
    if (context.estimator) {
      context.estimator.record('model under test', resolved, 'model', system, prompt);
      return { text: '<the model\'s answer>', usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0 };
    }
    const answer = await cachedCall(resolved, context, { system, prompt, settings }, async (abortSignal) => {
      const result = await generateText({ model: resolved.model, ...(system ? { system } : {}), prompt, maxRetries: 0, abortSignal, ...settings });
      return { text: result.text, usage: usageOf(result.usage) };
    });
    // The model under test's answer is kept as it is: there is nothing to validate.
    answer.keep?.();
    return answer;
  };
}

/** A request's size in tokens for rate limiting: 4 characters a token, as providers' own estimators do. */
function approximateTokens(request: unknown): number {
  return Math.ceil(JSON.stringify(request).length / 4);
}

/** A valid answer for a dry run, so every judge's path runs to its end without a call. */
function pretendVerdict(schema: Record<string, unknown>): string {
  const score = (schema.properties as { score?: { enum?: unknown[] } } | undefined)?.score?.enum?.[0] ?? 1;
  return JSON.stringify({ justification: 'dry run', score });
}

function memo<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = fn(key)));
    return value;
  };
}
