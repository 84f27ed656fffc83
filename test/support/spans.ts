/** A span for the convention tests: the attributes and events given, ids and times fixed. */
import type { Attributes, Span, SpanEvent } from '../../src/monitoring/span.js';

/** Builds a span as an exporter would decode it. */
export function testSpan(
  attributes: Attributes,
  options: { events?: Array<Omit<SpanEvent, 'timeUnixNano'>>; traceId?: string; spanId?: string; name?: string } = {},
): Span {
  return {
    traceId: options.traceId ?? 'a'.repeat(32),
    spanId: options.spanId ?? 'b'.repeat(16),
    parentSpanId: null,
    name: options.name ?? 'span',
    startUnixNano: 1_767_225_600_000_000_000n,
    endUnixNano: 1_767_225_601_250_000_000n,
    attributes,
    events: (options.events ?? []).map((e) => ({ ...e, timeUnixNano: 1_767_225_600_000_000_000n })),
    resource: { 'service.name': 'app' },
  };
}
