/**
 * The TypeScript ways in (issue #13): `JurorClient.logInteractions` (idempotent by id) and the
 * `jurorMonitor` AI SDK middleware over the scripted provider, which logs in the background and
 * never fails or holds the app's own call, even with Juror away.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JurorClient } from '../../src/client/index.js';
import { jurorMonitor } from '../../src/monitoring/middleware.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { STORES, startTestServer, type TestServer } from '../server/helpers.js';

let llm: LlmServer;
beforeAll(async () => {
  llm = await startLlmServer({ handler: () => ({ text: 'Hola', usage: { prompt_tokens: 5, completion_tokens: 1 } }) });
});
afterAll(() => llm.close());

describe.each(STORES.map(([name]) => name))('JurorClient.logInteractions (%s)', (storeKind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ storeKind });
  });
  afterAll(() => server.stop());

  it('stores every field, and an id sent twice once', async () => {
    const juror = new JurorClient({ baseUrl: server.url });
    const item = {
      id: 'req-1',
      app: 'rag',
      timestamp: '2026-01-02T03:04:05.000Z',
      request: 'Q?',
      response: 'A.',
      retrieved_context: ['c1', 'c2'],
      expected_response: 'A',
      metadata: { user: 'u1' },
    };
    expect(await juror.logInteractions([item, { request: 'other', response: 'x', app: 'rag' }])).toEqual({ accepted: 2 });
    expect(await juror.logInteractions([item])).toEqual({ accepted: 1 });
    const { interactions, total } = await juror.listInteractions({ app: 'rag' });
    expect(total).toBe(2);
    expect(interactions.find((i) => i.id === 'req-1')).toMatchObject({ ...item, source: 'json', trace_id: null });
  });

  it('refuses an interaction without a response, naming the field, and stores none of the batch', async () => {
    const juror = new JurorClient({ baseUrl: server.url });
    const error = await juror
      .logInteractions([{ request: 'fine', response: 'ok', app: 'bad-batch' }, { request: 'no answer', app: 'bad-batch' } as never])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, field: 'interactions[1].response' });
    expect((await juror.listInteractions({ app: 'bad-batch' })).total).toBe(0);
  });
});

describe('jurorMonitor (AI SDK middleware)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const openai = (modelId: string) => createOpenAI({ baseURL: llm.url, apiKey: 'test' }).chat(modelId);

  it('logs generate and stream calls with request, response, model and tokens', async () => {
    const monitor = jurorMonitor({ url: server.url, app: 'translator', flushIntervalMs: 60_000 });
    const model = wrapLanguageModel({ model: openai('gpt-test'), middleware: monitor });
    expect((await generateText({ model, system: 'Translate to Spanish.', prompt: 'Hello' })).text).toBe('Hola');
    const streamed = streamText({ model, prompt: 'Hi' });
    expect(await streamed.text).toBe('Hola');
    await monitor.flush();
    const { interactions } = await new JurorClient({ baseUrl: server.url }).listInteractions({ app: 'translator' });
    expect(interactions.map((i) => i.request).sort()).toEqual(['Hello', 'Hi']);
    expect(interactions.find((i) => i.request === 'Hello')).toMatchObject({
      response: 'Hola',
      model: 'gpt-test',
      input_tokens: 5,
      output_tokens: 1,
      metadata: {
        messages: [
          { role: 'system', content: 'Translate to Spanish.' },
          { role: 'user', content: 'Hello' },
        ],
      },
    });
    expect(interactions.find((i) => i.request === 'Hi')).toMatchObject({ response: 'Hola' });
  });

  it("never fails the app's call when Juror is away, and sends the queue once it is back", async () => {
    const errors: unknown[] = [];
    let up = false;
    const flaky: typeof fetch = (input, init) => (up ? fetch(input, init) : Promise.reject(new Error('connection refused')));
    const monitor = jurorMonitor({ url: server.url, app: 'resilient', batchSize: 1, fetch: flaky, onError: (e) => errors.push(e) });
    const model = wrapLanguageModel({ model: openai('gpt-test'), middleware: monitor });
    for (const prompt of ['one', 'two']) expect((await generateText({ model, prompt })).text).toBe('Hola');
    await monitor.flush();
    expect(errors.length).toBeGreaterThan(0);
    up = true;
    await monitor.flush();
    const { interactions } = await new JurorClient({ baseUrl: server.url }).listInteractions({ app: 'resilient' });
    expect(interactions.map((i) => i.request).sort()).toEqual(['one', 'two']);
  });

  it('drops the oldest beyond maxQueued and counts them', async () => {
    const monitor = jurorMonitor({ url: server.url, app: 'bounded', batchSize: 100, maxQueued: 2, flushIntervalMs: 60_000 });
    const model = wrapLanguageModel({ model: openai('gpt-test'), middleware: monitor });
    for (const prompt of ['a', 'b', 'c']) await generateText({ model, prompt });
    expect(monitor.dropped).toBe(1);
    await monitor.flush();
    const { interactions } = await new JurorClient({ baseUrl: server.url }).listInteractions({ app: 'bounded' });
    expect(interactions.map((i) => i.request).sort()).toEqual(['b', 'c']);
  });
});
