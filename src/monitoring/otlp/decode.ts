/**
 * An OTLP/HTTP traces request (ExportTraceServiceRequest) as spans, from protobuf or from OTLP/JSON
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: lowerCamelCase keys, trace and
 * span ids in hex, 64-bit integers as decimal strings or numbers). A body that is not such a
 * request is an InputError (400); a span whose ids or times cannot be read is rejected alone
 * and counted, as OTLP's partial success reports.
 */
import { InputError } from '../../errors.js';
import type { AttributeValue, Attributes, Span, SpanEvent } from '../span.js';
import { traceServiceTypes } from './proto.js';

/** The spans of a request, and those that could not be read. */
export interface DecodedTraces {
  spans: Span[];
  rejected: number;
  /** Why the first rejected span was rejected. */
  firstRejection?: string;
}

/** Decodes a protobuf ExportTraceServiceRequest. */
export function decodeProtobufTraces(body: Uint8Array): DecodedTraces {
  const { request } = traceServiceTypes();
  let message;
  try {
    message = request.decode(body);
  } catch (cause) {
    throw new InputError(`the body is not an OTLP ExportTraceServiceRequest in protobuf: ${(cause as Error).message}`, {
      where: { field: 'body' },
      hint: 'send what an OTLP/HTTP exporter sends (Content-Type: application/x-protobuf), or OTLP/JSON with Content-Type: application/json',
      cause,
    });
  }
  return fromRequestObject(request.toObject(message, { longs: String }));
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest. */
export function decodeJsonTraces(body: string): DecodedTraces {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new InputError(`the body is not JSON: ${(cause as Error).message}`, {
      where: { field: 'body' },
      hint: 'send an OTLP/JSON ExportTraceServiceRequest ({"resourceSpans": [...]})',
      cause,
    });
  }
  return fromRequestObject(parsed);
}

function fromRequestObject(request: unknown): DecodedTraces {
  const result: DecodedTraces = { spans: [], rejected: 0 };
  for (const [r, resourceSpans] of list(record(request, 'body'), 'resourceSpans', 'resourceSpans').entries()) {
    const at = `resourceSpans[${r}]`;
    const rs = record(resourceSpans, at);
    const resource = attributes(optionalRecord(rs.resource, `${at}.resource`)?.attributes, `${at}.resource.attributes`);
    for (const [s, scopeSpans] of list(rs, 'scopeSpans', `${at}.scopeSpans`).entries()) {
      for (const [i, raw] of list(record(scopeSpans, `${at}.scopeSpans[${s}]`), 'spans', `${at}.scopeSpans[${s}].spans`).entries()) {
        try {
          result.spans.push(span(record(raw, 'span'), resource));
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          result.rejected++;
          result.firstRejection ??= `${at}.scopeSpans[${s}].spans[${i}]: ${error.message}`;
        }
      }
    }
  }
  return result;
}

function span(raw: Record<string, unknown>, resource: Attributes): Span {
  return {
    traceId: id(raw.traceId, 16, 'traceId'),
    spanId: id(raw.spanId, 8, 'spanId'),
    parentSpanId: isEmptyId(raw.parentSpanId) ? null : id(raw.parentSpanId, 8, 'parentSpanId'),
    name: typeof raw.name === 'string' ? raw.name : '',
    startUnixNano: nanos(raw.startTimeUnixNano, 'startTimeUnixNano'),
    endUnixNano: nanos(raw.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: attributes(raw.attributes, 'attributes'),
    events: (Array.isArray(raw.events) ? raw.events : []).map((event, i): SpanEvent => {
      const e = record(event, `events[${i}]`);
      return {
        name: typeof e.name === 'string' ? e.name : '',
        timeUnixNano: nanos(e.timeUnixNano ?? 0, `events[${i}].timeUnixNano`),
        attributes: attributes(e.attributes, `events[${i}].attributes`),
      };
    }),
    resource,
  };
}

/** A trace or span id: bytes from protobuf, hex from JSON. */
function id(value: unknown, bytes: number, field: string): string {
  const hex = value instanceof Uint8Array ? Buffer.from(value).toString('hex') : typeof value === 'string' ? value.toLowerCase() : '';
  if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex) || /^0+$/.test(hex))
    throw new InputError(`${field} is not ${bytes} bytes (${bytes * 2} hex digits, not all zero)`);
  return hex;
}

function isEmptyId(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (value instanceof Uint8Array && value.length === 0);
}

function nanos(value: unknown, field: string): bigint {
  if ((typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0))
    return BigInt(value);
  throw new InputError(`${field} is not a time in nanoseconds since 1970`);
}

function attributes(value: unknown, at: string): Attributes {
  const out: Attributes = {};
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) throw new InputError(`${at} is not a list of {key, value}`, { where: { field: at } });
  for (const [i, kv] of value.entries()) {
    const entry = record(kv, `${at}[${i}]`);
    if (typeof entry.key === 'string') out[entry.key] = anyValue(entry.value, `${at}[${i}].value`);
  }
  return out;
}

function anyValue(value: unknown, at: string): AttributeValue {
  if (value === undefined || value === null) return null;
  const v = record(value, at);
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return Number(v.doubleValue);
  if (v.arrayValue)
    return (
      (optionalRecord(v.arrayValue, at)?.values as unknown[] | undefined)?.map((item, i) =>
        anyValue(item, `${at}.arrayValue.values[${i}]`),
      ) ?? []
    );
  if (v.kvlistValue) return attributes(optionalRecord(v.kvlistValue, at)?.values, `${at}.kvlistValue.values`);
  if (v.bytesValue instanceof Uint8Array) return Buffer.from(v.bytesValue).toString('base64');
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return null;
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${at} is not an object`, {
      where: { field: at },
      hint: 'send an OTLP ExportTraceServiceRequest ({"resourceSpans": [{"scopeSpans": [{"spans": [...]}]}]})',
    });
  }
  return value as Record<string, unknown>;
}

function optionalRecord(value: unknown, at: string): Record<string, unknown> | undefined {
  return value === undefined || value === null ? undefined : record(value, at);
}

function list(parent: Record<string, unknown>, key: string, at: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new InputError(`${at} is not a list`, {
      where: { field: at },
      hint: 'send an OTLP ExportTraceServiceRequest ({"resourceSpans": [{"scopeSpans": [{"spans": [...]}]}]})',
    });
  return value;
}
