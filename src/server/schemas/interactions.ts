/** Schemas of the ingest routes: `POST /api/interactions` and `GET /api/interactions`. */
import { z } from 'zod';
import { pageQuery } from './common.js';

/** One interaction as an app sends it. */
export const interactionInput = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('your id for it: an id sent again is stored once (retries are safe); default a new UUID'),
  timestamp: z.iso.datetime({ offset: true }).optional().describe('when the call started, ISO 8601 (default: when received)'),
  app: z.string().min(1).max(200).optional().describe('the app that made the call'),
  request: z.string(),
  response: z.string(),
  retrieved_context: z.array(z.string()).optional(),
  expected_response: z.string().optional(),
  model: z.string().max(200).optional(),
  input_tokens: z.number().int().min(0).optional(),
  output_tokens: z.number().int().min(0).optional(),
  latency_ms: z.number().min(0).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type InteractionInput = z.infer<typeof interactionInput>;

/** `POST /api/interactions`. */
export const ingestRequest = z.strictObject({ interactions: z.array(interactionInput).min(1).max(10_000) });
export type IngestRequest = z.infer<typeof ingestRequest>;

/** `202 { accepted }`: every interaction sent is stored (once per id) when this answers. */
export const ingestResponse = z.object({ accepted: z.number().int() });
export type IngestResponse = z.infer<typeof ingestResponse>;

/** A stored interaction. */
export const interaction = z.object({
  id: z.string(),
  app: z.string().nullable(),
  timestamp: z.string(),
  request: z.string(),
  response: z.string(),
  retrieved_context: z.array(z.string()).nullable(),
  expected_response: z.string().nullable(),
  model: z.string().nullable(),
  trace_id: z.string().nullable(),
  span_id: z.string().nullable(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  latency_ms: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  source: z.enum(['otlp', 'json']),
  received_at: z.string(),
});
export type InteractionRecord = z.infer<typeof interaction>;

/** `GET /api/interactions?app=&limit=&offset=`. */
export const interactionsQuery = z.strictObject({ app: z.string().min(1).max(200).optional(), ...pageQuery(50, 500) });
export type InteractionsQuery = z.input<typeof interactionsQuery>;

export const interactionsList = z.object({
  interactions: z.array(interaction),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type InteractionsList = z.infer<typeof interactionsList>;
