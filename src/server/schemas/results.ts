/** Schemas of a run's results: paged rows and one row in full. */
import { z } from 'zod';
import { pageQuery, queryFlag } from './common.js';

export const resultsQuery = z.strictObject({
  ...pageQuery(50, 500),
  metric: z.string().min(1).optional().describe('the metric max_score and errors_only look at (`name/version`, or `name` when unique)'),
  max_score: z.coerce.number().optional().describe('rows whose `metric` value is at most this; needs `metric`'),
  errors_only: queryFlag.optional().describe('rows with an error (in `metric`, or in any metric)'),
  sort: z
    .string()
    .regex(/^-?[^-]/, 'must be a metric name, or a metric name after -')
    .optional()
    .describe(
      '`<metric>` sorts by its value ascending, `-<metric>` is the exact reverse; rows without a value last. Default: dataset order',
    ),
});
/** The query as a client gives it: every parameter optional, typed as parsed. */
export type ResultsQuery = Partial<z.output<typeof resultsQuery>>;

export const resultSummary = z.object({
  value: z.number().nullable(),
  score: z.string().nullable(),
  label: z.string().nullable(),
  justification: z.string().nullable(),
  error: z.string().nullable(),
});

export const resultsPage = z.object({
  run_id: z.string(),
  total: z.number().int().describe('rows matching the filters'),
  offset: z.number().int(),
  limit: z.number().int(),
  metrics: z.array(z.string()),
  rows: z.array(
    z.object({
      row_index: z.number().int(),
      record: z.record(z.string(), z.unknown()),
      outputs: z.string().nullable().describe("the model under test's answer, when the run had one"),
      model_error: z.string().nullable(),
      results: z.record(z.string(), resultSummary).describe('by metric (`name/version`)'),
    }),
  ),
});
export type ResultsPage = z.infer<typeof resultsPage>;

export const rowParams = z.strictObject({ id: z.string().min(1).max(200), row: z.coerce.number().int().min(0) });

const panelVerdict = z.object({
  model: z.string(),
  sample: z.number().int().optional().describe('1-based, when the judge samples'),
  value: z.number().optional(),
  score: z.union([z.number(), z.string()]).optional(),
  label: z.string().optional(),
  justification: z.string().optional(),
  distribution: z.record(z.string(), z.number()).optional().describe('probability of each score (scoring: logprobs)'),
  chunks: z.unknown().optional().describe('per-chunk verdicts (RETRIEVAL)'),
  error: z.string().optional(),
});

/** A jury's, samples' or logprob call's verdicts behind a row's value (judges/jury.ts Panel). */
export const panel = z
  .object({
    kind: z.enum(['jury', 'samples', 'single']),
    aggregate: z.enum(['majority', 'mean', 'median']).optional(),
    level: z
      .enum(['nominal', 'interval'])
      .describe('nominal: votes (spread = share disagreeing); interval: scores (spread = standard deviation)'),
    members: z
      .array(z.object({ name: z.string(), value: z.number().nullable() }))
      .describe('what agreement (α) compares: models, or samples'),
    verdicts: z.array(panelVerdict),
    spread: z.number().nullable(),
  })
  .nullable()
  .describe('the verdicts of a jury, samples or a logprob-scored call; null for a single judgement');

export const resultDetail = resultSummary.extend({
  metric: z.string(),
  raw: z.string().nullable().describe("the judge's answer as received"),
  details: z.unknown().describe('per-chunk verdicts of RETRIEVAL judges'),
  panel,
  prompt: z.object({ system: z.string().nullable(), user: z.string().nullable() }).describe('the judge prompt as sent'),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
  latency_ms: z.number().nullable(),
});

export const resultRow = z.object({
  run_id: z.string(),
  row_index: z.number().int(),
  record: z.record(z.string(), z.unknown()),
  outputs: z.string().nullable(),
  model_error: z.string().nullable(),
  model_latency_ms: z.number().nullable(),
  model_input_tokens: z.number().nullable(),
  model_output_tokens: z.number().nullable(),
  results: z.array(resultDetail),
});
export type ResultRow = z.infer<typeof resultRow>;
