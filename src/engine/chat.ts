/**
 * Calls through the AI SDK under the scheduler and the cache. Judge calls ask for the answer's
 * JSON schema through the best channel the model takes — structured output, else a forced tool
 * call, else JSON mode, else plain text read by the tolerant parser — and remember per model what
 * worked. The SDK's own retries are off: the scheduler retries, so limits and backoff are shared by
 * every call to an endpoint.
 *
 * A call goes straight to the provider's model (`doGenerate` of a LanguageModelV3) with the very
 * request `generateText` would make: Juror's single-step, string-only prompts need none of its
 * prompt validation, step loop, telemetry spans or output parsing, which cost as much CPU as the
 * provider's own HTTP work. Anything else (a model given by name, a V2 model, a message that is
 * not plain text) goes through `generateText`.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  APICallError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3Content,
  type LanguageModelV3GenerateResult,
  type LanguageModelV3Prompt,
  type SharedV3Warning,
} from '@ai-sdk/provider';
import {
  generateText,
  InvalidArgumentError,
  jsonSchema,
  NoObjectGeneratedError,
  Output,
  tool,
  ToolChoiceViolationError,
  type LanguageModel,
  type ModelMessage,
} from 'ai';
import { readLogprobs, type TokenLogprob } from '../judges/logprobs.js';
import type { Chat, ChatAnswer, ChatRequest, Usage } from '../judges/run-judge.js';
import { canonicalJson } from '../canonical-json.js';
import type { ResolvedModel } from '../providers/models.js';
import { toCallSettings, type CallSettings } from '../providers/parameters.js';
import { costOf, type Price } from '../providers/prices.js';
import type { Budget } from './budget.js';
import type { AnswerCache } from './cache.js';
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
  /** Set with `maxCostUsd`: each call is priced before it is sent, and refused past the budget. */
  budget?: Budget | undefined;
}

function targetOf(resolved: ResolvedModel): Target {
  return {
    endpoint: resolved.endpoint,
    provider: resolved.ref.provider,
    uri: resolved.ref.uri,
    ...(resolved.keyEnv ? { keyEnv: resolved.keyEnv } : {}),
  };
}

/** Token counts as the AI SDK reports them (numbers) or as a V3 provider does (`{ total, … }`). */
type TokenCount = number | { total?: number | undefined } | undefined;

function usageOf(usage: { inputTokens?: TokenCount; outputTokens?: TokenCount } | undefined): Usage {
  return { inputTokens: tokens(usage?.inputTokens), outputTokens: tokens(usage?.outputTokens) };
}

function tokens(count: TokenCount): number {
  return (typeof count === 'number' ? count : count?.total) ?? 0;
}

/**
 * Answers from the cache, or calls under the scheduler. The key covers the endpoint, the model and
 * the whole request, so any change to the judge, the row or the parameters is a new call. A fresh
 * answer is cached only when the caller `keep`s it — a judge keeps answers that made a verdict, so
 * an error row is called again next time rather than replayed.
 */
async function cachedCall(
  resolved: ResolvedModel,
  context: CallContext,
  request: Record<string, unknown>,
  shared: readonly object[],
  call: (signal: AbortSignal) => Promise<{ text: string; usage: Usage; logprobs?: TokenLogprob[] | undefined }>,
  sent: { kind: 'judge' | 'model'; texts: () => string[] },
): Promise<ChatAnswer> {
  const key = context.cache ? cacheKey(resolved, request, shared) : undefined;
  if (key) {
    const hit = await context.cache!.get(key);
    if (hit) return hit;
  }
  const settle = await context.budget?.reserve(resolved, sent.kind, sent.texts());
  let costUsd = 0;
  const answer = await context.scheduler
    .call(
      targetOf(resolved),
      async (signal) => {
        const started = performance.now();
        const { text, usage, logprobs } = await call(signal);
        costUsd = costOf(resolved.ref, usage, context.prices);
        return { text, usage, costUsd, latencyMs: performance.now() - started, ...(logprobs ? { logprobs } : {}) };
      },
      () => approximateTokens(request),
    )
    .finally(() => settle?.(costUsd));
  if (!key) return answer;
  return { ...answer, keep: () => context.cache!.put(key, resolved.ref.uri, answer) };
}

