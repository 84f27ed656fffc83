/**
 * Traffic in over OTLP/HTTP (issue #13) with the official OpenTelemetry exporter and SDK, not
 * hand-made payloads: spans as apps emit them (GenAI conventions, OpenInference retrievals, the AI
 * SDK's telemetry on the scripted provider) become interactions; bad bodies store nothing.
 */
import { gzipSync } from 'node:zlib';
import { createOpenAI } from '@ai-sdk/openai';
import { trace, context as otelContext, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { traceServiceTypes } from '../../src/monitoring/otlp/proto.js';
import { ApiTokenRepository } from '../../src/store/api-tokens.js';
import { serverDb } from '../../src/store/server-tables.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let server: TestServer;
let llm: LlmServer;
beforeAll(async () => {
  server = await startTestServer({ maxIngestBytes: 64 * 1024 });
  llm = await startLlmServer();
});
afterAll(async () => {
  await server.stop();
  await llm.close();
});
beforeEach(async () => {
  await serverDb(server.store).withTables<{ interactions: { id: string } }>().deleteFrom('interactions').execute();
});

/** A tracer provider exporting to the server with the official OTLP/HTTP protobuf exporter. */
function exportingTracer(options: { service: string; gzip?: boolean; token?: string }): {
  tracer: Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
} {
  const exporter = new OTLPTraceExporter({
    url: `${server.url}/api/otlp/v1/traces`,
    ...(options.gzip ? { compression: CompressionAlgorithm.GZIP } : {}),
    ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('test'), flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

/** The interactions stored, newest first. */
async function stored(app?: string) {
  const { status, body } = await server.call('GET', `/api/interactions?limit=500${app ? `&app=${app}` : ''}`);
  expect(status).toBe(200);
  return body.interactions as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A RAG request as an app instrumented by hand writes it: a retrieval span and a GenAI chat span under one root. */
function ragTrace(tracer: Tracer, question: string, answer: string): void {
  const root = tracer.startSpan('POST /chat');
  const ctx = trace.setSpan(otelContext.active(), root);
  const retrieval = tracer.startSpan(
    'retrieve',
    {
      attributes: {
        'openinference.span.kind': 'RETRIEVER',
        'retrieval.documents.0.document.content': 'Paris is the capital of France.',
        'retrieval.documents.1.document.content': 'France is in Europe.',
      },
    },
    ctx,
  );
  retrieval.end();
  const chat = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Answer from the context.' }]),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' },
        ]),
        'user.tier': 'gold',
      },
    },
    ctx,
  );
  chat.end();
  root.end();
}

