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

const aggregation = z.enum(['mean', 'variance', 'p90', 'ratio', 'min', 'max', 'median', 'sum']);

/** What the engine knows of a metric of a run, so that no reader guesses it from the name (engine/metric-info.ts). */
export const metricInfo = z.object({
  key: z.string().describe('`name/version`, the prefix of its aggregate keys'),
  name: z.string(),
  version: z.string(),
  source: z.enum(['judge', 'heuristic', 'code']),
  kind: z
    .enum(['scale', 'yes_no', 'binary', 'categories', 'share', 'unit', 'number'])
    .describe(
      "a row's value: scale (integer judge score), yes_no (1/0 from a score over a threshold), binary (1/0), categories, share (0–1 proportion), unit (0–1 score), number",
    ),
  direction: z.enum(['higher', 'lower']).nullable().describe('which values are better; null when neither is'),
  range: z
    .object({ min: z.number(), max: z.number() })
    .nullable()
    .describe('the values a row can take from and to; null when unbounded or unknown'),
  discrete: z.array(z.number()).nullable().describe('every value a row can take, when few (a 1–5 scale, 1/0, categories)'),
  labels: z.record(z.string(), z.string()).nullable().describe('labels of values (`{"0": "no", "1": "yes"}`, category names)'),
  aggregations: z.array(aggregation),
  headline: aggregation.describe('the aggregation shown first: `ratio` for yes/no and 1/0 metrics that report it, else `mean`'),
  ci: z
    .object({ low: z.number(), high: z.number(), level: z.literal(0.95) })
    .nullable()
    .describe(
      "95% confidence interval of the headline: Wilson's for a share of 1s, mean ± 1.96·s/√n otherwise; null before rows are scored",
    ),
  description: z.string().nullable().describe("a judge's definition or prompt"),
});
export type MetricInfo = z.infer<typeof metricInfo>;

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
  metric_info: z.array(metricInfo).describe("each metric's kind, range, direction, headline aggregation and its confidence interval"),
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
  passed: z
    .boolean()
    .nullable()
    .describe('as `juror eval` exits 0: finished, no metric wholly failed, every threshold met; null while running'),
});
export type RunDetail = z.infer<typeof runDetail>;

export const deleteRunQuery = z.strictObject({
  force: queryFlag
    .optional()
    .describe('delete a run whose status is `running` although no job of this server runs it (its process is gone)'),
});

export const deleteRunResponse = z.object({ id: z.string(), deleted: z.literal(true) });

/** Thresholds as the YAML config writes them: a metric key → `">= 3.5"` or a bare number (at least). */
const thresholdSpecs = z.record(z.string(), z.union([z.string(), z.number()]));

/** `POST /api/runs`. */
export const createRunBody = z.strictObject({
  dataset_id: z.string().min(1).describe('an uploaded dataset (POST /api/datasets)'),
  config: z.record(z.string(), z.unknown()).describe('the YAML config as JSON, without `data`'),
  thresholds: thresholdSpecs
    .optional()
    .describe('CI gates besides those of config.thresholds (a key may be in one of them only), e.g. { "faithfulness/v1/mean": ">= 4" }'),
});
export type CreateRunBody = z.infer<typeof createRunBody>;

export const createRunResponse = z.object({ run_id: z.string(), job_id: z.string() });
export type CreateRunResponse = z.infer<typeof createRunResponse>;
