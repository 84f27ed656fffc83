/** Schemas of runs: listing, details, deletion and starting one over the API. */
import { z } from 'zod';
import { pageQuery, queryFlag } from './common.js';
import { jobStatus } from './jobs.js';

export const runStatus = z.enum(['running', 'finished', 'failed', 'interrupted']);

/** What a run records about its dataset. */
export const runDataset = z.object({
  id: z.string().optional().describe('the uploaded dataset, for runs started over the API'),
  name: z.string().optional(),
  path: z.string().optional(),
  format: z.string().optional(),
  hash: z.string().optional(),
  row_count: z.number().int().optional(),
  columns: z.array(z.string()).optional(),
});

export const runSummary = z.object({
  id: z.string(),
  name: z.string(),
  experiment: z.string(),
  status: runStatus,
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  row_count: z.number().int(),
  rows_done: z.number().int(),
  error_count: z.number().int(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
  error: z.string().nullable(),
  metrics: z.record(z.string(), z.number()).describe('aggregates keyed `name/version/aggregation`'),
  dataset: runDataset,
});
export type RunSummary = z.infer<typeof runSummary>;

export const runsQuery = z.strictObject({
  experiment: z.string().min(1).optional(),
  status: runStatus.optional(),
  ...pageQuery(50, 500),
});
/** The query as a client gives it: every parameter optional, typed as parsed. */
export type RunsQuery = Partial<z.output<typeof runsQuery>>;

export const runsList = z.object({ runs: z.array(runSummary), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export type RunsList = z.infer<typeof runsList>;

/** Per-metric counts of a finished (or stopped) run. */
export const metricCounts = z.object({
  metric: z.string(),
  rows_scored: z.number().int(),
  error_count: z.number().int(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
});

export const runDetail = runSummary.extend({
  config: z.unknown().describe('the config the run was started with (YAML keys)'),
  judges: z.array(
    z.object({
      metric: z.string(),
      name: z.string(),
      version: z.string(),
      definition: z.record(z.string(), z.unknown()).describe('the judge in its config form, examples included'),
      system_prompt: z.string().describe('the system message every row of this judge was sent'),
    }),
  ),
  metric_names: z.array(z.string()).describe('the metrics (`name/version`) the run has results for'),
  per_metric: z.array(metricCounts),
  job: z.object({ id: z.string(), status: jobStatus }).nullable().describe('the job that ran it, when started over the API'),
  thresholds: z
    .array(
      z.object({
        key: z.string().describe('the metric key, `name/version/aggregation`'),
        op: z.enum(['>=', '>', '<=', '<', '==', '!=']),
        value: z.number(),
        actual: z.number().nullable().describe("the run's value; null while it runs, or when every row failed"),
        passed: z.boolean().nullable().describe('null while the run is running'),
      }),
    )
    .describe("the config's thresholds checked against the run's metrics, as `juror eval` checks them"),
  passed: z.boolean().nullable().describe('as `juror eval` exits 0: finished, no metric wholly failed, every threshold met; null while running'),
});
export type RunDetail = z.infer<typeof runDetail>;

export const deleteRunQuery = z.strictObject({
  force: queryFlag.optional().describe('delete a run whose status is `running` although no job of this server runs it (its process is gone)'),
});

export const deleteRunResponse = z.object({ id: z.string(), deleted: z.literal(true) });

/** Thresholds as the YAML config writes them: a metric key → `">= 3.5"` or a bare number (at least). */
const thresholdSpecs = z.record(z.string(), z.union([z.string(), z.number()]));

/** `POST /api/runs`. */
export const createRunBody = z.strictObject({
  dataset_id: z.string().min(1).describe('an uploaded dataset (POST /api/datasets)'),
  config: z.record(z.string(), z.unknown()).describe('the YAML config as JSON, without `data`'),
  thresholds: thresholdSpecs.optional().describe('CI gates besides those of config.thresholds (a key may be in one of them only), e.g. { "faithfulness/v1/mean": ">= 4" }'),
});
export type CreateRunBody = z.infer<typeof createRunBody>;

export const createRunResponse = z.object({ run_id: z.string(), job_id: z.string() });
export type CreateRunResponse = z.infer<typeof createRunResponse>;
