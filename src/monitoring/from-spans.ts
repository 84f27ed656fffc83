/**
 * Spans → interactions. Each span is read by the first convention that knows it (AI SDK,
 * OpenInference, GenAI); spans that are neither LLM calls nor retrievals are ignored and counted.
 * Retrievals become the `retrieved_context` of the LLM calls of the same trace.
 */
import type { NewInteraction } from '../store/interactions.js';
import { aiSdk } from './conventions/ai-sdk.js';
import type { Convention, LlmCall } from './conventions/call.js';
import { genAi } from './conventions/gen-ai.js';
import { openInference } from './conventions/openinference.js';
import { AttributeReader, type Span } from './span.js';

/** Most specific first: AI SDK and OpenInference spans may carry `gen_ai.*` attributes too. */
const CONVENTIONS: Convention[] = [aiSdk, openInference, genAi];

/** What a batch of spans gives. */
export interface SpansRead {
  interactions: NewInteraction[];
  /** Chunks of retrieval spans whose trace had no LLM call in this batch, by trace id (the call may be stored already). */
  lateContext: Map<string, string[]>;
  /** Spans that are neither LLM calls nor retrievals. */
  ignored: number;
}

/** Maps spans to interactions (pure: no store). */
export function interactionsFromSpans(spans: Span[]): SpansRead {
  const calls: Array<{ span: Span; call: LlmCall; metadata: Record<string, unknown> }> = [];
  const context = new Map<string, string[]>();
  let ignored = 0;
  for (const span of spans) {
    const read = readSpan(span);
    if (read?.kind === 'call') calls.push({ span, call: read.call, metadata: read.metadata });
    else if (read?.kind === 'retrieval') context.set(span.traceId, [...(context.get(span.traceId) ?? []), ...read.chunks]);
    else ignored++;
  }
  const interactions = calls.map(({ span, call, metadata }) => toInteraction(span, call, metadata, context.get(span.traceId)));
  const withCalls = new Set(calls.map((c) => c.span.traceId));
  return { interactions, lateContext: new Map([...context].filter(([trace]) => !withCalls.has(trace))), ignored };
}

function readSpan(
  span: Span,
): { kind: 'call'; call: LlmCall; metadata: Record<string, unknown> } | { kind: 'retrieval'; chunks: string[] } | undefined {
  for (const convention of CONVENTIONS) {
    const attributes = new AttributeReader(span.attributes);
    const call = convention.llmCall(span, attributes);
    if (call) return { kind: 'call', call, metadata: attributes.unread() };
    const chunks = convention.retrieval?.(span, new AttributeReader(span.attributes));
    if (chunks) return { kind: 'retrieval', chunks };
  }
  return undefined;
}

function toInteraction(span: Span, call: LlmCall, attributes: Record<string, unknown>, context: string[] | undefined): NewInteraction {
  const userMessages = call.messages.filter((m) => m.role === 'user');
  const request = userMessages.at(-1)?.content ?? call.messages.at(-1)?.content ?? '';
  // The whole conversation is kept when the request alone does not tell it (a system prompt, earlier turns).
  const metadata = { ...attributes, ...(call.messages.length > 1 ? { messages: call.messages } : {}) };
  const app = span.resource['service.name'];
  return {
    id: `${span.traceId}-${span.spanId}`,
    app: typeof app === 'string' ? app : null,
    timestamp: new Date(Number(span.startUnixNano / 1_000_000n)).toISOString(),
    request,
    response: call.response,
    retrieved_context: context && context.length > 0 ? context : null,
    expected_response: null,
    model: call.model ?? null,
    trace_id: span.traceId,
    span_id: span.spanId,
    input_tokens: call.inputTokens ?? null,
    output_tokens: call.outputTokens ?? null,
    latency_ms: span.endUnixNano >= span.startUnixNano ? Number(span.endUnixNano - span.startUnixNano) / 1e6 : null,
    metadata,
    source: 'otlp',
  };
}