/**
 * `AnswerCache.key({ endpoint, model, request })` — the hash of its canonical JSON — written without
 * encoding again the parts of the request that are the same object on every call (`shared`: the
 * answer schema, the settings), whose canonical JSON is kept.
 */
export function cacheKey(resolved: ResolvedModel, request: Record<string, unknown>, shared: readonly object[]): string {
  let members = '';
  for (const name of Object.keys(request).sort()) {
    const value = request[name];
    if (value === undefined) continue;
    const json = typeof value === 'object' && value !== null && shared.includes(value) ? canonicalOf(value) : canonicalJson(value);
    members += `${members ? ',' : ''}${JSON.stringify(name)}:${json}`;
  }
  const text = `{"endpoint":${JSON.stringify(resolved.endpoint)},"model":${JSON.stringify(resolved.ref.modelId)},"request":{${members}}}`;
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const canonicalOf = memo((value: object) => canonicalJson(value));

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
      await context.estimator.record(metric, resolved, 'judge', request.system, user);
      return { text: pretendVerdict(request.schema), usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0 };
    }
    return cachedCall(
      resolved,
      context,
      // logprobs and sample are undefined (left out of the key) for plain calls, whose keys stay as they were.
      {
        system: request.system,
        messages: request.messages,
        schema: request.schema,
        settings,
        logprobs: request.logprobs,
        sample: request.sample,
      },
      [request.schema, settings],
      async (abortSignal) => {
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
      },
      {
        kind: 'judge',
        texts: () => [
          request.system ?? '',
          ...request.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))),
          JSON.stringify(request.schema),
        ],
      },
    );
  };
}

/** The name of the structured output and of the forced tool, as the judge sees them. */
const VERDICT = 'verdict';

async function askInMode(
  mode: AnswerMode,
  resolved: ResolvedModel,
  request: ChatRequest,
  settings: CallSettings,
  abortSignal: AbortSignal,
): Promise<{ text: string; usage: Usage; logprobs?: TokenLogprob[] | undefined }> {
  const model = providerModel(resolved.model);
  const prompt = model && toPrompt(request.system, request.messages);
  // Token log-probabilities are asked for through provider options and come back in provider metadata.
  const providerOptions = request.logprobs !== undefined ? resolved.logprobs?.(request.logprobs) : undefined;
  if (model && prompt) {
    switch (mode) {
      case 'json_schema':
        return answerOf(
          await generate(model, prompt, settings, abortSignal, {
            responseFormat: { type: 'json', schema: request.schema, name: VERDICT },
            providerOptions,
          }),
        );
      case 'json_mode':
        return answerOf(await generate(model, prompt, settings, abortSignal, { responseFormat: { type: 'json' }, providerOptions }));
      case 'tool': {
        const toolChoice = { type: 'tool', toolName: VERDICT } as const;
        const result = await generate(model, prompt, settings, abortSignal, {
          tools: [
            {
              type: 'function',
              name: VERDICT,
              description: 'Record your verdict.',
              inputSchema: request.schema,
              providerOptions: undefined,
            },
          ],
          toolChoice,
          providerOptions,
        });
        const calls = result.content.filter((part) => part.type === 'tool-call');
        if (!calls.some((call) => call.toolName === VERDICT)) {
          throw new ToolChoiceViolationError({
            toolChoice,
            finishReason: result.finishReason.unified,
            provider: model.provider,
            modelId: model.modelId,
            content: result.content,
          });
        }
        return { text: toolInputText(calls[0]!), usage: usageOf(result.usage), logprobs: readLogprobs(result.providerMetadata) };
      }
      case 'text':
        return answerOf(await generate(model, prompt, settings, abortSignal, { providerOptions }));
    }
  }
  return askThroughSdk(mode, resolved, request, settings, abortSignal);
}

