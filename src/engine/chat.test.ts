/**
 * Juror calls providers' models directly (`doGenerate`) rather than through `generateText`: these
 * tests hold the two to the same HTTP requests and the same answers, per provider and answer mode.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError } from '@ai-sdk/provider';
import { generateText, jsonSchema, NoObjectGeneratedError, Output, tool, type LanguageModel, type ModelMessage } from 'ai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatRequest } from '../judges/run-judge.js';
import type { ResolvedModel } from '../providers/models.js';
import { toCallSettings, type CallSettings } from '../providers/parameters.js';
import { AnswerCache } from './cache.js';
import { cacheKey, judgeChat, textChat, type AnswerMode, type CallContext } from './chat.js';
import { Scheduler } from './scheduler.js';

type Reply = { text: string } | { tool: { name: string; input: string } } | { status: number };
interface Sent {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A provider's wire format: its answer for a reply, given the request body. */
type Wire = (reply: Reply, body: Record<string, unknown>) => unknown;

const usage = { in: 17, out: 9 };

const openaiWire: Wire = (reply) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'judge',
  choices: [
    'tool' in reply
      ? {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: reply.tool.name, arguments: reply.tool.input } }],
          },
          finish_reason: 'tool_calls',
        }
      : { index: 0, message: { role: 'assistant', content: (reply as { text: string }).text }, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: usage.in, completion_tokens: usage.out, total_tokens: usage.in + usage.out },
});

const anthropicWire: Wire = (reply, body) => {
  // Structured output through the provider's `json` tool comes back as that tool's call.
  const jsonTool = (body.tools as Array<{ name: string }> | undefined)?.some((t) => t.name === 'json') && 'text' in reply;
  const content =
    'tool' in reply
      ? [{ type: 'tool_use', id: 'toolu_1', name: reply.tool.name, input: JSON.parse(reply.tool.input || '{}') }]
      : jsonTool
        ? [{ type: 'tool_use', id: 'toolu_1', name: 'json', input: JSON.parse((reply as { text: string }).text) }]
        : [{ type: 'text', text: (reply as { text: string }).text }];
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'judge',
    content,
    stop_reason: 'tool' in reply || jsonTool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.in, output_tokens: usage.out },
  };
};

