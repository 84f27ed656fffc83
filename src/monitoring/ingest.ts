/**
 * Ingest (issue #13): interactions in, stored once per id, in one transaction per request, before
 * the request is acknowledged, whichever door they came through (OTLP spans, JSON, the SDK).
 */
import { randomUUID } from 'node:crypto';
import type { InteractionInput } from '../server/schemas/interactions.js';
import type { InteractionRepository, NewInteraction } from '../store/interactions.js';
import { interactionsFromSpans } from './from-spans.js';
import type { DecodedTraces } from './otlp/decode.js';

/** What an OTLP request gave. */
export interface TracesIngested {
  /** Interactions read from LLM spans (stored, or stored before under the same trace and span). */
  interactions: number;
  /** Spans neither LLM calls nor retrievals. */
  ignored: number;
  /** Spans that could not be read, and why the first could not. */
  rejected: number;
  rejection?: string;
}

/** Stores interactions sent as JSON; returns how many were accepted (all of them: an id sent before counts, stored once). */
export async function ingestInteractions(repository: InteractionRepository, inputs: InteractionInput[]): Promise<number> {
  const now = new Date().toISOString();
  const interactions = inputs.map((input): NewInteraction => ({
    id: input.id ?? randomUUID(),
    app: input.app ?? null,
    timestamp: input.timestamp ? new Date(input.timestamp).toISOString() : now,
    request: input.request,
    response: input.response,
    retrieved_context: input.retrieved_context ?? null,
    expected_response: input.expected_response ?? null,
    model: input.model ?? null,
    trace_id: null,
    span_id: null,
    input_tokens: input.input_tokens ?? null,
    output_tokens: input.output_tokens ?? null,
    latency_ms: input.latency_ms ?? null,
    metadata: input.metadata ?? null,
    source: 'json',
  }));
  await repository.insert(interactions);
  return interactions.length;
}

/** Stores the interactions of decoded OTLP spans, and gives late retrievals to the calls of their trace stored before. */
export async function ingestTraces(repository: InteractionRepository, decoded: DecodedTraces): Promise<TracesIngested> {
  const { interactions, lateContext, ignored } = interactionsFromSpans(decoded.spans);
  await repository.insert(interactions, lateContext);
  return {
    interactions: interactions.length,
    ignored,
    rejected: decoded.rejected,
    ...(decoded.firstRejection ? { rejection: decoded.firstRejection } : {}),
  };
}