describe('POST /api/otlp/v1/traces with the official exporter', () => {
  it('stores a GenAI chat span as an interaction with the retrieval of its trace as context, and ignores the HTTP span', async () => {
    const { tracer, shutdown } = exportingTracer({ service: 'rag-bot' });
    ragTrace(tracer, 'What is the capital of France?', 'Paris.');
    await shutdown();
    const [interaction, ...others] = await stored();
    expect(others).toEqual([]);
    expect(interaction).toMatchObject({
      app: 'rag-bot',
      request: 'What is the capital of France?',
      response: 'Paris.',
      retrieved_context: ['Paris is the capital of France.', 'France is in Europe.'],
      model: 'gpt-4o-mini-2024-07-18',
      input_tokens: 42,
      output_tokens: 7,
      source: 'otlp',
      metadata: {
        'gen_ai.operation.name': 'chat',
        'user.tier': 'gold',
        messages: [
          { role: 'system', content: 'Answer from the context.' },
          { role: 'user', content: 'What is the capital of France?' },
        ],
      },
    });
    expect(interaction!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(interaction!.id).toBe(`${interaction!.trace_id}-${interaction!.span_id}`);
    expect(interaction!.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('reads gzip bodies, the older gen_ai.prompt.N / completion.N attributes and gen_ai.* span events', async () => {
    const { tracer, shutdown } = exportingTracer({ service: 'legacy', gzip: true });
    tracer
      .startSpan('openai.chat', {
        attributes: {
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-3.5-turbo',
          'gen_ai.prompt.0.role': 'system',
          'gen_ai.prompt.0.content': 'Be brief.',
          'gen_ai.prompt.1.role': 'user',
          'gen_ai.prompt.1.content': 'Hi?',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.content': 'Hello.',
          'gen_ai.usage.prompt_tokens': 9,
          'gen_ai.usage.completion_tokens': 2,
        },
      })
      .end();
    const withEvents = tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude' } });
    withEvents.addEvent('gen_ai.user.message', { content: 'Translate: chat' });
    withEvents.addEvent('gen_ai.choice', {
      index: 0,
      message: JSON.stringify({ role: 'assistant', content: 'cat' }),
      finish_reason: 'stop',
    });
    withEvents.end();
    await shutdown();
    const byModel = Object.fromEntries((await stored('legacy')).map((i) => [i.model, i]));
    expect(byModel['gpt-3.5-turbo']).toMatchObject({ request: 'Hi?', response: 'Hello.', input_tokens: 9, output_tokens: 2 });
    expect(byModel['claude']).toMatchObject({ request: 'Translate: chat', response: 'cat' });
  });

  it('stores each LLM call of the AI SDK telemetry (doGenerate spans) on the scripted provider', async () => {
    llm.setHandler(() => ({ text: 'Bonjour', usage: { prompt_tokens: 11, completion_tokens: 3 } }));
    const { tracer, shutdown } = exportingTracer({ service: 'translator' });
    const openai = createOpenAI({ baseURL: llm.url, apiKey: 'test' });
    const { text } = await generateText({
      model: openai.chat('gpt-test'),
      system: 'Translate into French.',
      prompt: 'Hello',
      experimental_telemetry: { isEnabled: true, tracer, functionId: 'translate' },
    });
    expect(text).toBe('Bonjour');
    await shutdown();
    const interactions = await stored('translator');
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({
      request: 'Hello',
      response: 'Bonjour',
      model: 'gpt-test',
      input_tokens: 11,
      output_tokens: 3,
      retrieved_context: null,
    });
    expect(interactions[0]!.metadata.messages).toEqual([
      { role: 'system', content: 'Translate into French.' },
      { role: 'user', content: 'Hello' },
    ]);
  });

  it('stores a retried export once', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'retry' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    ragTrace(provider.getTracer('t'), 'Q', 'A');
    const body = JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!;
    for (let i = 0; i < 3; i++)
      expect(
        (
          await server.call('POST', '/api/otlp/v1/traces', {
            body: Buffer.from(body).toString('utf8'),
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      ).toBe(200);
    expect(await stored('retry')).toHaveLength(1);
  });
});

describe('POST /api/otlp/v1/traces: OTLP/JSON and faults', () => {
  /** OTLP/JSON of real SDK spans, as the JSON exporter serializes them. */
  function jsonExport(): {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; traceId?: string; spanId?: string }> }> }>;
  } {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'json-app' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    ragTrace(provider.getTracer('t'), 'Why?', 'Because.');
    return JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!).toString('utf8'));
  }
  const post = (body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}/api/otlp/v1/traces`, { method: 'POST', body, headers });

  it('answers an ExportTraceServiceResponse in JSON and stores the call', async () => {
    const response = await post(JSON.stringify(jsonExport()), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(response.headers.get('x-juror-ignored-spans')).toBe('1');
    expect(await stored('json-app')).toMatchObject([
      { request: 'Why?', response: 'Because.', retrieved_context: ['Paris is the capital of France.', 'France is in Europe.'] },
    ]);
  });

  it('gives a call stored earlier the retrieval of its trace that comes in a later export', async () => {
    const request = jsonExport();
    const scope = request.resourceSpans[0]!.scopeSpans[0]!;
    const retrieval = scope.spans.filter((s) => s.name === 'retrieve');
    scope.spans = scope.spans.filter((s) => s.name !== 'retrieve');
    expect((await post(JSON.stringify(request), { 'content-type': 'application/json' })).status).toBe(200);
    expect(await stored('json-app')).toMatchObject([{ retrieved_context: null }]);
    scope.spans = retrieval;
    expect((await post(JSON.stringify(request), { 'content-type': 'application/json' })).status).toBe(200);
    expect(await stored('json-app')).toMatchObject([
      { request: 'Why?', retrieved_context: ['Paris is the capital of France.', 'France is in Europe.'] },
    ]);
  });

  it('reports a span it cannot read as a partial success and stores the rest', async () => {
    const request = jsonExport();
    const spans = request.resourceSpans[0]!.scopeSpans[0]!.spans;
    const chat = spans.find((s) => s.name.startsWith('chat'))!;
    spans.push({ ...chat, traceId: 'not-hex', spanId: 'abcd' });
    const response = await post(JSON.stringify(request), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe(1);
    expect(body.partialSuccess.errorMessage).toContain('traceId');
    expect(await stored('json-app')).toHaveLength(1);
  });

  it('answers 400 to bodies that are not OTLP (a google.rpc.Status to protobuf requests, as OTLP says), and stores nothing', async () => {
    for (const body of [Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), Buffer.from('hello, not protobuf')]) {
      const response = await post(body, { 'content-type': 'application/x-protobuf' });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/x-protobuf');
      const { message } = traceServiceTypes().status.decode(new Uint8Array(await response.arrayBuffer())) as unknown as { message: string };
      expect(message).toContain('not an OTLP ExportTraceServiceRequest');
    }
    for (const body of ['{"resourceSpans": ', '{"resourceSpans": 3}', '[1, 2]']) {
      const response = await post(body, { 'content-type': 'application/json' });
      const text = await response.text();
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(JSON.parse(text)).toMatchObject({ error: 'bad_request', message: expect.any(String), field: expect.any(String) });
    }
    expect((await post(Buffer.from('plain'), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(Buffer.from('x'), { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post('x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect(await stored()).toEqual([]);
  });

  it('answers 413 over the size limit, counted after gunzip (a small gzip of a large body too)', async () => {
    const large = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(100 * 1024) });
    const plain = await post(large, { 'content-type': 'application/json' });
    expect(plain.status).toBe(413);
    expect(await plain.json()).toMatchObject({ error: 'payload_too_large', hint: expect.stringContaining('--max-ingest-mb') });
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await post(bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(413);
    expect(await stored()).toEqual([]);
  });
});

describe('ingest tokens (--auth)', () => {
  let secured: TestServer;
  let ingestToken: string;
  let fullToken: string;
  beforeAll(async () => {
    secured = await startTestServer({ auth: true });
    const tokens = new ApiTokenRepository(serverDb(secured.store));
    ingestToken = (await tokens.create('collector', 'ingest')).token;
    fullToken = (await tokens.create('admin')).token;
  });
  afterAll(() => secured.stop());

  it('lets a token of scope ingest send traffic in and read nothing (403), and refuses ingest without a token (401)', async () => {
    const body = { interactions: [{ request: 'q', response: 'a' }] };
    expect((await secured.call('POST', '/api/interactions', { body })).status).toBe(401);
    expect((await secured.call('POST', '/api/interactions', { body, token: ingestToken })).status).toBe(202);
    for (const [method, path] of [
      ['GET', '/api/interactions'],
      ['GET', '/api/runs'],
      ['POST', '/api/runs'],
      ['GET', '/api/openapi.json'],
      ['GET', '/api/no-such-route'],
    ] as const) {
      const response = await secured.call(method, path, { token: ingestToken, ...(method === 'POST' ? { body: {} } : {}) });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.body).toMatchObject({ error: 'forbidden', field: 'authorization', hint: expect.stringContaining('--scope') });
    }
    const listed = await secured.call('GET', '/api/interactions', { token: fullToken });
    expect(listed.body.interactions).toMatchObject([{ request: 'q', response: 'a' }]);
  });
});
