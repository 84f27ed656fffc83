/**
 * Calls through the AI SDK under the scheduler: judge calls with the answer's JSON schema as
 * structured output, and plain text calls for the model under test. The SDK's own retries are off —
 * the scheduler retries, so that limits and backoff are shared by every call to an endpoint.
 */
import { generateText, jsonSchema, NoObjectGeneratedError, Output } from 'ai';
import type { Chat, ChatAnswer, Usage } from '../judges/run-judge.js';
import type { ResolvedModel } from '../providers/models.js';
import { toCallSettings, type CallSettings } from '../providers/parameters.js';
import { costOf } from '../providers/prices.js';
import type { Scheduler, Target } from './scheduler.js';

function targetOf(resolved: ResolvedModel): Target {
  return { endpoint: resolved.endpoint, provider: resolved.ref.provider, uri: resolved.ref.uri, ...(resolved.keyEnv ? { keyEnv: resolved.keyEnv } : {}) };
}

function usageOf(usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined): Usage {
  return { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
}

/** A judge's chat function for one resolved model. Settings are checked here, before any call. */
export function judgeChat(resolved: ResolvedModel, scheduler: Scheduler, field: string, prices?: Record<string, { input: number; output: number }>): Chat {
  const settingsCache = new Map<Record<string, unknown>, CallSettings>();
  return (request) =>
    scheduler.call(targetOf(resolved), async (abortSignal): Promise<ChatAnswer> => {
      let settings = settingsCache.get(request.parameters);
      if (!settings) settingsCache.set(request.parameters, (settings = toCallSettings(request.parameters, field)));
      const started = performance.now();
      let text: string;
      let usage: Usage;
      try {
        const result = await generateText({
          model: resolved.model,
          system: request.system,
          messages: request.messages,
          output: Output.object({ schema: jsonSchema(request.schema), name: 'verdict' }),
          maxRetries: 0,
          abortSignal,
          ...settings,
        });
        text = result.text;
        usage = usageOf(result.usage);
      } catch (error) {
        // The model answered, but not with valid JSON: keep its text for the tolerant parse and re-ask.
        if (!NoObjectGeneratedError.isInstance(error)) throw error;
        text = error.text ?? '';
        usage = usageOf(error.usage);
      }
      return { text, usage, costUsd: costOf(resolved.ref, usage, prices), latencyMs: performance.now() - started };
    });
}

/** Calls the model under test with an optional system prompt and a user message; returns its text. */
export function textChat(resolved: ResolvedModel, scheduler: Scheduler, settings: CallSettings, prices?: Record<string, { input: number; output: number }>) {
  return (system: string | undefined, prompt: string): Promise<ChatAnswer> =>
    scheduler.call(targetOf(resolved), async (abortSignal) => {
      const started = performance.now();
      const result = await generateText({ model: resolved.model, ...(system ? { system } : {}), prompt, maxRetries: 0, abortSignal, ...settings });
      const usage = usageOf(result.usage);
      return { text: result.text, usage, costUsd: costOf(resolved.ref, usage, prices), latencyMs: performance.now() - started };
    });
}
