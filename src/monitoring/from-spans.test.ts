import { describe, expect, it } from 'vitest';
import { testSpan } from '../../test/support/spans.js';
import { interactionsFromSpans } from './from-spans.js';

const chat = (traceId: string, spanId: string) =>
  testSpan(
    {
      'gen_ai.input.messages': '[{"role":"user","content":"Q"}]',
      'gen_ai.output.messages': '[{"role":"assistant","content":"A"}]',
      tenant: 'acme',
    },
    { traceId, spanId },
  );
const retriever = (traceId: string, doc: string) =>
  testSpan({ 'openinference.span.kind': 'RETRIEVER', 'retrieval.documents.0.document.content': doc }, { traceId, spanId: 'c'.repeat(16) });

describe('spans → interactions', () => {
  it('maps an LLM span: id trace-span, app from service.name, start time, latency, the unread attributes as metadata', () => {
    const { interactions, ignored } = interactionsFromSpans([chat('1'.repeat(32), '2'.repeat(16))]);
    expect(ignored).toBe(0);
    expect(interactions).toEqual([
      expect.objectContaining({
        id: `${'1'.repeat(32)}-${'2'.repeat(16)}`,
        app: 'app',
        timestamp: '2026-01-01T00:00:00.000Z',
        latency_ms: 1250,
        request: 'Q',
        response: 'A',
        metadata: { tenant: 'acme' },
        retrieved_context: null,
      }),
    ]);
  });

  it('gives each call the retrievals of its own trace only, and hands on retrievals of traces without a call', () => {
    const [t1, t2, t3] = ['1'.repeat(32), '2'.repeat(32), '3'.repeat(32)];
    const read = interactionsFromSpans([
      retriever(t1, 'one'),
      chat(t1, 'a'.repeat(16)),
      chat(t2, 'b'.repeat(16)),
      retriever(t3, 'late'),
      testSpan({ 'http.route': '/x' }),
    ]);
    expect(read.interactions.map((i) => i.retrieved_context)).toEqual([['one'], null]);
    expect([...read.lateContext]).toEqual([[t3, ['late']]]);
    expect(read.ignored).toBe(1);
  });
});