/** The same call through `generateText`, for models `doGenerate` is not used with. */
async function askThroughSdk(
  mode: AnswerMode,
  resolved: ResolvedModel,
  request: ChatRequest,
  settings: CallSettings,
  abortSignal: AbortSignal,
): Promise<{ text: string; usage: Usage }> {
  const base = { model: resolved.model, system: request.system, messages: request.messages, maxRetries: 0, abortSignal, ...settings };
  switch (mode) {
    case 'json_schema':
    case 'json_mode':
      try {
        const output = mode === 'json_schema' ? Output.object({ schema: jsonSchema(request.schema), name: VERDICT }) : Output.json();
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
        tools: { [VERDICT]: tool({ description: 'Record your verdict.', inputSchema: jsonSchema(request.schema) }) },
        toolChoice: { type: 'tool', toolName: VERDICT },
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

/** The provider's model when it speaks LanguageModelV3 (every model Juror resolves does). */
function providerModel(model: LanguageModel): LanguageModelV3 | undefined {
  return typeof model === 'object' && model !== null && 'doGenerate' in model && model.specificationVersion === 'v3'
    ? (model as LanguageModelV3)
    : undefined;
}

/**
 * The provider prompt `generateText` makes of a system message and plain-text user and assistant
 * messages; undefined for anything else (parts, tool messages, provider options, no message at all),
 * which `generateText` converts, or rejects, itself.
 */
function toPrompt(system: string | undefined, messages: ModelMessage[]): LanguageModelV3Prompt | undefined {
  if (messages.length === 0) return undefined;
  const prompt: LanguageModelV3Prompt = system != null ? [{ role: 'system', content: system }] : [];
  for (const message of messages) {
    if ((message.role !== 'user' && message.role !== 'assistant') || typeof message.content !== 'string' || message.providerOptions != null)
      return undefined;
    prompt.push({ role: message.role, content: [{ type: 'text', text: message.content }], providerOptions: undefined });
  }
  return prompt;
}

/** The `user-agent` suffix `generateText` sends, so that providers see the same client. */
const AI_SDK_USER_AGENT = `ai/${(createRequire(import.meta.url)('ai/package.json') as { version: string }).version}`;

/** One call of the provider's model with the options `generateText` would pass it (AI SDK 6, one step). */
async function generate(
  model: LanguageModelV3,
  prompt: LanguageModelV3Prompt,
  settings: CallSettings,
  abortSignal: AbortSignal,
  mode: Pick<LanguageModelV3CallOptions, 'responseFormat' | 'tools' | 'toolChoice' | 'providerOptions'>,
): Promise<LanguageModelV3GenerateResult> {
  checkSettings(settings);
  const result = await model.doGenerate({
    maxOutputTokens: settings.maxOutputTokens,
    temperature: settings.temperature,
    topP: settings.topP,
    topK: settings.topK,
    presencePenalty: settings.presencePenalty,
    frequencyPenalty: settings.frequencyPenalty,
    stopSequences: settings.stopSequences,
    seed: settings.seed,
    tools: mode.tools,
    toolChoice: mode.toolChoice,
    responseFormat: mode.responseFormat,
    prompt,
    providerOptions: mode.providerOptions,
    abortSignal,
    headers: { 'user-agent': AI_SDK_USER_AGENT },
  });
  if (result.warnings?.length) warnOnce(result.warnings, model);
  return result;
}

/** The answer's text (its text parts, as `generateText`'s `text`), its tokens, and its token log-probabilities when sent. */
function answerOf(result: LanguageModelV3GenerateResult): { text: string; usage: Usage; logprobs?: TokenLogprob[] | undefined } {
  let text = '';
  for (const part of result.content) if (part.type === 'text') text += part.text;
  return { text, usage: usageOf(result.usage), logprobs: readLogprobs(result.providerMetadata) };
}

/**
 * The text of a forced tool call's input as `generateText` hands it back, re-encoded: the parsed
 * input (an empty input of the verdict tool is `{}`), or the raw text when it is not JSON.
 */
function toolInputText(call: Extract<LanguageModelV3Content, { type: 'tool-call' }>): string {
  if (call.toolName === VERDICT && call.input.trim() === '') return '{}';
  try {
    return JSON.stringify(secureJsonParse(call.input));
  } catch {
    return JSON.stringify(call.input);
  }
}

const SUSPECT_PROTO =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;
const SUSPECT_CONSTRUCTOR =
  /"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"\s*:/;

/** JSON.parse refusing prototype-polluting keys, as the AI SDK parses tool inputs. */
function secureJsonParse(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || (!SUSPECT_PROTO.test(text) && !SUSPECT_CONSTRUCTOR.test(text))) return value;
  const has = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);
  for (let next: object[] = [value]; next.length;) {
    const nodes = next;
    next = [];
    for (const node of nodes) {
      const ctor = (node as { constructor?: unknown }).constructor;
      if (has(node, '__proto__') || (has(node, 'constructor') && ctor !== null && typeof ctor === 'object' && has(ctor, 'prototype'))) {
        throw new SyntaxError('Object contains forbidden prototype property');
      }
      for (const child of Object.values(node)) if (child && typeof child === 'object') next.push(child);
    }
  }
  return value;
}

/** The checks `generateText` makes of call settings before calling, with its errors. */
function checkSettings(settings: CallSettings): void {
  const { maxOutputTokens, seed } = settings;
  if (maxOutputTokens != null && !Number.isInteger(maxOutputTokens)) {
    throw new InvalidArgumentError({ parameter: 'maxOutputTokens', value: maxOutputTokens, message: 'maxOutputTokens must be an integer' });
  }
  if (maxOutputTokens != null && maxOutputTokens < 1) {
    throw new InvalidArgumentError({ parameter: 'maxOutputTokens', value: maxOutputTokens, message: 'maxOutputTokens must be >= 1' });
  }
  if (seed != null && !Number.isInteger(seed))
    throw new InvalidArgumentError({ parameter: 'seed', value: seed, message: 'seed must be an integer' });
}

/**
 * Provider warnings (an unsupported setting, say) print once per model and warning rather than on
 * every call, as the AI SDK's logger would; `globalThis.AI_SDK_LOG_WARNINGS` is honoured (false
 * silences them, a function receives them).
 */
const warned = new Set<string>();

function warnOnce(warnings: SharedV3Warning[], model: LanguageModelV3): void {
  const logger = (globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS;
  if (logger === false) return;
  const fresh = warnings.filter((warning) => {
    const key = `${model.provider}\u0000${model.modelId}\u0000${JSON.stringify(warning)}`;
    if (warned.has(key)) return false;
    warned.add(key);
    return true;
  });
  if (fresh.length === 0) return;
  if (typeof logger === 'function') {
    logger({ warnings: fresh, provider: model.provider, model: model.modelId });
    return;
  }
  const prefix = `AI SDK Warning (${model.provider} / ${model.modelId}):`;
  for (const warning of fresh) {
    const details = 'details' in warning && warning.details ? ` ${warning.details}` : '';
    console.warn(
      warning.type === 'unsupported'
        ? `${prefix} The feature "${warning.feature}" is not supported.${details}`
        : warning.type === 'compatibility'
          ? `${prefix} The feature "${warning.feature}" is used in a compatibility mode.${details}`
          : warning.type === 'other'
            ? `${prefix} ${warning.message}`
            : `${prefix} ${JSON.stringify(warning, null, 2)}`,
    );
  }
}

/** Calls the model under test with an optional system prompt and a user message; returns its text. */
export function textChat(resolved: ResolvedModel, context: CallContext, settings: CallSettings) {
  return async (system: string | undefined, prompt: string): Promise<ChatAnswer> => {
    if (context.estimator) {
      await context.estimator.record('model under test', resolved, 'model', system, prompt);
      return { text: "<the model's answer>", usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0 };
    }
    const answer = await cachedCall(
      resolved,
      context,
      { system, prompt, settings },
      [settings],
      async (abortSignal) => {
        const model = providerModel(resolved.model);
        if (model)
          return answerOf(
            await generate(model, toPrompt(system || undefined, [{ role: 'user', content: prompt }])!, settings, abortSignal, {}),
          );
        const result = await generateText({
          model: resolved.model,
          ...(system ? { system } : {}),
          prompt,
          maxRetries: 0,
          abortSignal,
          ...settings,
        });
        return { text: result.text, usage: usageOf(result.usage) };
      },
      { kind: 'model', texts: () => [system ?? '', prompt] },
    );
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