const googleWire: Wire = (reply) => ({
  candidates: [
    {
      content: {
        role: 'model',
        parts: [
          'tool' in reply
            ? { functionCall: { name: reply.tool.name, args: JSON.parse(reply.tool.input || '{}') } }
            : { text: (reply as { text: string }).text },
        ],
      },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: usage.in, candidatesTokenCount: usage.out, totalTokenCount: usage.in + usage.out },
});

/** A fetch that records each request and answers from `replies` in turn. */
function fakeFetch(wire: Wire, replies: Reply[], sent: Sent[]): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    sent.push({ url: String(url), headers: Object.fromEntries(new Headers(init?.headers).entries()), body });
    const reply = replies.shift() ?? { text: '{}' };
    if ('status' in reply)
      return new Response(JSON.stringify({ error: { message: `scripted ${reply.status}`, type: 'invalid_request_error' } }), {
        status: reply.status,
        headers: { 'content-type': 'application/json' },
      });
    return new Response(JSON.stringify(wire(reply, body)), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

const providers: Record<string, { wire: Wire; model: (f: typeof fetch) => LanguageModel }> = {
  openai: { wire: openaiWire, model: (fetch) => createOpenAI({ apiKey: 'k', baseURL: 'http://judge.test/v1', fetch }).chat('judge') },
  compatible: {
    wire: openaiWire,
    model: (fetch) =>
      createOpenAICompatible({
        name: 'local',
        baseURL: 'http://judge.test/v1',
        apiKey: 'k',
        includeUsage: true,
        supportsStructuredOutputs: true,
        fetch,
      }).chatModel('judge'),
  },
  anthropic: {
    wire: anthropicWire,
    model: (fetch) => createAnthropic({ apiKey: 'k', baseURL: 'http://judge.test/v1', fetch })('claude-3-5-haiku-latest'),
  },
  google: {
    wire: googleWire,
    model: (fetch) => createGoogleGenerativeAI({ apiKey: 'k', baseURL: 'http://judge.test/v1', fetch })('gemini-2.0-flash'),
  },
};

const schema = {
  type: 'object',
  properties: { justification: { type: 'string', description: 'Your reasoning.' }, score: { type: 'integer', enum: [1, 2, 3, 4, 5] } },
  required: ['justification', 'score'],
  additionalProperties: false,
};

const conversation: ModelMessage[] = [
  { role: 'user', content: 'Grade this output.' },
  { role: 'assistant', content: 'not json' },
  { role: 'user', content: 'Your answer could not be used: try again.' },
];

/** What Juror did through `generateText` before it called models directly. */
async function viaGenerateText(
  mode: AnswerMode,
  model: LanguageModel,
  request: ChatRequest,
  settings: CallSettings,
): Promise<{ text: string; usage: { inputTokens: number; outputTokens: number } }> {
  const usageOf = (u: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined) => ({
    inputTokens: u?.inputTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
  });
  const base = { model, system: request.system, messages: request.messages, maxRetries: 0, ...settings };
  switch (mode) {
    case 'json_schema':
    case 'json_mode':
      try {
        const result = await generateText({
          ...base,
          output: mode === 'json_schema' ? Output.object({ schema: jsonSchema(request.schema), name: 'verdict' }) : Output.json(),
        });
        return { text: result.text, usage: usageOf(result.usage) };
      } catch (error) {
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

function context(mode: AnswerMode): CallContext {
  return { scheduler: new Scheduler({ retry: { maxRetries: 0 } }), modes: new Map([['test:/judge', mode]]) };
}

function resolved(model: LanguageModel): ResolvedModel {
  return { ref: { provider: 'test', modelId: 'judge', uri: 'test:/judge' }, model, endpoint: 'test|judge|' };
}

/** Both ways, each with its own fetch; returns the requests and answers (or errors) of each. */
async function both(provider: string, mode: AnswerMode, request: ChatRequest, replies: Reply[]) {
  const { wire, model } = providers[provider]!;
  const settings = toCallSettings(request.parameters);
  const run = async (call: (m: LanguageModel) => Promise<{ text: string; usage: unknown }>) => {
    const sent: Sent[] = [];
    const m = model(fakeFetch(wire, [...replies], sent));
    try {
      const answer = await call(m);
      return { sent, answer: { text: answer.text, usage: answer.usage } };
    } catch (error) {
      const e = (error as Error & { cause?: Error }).cause ?? (error as Error);
      return { sent, error: { name: e.name, message: e.message, status: APICallError.isInstance(e) ? e.statusCode : undefined } };
    }
  };
  const before = await run((m) => viaGenerateText(mode, m, request, settings));
  const after = await run(async (m) => {
    const answer = await judgeChat(resolved(m), context(mode), 'judge', 'metric')(request);
    return { text: answer.text, usage: answer.usage };
  });
  return { before, after };
}

// Providers warn about settings they ignore (Anthropic's seed, say); the tests need not print them.
const logWarnings = globalThis as { AI_SDK_LOG_WARNINGS?: unknown };
beforeEach(() => (logWarnings.AI_SDK_LOG_WARNINGS = false));
afterEach(() => {
  delete logWarnings.AI_SDK_LOG_WARNINGS;
  vi.restoreAllMocks();
});

describe('judge calls straight to the provider model', () => {
  const request = (parameters: Record<string, unknown> = {}, messages = conversation): ChatRequest => ({
    system: 'You are an impartial judge.',
    messages,
    schema,
    parameters,
  });
  const verdict = JSON.stringify({ justification: 'fine', score: 4 });

  for (const provider of Object.keys(providers)) {
    for (const mode of ['json_schema', 'tool', 'json_mode', 'text'] as AnswerMode[]) {
      it(`${provider}, ${mode}: the same request, text and usage as generateText`, async () => {
        const reply: Reply = mode === 'tool' ? { tool: { name: 'verdict', input: verdict } } : { text: verdict };
        const { before, after } = await both(
          provider,
          mode,
          request({ temperature: 0, max_tokens: 300, top_p: 0.9, seed: 7, stop: ['END'] }),
          [reply],
        );
        expect(before.error).toBeUndefined();
        expect(before.sent).toHaveLength(1);
        expect(after.sent).toEqual(before.sent);
        expect(after.answer).toEqual(before.answer);
        expect(after.answer!.usage).toEqual({ inputTokens: usage.in, outputTokens: usage.out });
      });
    }
  }

  it('a JSON-mode answer that is not JSON is the text for the tolerant parse', async () => {
    for (const mode of ['json_schema', 'json_mode'] as AnswerMode[]) {
      const { before, after } = await both('openai', mode, request(), [{ text: 'Score: 4\nJustification: fine' }]);
      expect(after).toEqual(before);
      expect(after.answer!.text).toBe('Score: 4\nJustification: fine');
    }
  });

  it('tool inputs: pretty JSON re-encoded, an empty input, broken JSON, a prototype key, another tool, no tool call', async () => {
    const replies: Reply[] = [
      { tool: { name: 'verdict', input: '{ "justification": "ok",\n "score": 5 }' } },
      { tool: { name: 'verdict', input: '' } },
      { tool: { name: 'verdict', input: '{"justification": "ok", "score": ' } },
      { tool: { name: 'verdict', input: '{"__proto__": {"x": 1}, "justification": "ok", "score": 5}' } },
      { tool: { name: 'other', input: '{"score": 5}' } },
      { text: verdict },
    ];
    for (const reply of replies) {
      const { before, after } = await both('openai', 'tool', request(), [reply]);
      expect(after).toEqual(before);
    }
  });

  it('the model under test: the same request and answer, with and without a system prompt', async () => {
    for (const system of ['Translate to French.', undefined]) {
      const settings = toCallSettings({ temperature: 0.2 });
      const run = async (call: (m: LanguageModel) => Promise<{ text: string; usage: unknown }>) => {
        const sent: Sent[] = [];
        const answer = await call(providers.openai!.model(fakeFetch(openaiWire, [{ text: 'Bonjour' }], sent)));
        return { sent, text: answer.text, usage: answer.usage };
      };
      const before = await run(async (model) => {
        const result = await generateText({ model, ...(system ? { system } : {}), prompt: 'Hello', maxRetries: 0, ...settings });
        return { text: result.text, usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens } };
      });
      const after = await run((model) => textChat(resolved(model), context('text'), settings)(system, 'Hello'));
      expect(after).toEqual(before);
    }
  });

  it('provider errors propagate as the provider threw them, so the capability fallback still steps down', async () => {
    const { before, after } = await both('openai', 'text', request(), [{ status: 422 }]);
    expect(after.error).toEqual(before.error);
    expect(after.error?.status).toBe(422);
    // Not yet knowing what the model takes, a 400 on structured output moves on to a forced tool call.
    const sent: Sent[] = [];
    const model = providers.openai!.model(fakeFetch(openaiWire, [{ status: 400 }, { tool: { name: 'verdict', input: verdict } }], sent));
    const calls: CallContext = { scheduler: new Scheduler({ retry: { maxRetries: 0 } }), modes: new Map() };
    const answer = await judgeChat(resolved(model), calls, 'judge', 'metric')(request());
    expect(answer.text).toBe(verdict);
    expect(sent.map((s) => ('tools' in (s.body as object) ? 'tool' : 'json_schema'))).toEqual(['json_schema', 'tool']);
    expect(calls.modes.get('test:/judge')).toBe('tool');
  });

  it('settings the AI SDK refuses are refused alike, without a call', async () => {
    for (const parameters of [{ max_tokens: 1.5 }, { max_tokens: 0 }, { seed: 0.5 }]) {
      const { before, after } = await both('openai', 'json_schema', request(parameters), [{ text: verdict }]);
      expect(after.error).toEqual(before.error);
      expect(after.error?.name).toBe('AI_InvalidArgumentError');
      expect(after.sent).toEqual([]);
    }
  });

  it('messages that are not plain text go through generateText', async () => {
    const parts: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Grade this.' }] }];
    const { before, after } = await both('openai', 'json_schema', request({}, parts), [{ text: verdict }]);
    expect(after).toEqual(before);
  });

  it('prints a provider warning once, not on every call', async () => {
    delete logWarnings.AI_SDK_LOG_WARNINGS;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    // OpenAI's chat models take no top_k: the provider warns on each call that sets it.
    const model = providers.openai!.model(fakeFetch(openaiWire, [{ text: verdict }, { text: verdict }, { text: verdict }], []));
    const chat = judgeChat(resolved(model), context('json_schema'), 'judge', 'metric');
    for (let i = 0; i < 3; i++) await chat(request({ top_k: 5 }));
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('topK');
  });
});

describe('cache keys', () => {
  it('are AnswerCache.key of the endpoint, the model and the request, shared parts or not', () => {
    const model = resolved('unused' as LanguageModel);
    const settings = toCallSettings({ temperature: 0, stop: ['a', 'b'], max_tokens: 5 });
    const requests: Array<[Record<string, unknown>, object[]]> = [
      [{ system: 'You judge.', messages: conversation, schema, settings }, [schema, settings]],
      [{ system: 'You judge.', messages: conversation, schema, settings }, []],
      [{ system: '', messages: [{ role: 'user', content: 'ünïcödé "quoted" \\ \u2028' }], schema: { ...schema }, settings: {} }, [schema]],
      [{ system: undefined, prompt: 'Hello', settings }, [settings]],
      [{ system: 'Translate.', prompt: '', settings: {} }, []],
    ];
    for (const [request, shared] of requests) {
      // Twice: the second time from the kept JSON of the shared parts.
      for (let i = 0; i < 2; i++)
        expect(cacheKey(model, request, shared)).toBe(AnswerCache.key({ endpoint: model.endpoint, model: model.ref.modelId, request }));
    }
  });
});
