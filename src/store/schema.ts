/**
 * The tracking store's tables, as Kysely types. Portable across SQLite and Postgres: ids and
 * timestamps are text (ISO 8601), JSON is text, numbers are double precision or integer.
 */
import type { ColumnType } from 'kysely';

export interface ExperimentTable {
  id: string;
  name: string;
  created_at: string;
}

/** Every judge definition ever used, once per content hash; runs point to the versions they used. */
export interface JudgeTable {
  id: string;
  name: string;
  version: string;
  hash: string;
  definition: string;
  created_at: string;
}

export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

export interface RunTable {
  id: string;
  experiment_id: string;
  name: string;
  status: RunStatus;
  /** The config as given (YAML keys), with secrets never included. */
  config: string;
  /** `{ name, path, format, hash, columns, rowCount }` of the dataset. */
  dataset: string;
  started_at: string;
  finished_at: string | null;
  row_count: number;
  rows_done: number;
  error_count: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** Why the run failed or stopped, when it did. */
  error: string | null;
  /** Each metric's info (engine/metric-info.ts) as JSON, written with the summary; null before migration 0006. */
  metric_info: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Which judge version a run used under which metric key (`name/version`). */
export interface RunJudgeTable {
  run_id: string;
  metric: string;
  judge_id: string;
  /** The judge's system message as sent (the same for every row); each result keeps its user message. */
  system_prompt: string;
}

/** One dataset row of a run: its record, and the model under test's answer when there is one. */
export interface RowTable {
  run_id: string;
  row_index: number;
  record: string;
  outputs: string | null;
  model_latency_ms: number | null;
  model_input_tokens: number | null;
  model_output_tokens: number | null;
  model_error: string | null;
}

/** One row × one metric. A failed judgement has `error` set and no value; it is never a silent 0. */
export interface ResultTable {
  run_id: string;
  row_index: number;
  metric: string;
  value: number | null;
  score: string | null;
  label: string | null;
  justification: string | null;
  raw: string | null;
  /** Per-chunk verdicts of RETRIEVAL judges, as JSON. */
  details: string | null;
  /** A jury's, samples' or logprob call's verdicts and spread (judges/jury.ts Panel), as JSON; from migration 0012. */
  panel: ColumnType<string | null, string | null | undefined, string | null>;
  /** The judge's user message as sent (the system message is in run_judges). */
  prompt: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number | null;
  error: string | null;
}

/** Aggregates, keyed as MLflow: `faithfulness/v1/mean`. */
export interface MetricTable {
  run_id: string;
  key: string;
  value: number;
}

/** Per-metric counts and cost of a run. */
export interface RunMetricTable {
  run_id: string;
  metric: string;
  rows_scored: number;
  error_count: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** Answers of providers, content-addressed on everything that shapes them (see engine/cache.ts). */
export interface CacheTable {
  key: string;
  model: string;
  /** `{ text, usage }` as JSON. */
  answer: string;
  created_at: string;
}

export interface Database {
  cache: CacheTable;
  experiments: ExperimentTable;
  judges: JudgeTable;
  runs: RunTable;
  run_judges: RunJudgeTable;
  rows: RowTable;
  results: ResultTable;
  metrics: MetricTable;
  run_metrics: RunMetricTable;
}
