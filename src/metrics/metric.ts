/**
 * A metric is anything that scores a row: a judge, a heuristic, a code function. Each is prepared
 * once per run (checking its columns, resolving its model — before any call) into a row scorer.
 */
import type { Columns } from '../data/columns.js';
import type { DistilledDefinition } from '../distill/model.js';
import type { DataRecord } from '../data/dataset.js';
import type { Aggregation, Judge } from '../judges/definition.js';
import type { JudgeMessages } from '../judges/prompt.js';
import type { Panel } from '../judges/jury.js';
import type { Chat, ChunkVerdict, Usage } from '../judges/run-judge.js';

/** A row as metrics see it: the dataset record and the model under test's answer, if any. */
export interface RowInput {
  index: number;
  record: DataRecord;
  outputs?: string;
  /** How long the model under test took to answer this row, in milliseconds (read by `latency`). */
  latencyMs?: number;
  /** Values of the metrics scored before this one in the row, by `name/version` (metrics over metrics). */
  metrics?: Record<string, number>;
}

/** What one metric says of one row. An error is kept with its reason, never turned into a number. */
export type MetricOutcome = (
  | { ok: true; value: number; score?: number | string; label?: string; justification?: string; details?: ChunkVerdict[] }
  | { ok: false; error: string; details?: ChunkVerdict[] }
) & {
  raw?: string;
  prompt?: JudgeMessages;
  usage?: Usage;
  costUsd?: number;
  latencyMs?: number;
  /** The few-shot examples chosen for this row from a larger set (`examples:`), by where each came from (`examples.csv:3`). */
  examples?: string[];
  /** A jury's, samples' or logprob call's verdicts and spread (judges/jury.ts). */
  panel?: Panel;
};

/** Scores one row. */
export type RowScorer = (row: RowInput) => Promise<MetricOutcome> | MetricOutcome;

/** What a judge needs of its model beyond an answer: token log-probabilities (`scoring: logprobs`). */
export interface ChatNeeds {
  logprobs?: boolean;
}

/** What a metric may use while it is prepared. */
export interface PrepareContext {
  columns: Columns;
  /** The chat function for a judge model URI (the metric's own, else the run's judge model); throws a ConfigError if none. */
  chatFor(modelUri: string | undefined, field: string, needs?: ChatNeeds): Chat;
  /** The run's judge model URI, which judges without a model of their own use (to name it); undefined when none is set. */
  judgeModel?: string | undefined;
  /** The dataset's first row, to check a column's kind (a list, or text) before any row is scored. */
  sample?: DataRecord;
}

/**
 * Other names of a metric's results, beside Juror's `name/version/...` (Databricks' names under
 * `model_type: databricks-agent`): extra per-row columns and extra aggregate keys.
 */
export interface MetricAlias {
  /** Extra columns of a row's results (e.g. `response/llm_judged/safety/rating`: `yes`). */
  row(outcome: MetricOutcome): Record<string, unknown>;
  /** Extra aggregate keys from the metric's aggregates (e.g. `…/rating/percentage`). */
  aggregates(values: Partial<Record<Aggregation, number>>): Record<string, number>;
}

/**
 * What a row's value is, for gauges, histograms and the README's metric table:
 * scale (an integer judge score), yes_no (1/0 from a 1–5 score over a threshold), binary (1/0),
 * categories (labels valued by score), share (a 0–1 proportion, shown as a percentage: RETRIEVAL
 * precision), unit (a 0–1 score shown as a decimal: ROUGE), number (anything else).
 */
export type ValueKind = 'scale' | 'yes_no' | 'binary' | 'categories' | 'share' | 'unit' | 'number';

/** A metric's values: their kind and, when known, their range (BLEU: 0–100). */
export interface MetricValues {
  kind: ValueKind;
  range?: { min: number; max: number };
}

export interface Metric {
  readonly name: string;
  readonly version: string;
  readonly kind: 'judge' | 'heuristic' | 'code';
  readonly aggregations: Aggregation[];
  /** Whether a higher value is better; null when neither is (a token count). */
  readonly greaterIsBetter: boolean | null;
  /** What a row's value is; absent: a number with no known range. Judges' come from their output kind. */
  readonly values?: MetricValues;
  /** The judge definition, for judge metrics: stored with the run. */
  readonly judge?: Judge;
  /** Checks the metric's columns and model and returns its scorer; throws ConfigError. */
  prepare(context: PrepareContext): RowScorer;
  /** The variables the metric reads, for ordering metrics that read other metrics' values. */
  readonly variables?: readonly string[];
  /**
   * The value at or above which a row counts in the `ratio` aggregate; default 1 (a yes/no or 1/0
   * value). A metric whose value is a probability sets its decision threshold (toxicity: 0.5).
   */
  readonly ratioThreshold?: number;
  /**
   * Loads what the metric needs that takes time or may be missing (a classifier, a user's module);
   * called once per run, after `prepare`, before the first row. Throws ConfigError.
   */
  load?(context: LoadContext): Promise<void>;
  /** Other names of the metric's results, written beside Juror's. */
  readonly alias?: MetricAlias;
}

/** What a metric may use while it loads. */
export interface LoadContext {
  /** Folder that relative paths in the metric's options are relative to (the config file's); else the cwd. */
  baseDir?: string;
  /** Reads a distilled judge version from the run's store (metrics `distilled` and `cascade`); absent when the run keeps no store. */
  distilled?(name: string, version: string): Promise<DistilledDefinition>;
}

/** The `name/version` of a metric, the prefix of its keys. */
export function metricKey(metric: Pick<Metric, 'name' | 'version'>): string {
  return `${metric.name}/${metric.version}`;
}
