/**
 * Everything a run checks before its first call: metrics and their keys, thresholds, the dataset
 * (validated end to end), column mapping, judge models and credentials, parameters. A prepared run
 * has spent nothing; `evaluate()` executes it and `dryRun()` prices it.
 */
import { Columns } from '../data/columns.js';
import { openDataset, type DataRecord, type Dataset } from '../data/dataset.js';
import { ConfigError, JurorError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import { panelAggregates } from '../judges/jury.js';
import type { Chat } from '../judges/run-judge.js';
import { builtInMetric } from '../metrics/builtin.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { readExamplesTable, withTableExamples } from '../metrics/judges/examples-table.js';
import { metricKey, type ChatNeeds, type Metric, type RowScorer } from '../metrics/metric.js';
import { withDatabricksNames } from '../metrics/databricks-names.js';
import { alwaysOnMetrics, presetMetrics, type ModelType } from '../metrics/presets.js';
import { requireLogprobs, resolveModel, type EndpointConfig, type ResolvedModel } from '../providers/models.js';
import type { Price } from '../providers/prices.js';
import type { Store, StoreLocation } from '../store/store.js';
import { judgeChat, type CallContext } from './chat.js';
import type { Estimator } from './estimate.js';
import { prepareModel, type ModelAnswer, type ModelUnderTest } from './model-under-test.js';
import type { EndpointLimits, Limiter } from './limiter.js';
import type { RowRange } from './recorder.js';
import { Scheduler, type RetryPolicy } from './scheduler.js';
import { parseThresholds, type Threshold } from './thresholds.js';

/** A metric as `evaluate()` accepts it: a metric, a judge definition, or a built-in name. */
export type MetricSpec = Metric | Judge | string;

/** Options of `evaluate()`, named as MLflow's `mlflow.evaluate`. */
export interface EvaluateOptions {
  /** A CSV, JSONL, JSON or Parquet path, or records. */
  data: string | DataRecord[];
  /** The encoding of a CSV, JSONL or JSON `data` file that is not UTF-8 (`latin1`, `utf-16le`…). */
  dataEncoding?: string;
  /** The model under test; absent when the data already holds predictions. */
  model?: ModelUnderTest;
  /** Default metrics by model type (MLflow's `model_type`). */
  modelType?: ModelType;
  /**
   * Replaces the model type's default metrics; under `databricks-agent`, its judges only (Databricks'
   * "subset of judges": `[]` runs none, the non-LLM metrics stay).
   */
  metrics?: MetricSpec[];
  /**
   * Few-shot examples for the built-in judges as one table (Databricks' `examples_df`): a file
   * (relative to `baseDir`) or records, rated per judge in `<judge>/rating` + `<judge>/rationale`.
   */
  examples?: string | DataRecord[];
  /** Added to the default metrics. */
  extraMetrics?: MetricSpec[];
  /** Standard name (`inputs`, `predictions`, `targets`, `context`, `request`…) → dataset column. */
  colMapping?: Record<string, string>;
  /**
   * The judge model of judges that name none; else `JUROR_JUDGE_MODEL`; else, when an OpenAI key or
   * base URL is set, {@link DEFAULT_JUDGE_MODEL} (as MLflow has a default judge).
   */
  judgeModel?: string;
  experiment?: string;
  runName?: string;
  /** `{ "faithfulness/v1/mean": ">= 4" }`: checked after the run. */
  thresholds?: Record<string, string | number>;
  /** Named OpenAI-compatible endpoints usable as `<name>:/<model>`. */
  endpoints?: Record<string, EndpointConfig>;
  /** Concurrency and rate limits per provider name. */
  providers?: Record<string, Partial<EndpointLimits>>;
  retry?: Partial<RetryPolicy>;
  /**
   * Where the provider limits are kept: default in this process, per run; a `RedisLimiter` shares them
   * with every process using the same Redis (the caller closes it).
   */
  limiter?: Limiter;
  /** Price overrides per model id, USD per million tokens. */
  prices?: Record<string, Price>;
  /** Where to keep the run: an open store, a location, or false to keep nothing. Default `.juror/juror.db`. */
  store?: Store | StoreLocation | false;
  /** Reuse answers to identical calls from the store's cache (default true when there is a store). */
  cache?: boolean;
  /** Finish this stored run: rows and metrics already scored are not called again. */
  resume?: string;
  /**
   * One chunk of a run that several workers share: only rows `start` to `end` (excluded) are judged,
   * rows already written there — error rows included — are kept, and the run's summary and status are
   * left to whoever finishes the run (`keepErrorRows`). With `failWith`, its unwritten rows are
   * recorded as error rows with that reason instead of being judged (a chunk that kept crashing its
   * worker). A chunk of no rows without `resume` creates the run.
   */
  chunk?: RowRange & { failWith?: string };
  /** With `resume`: rows written as errors count as done, not judged again (how a chunked run is finished). */
  keepErrorRows?: boolean;
  /** Stop (resumably) before the run's cost would pass this many US dollars. */
  maxCostUsd?: number;
  /** Aborting stops the run gracefully: no new calls, finished results kept, status `interrupted`. */
  signal?: AbortSignal;
  /** Folder that a relative `data` path is relative to (the config file's). */
  baseDir?: string;
  /** The config as the user wrote it, stored with the run. */
  config?: unknown;
  /**
   * What the stored run names its data by, in place of the file it was read from (the server's
   * uploaded dataset: `{ id, name }` and any other facts); the file's path is then not stored.
   */
  datasetRecord?: Record<string, unknown>;
  /** Keep the results table in memory for the result (default true; off for huge datasets). */
  collectTable?: boolean;
  /** Rows in flight at once (default: enough to keep every endpoint's concurrency busy). */
  rowConcurrency?: number;
  /** Called as rows finish. */
  onProgress?: (progress: Progress) => void;
  /** Called once the run exists in the store (after every check passed), with its id. */
  onRunCreated?: (runId: string) => void;
  env?: Record<string, string | undefined>;
}

/** Progress of a run, per metric and overall. */
export interface Progress {
  rowsDone: number;
  rowCount: number;
  errors: number;
  calls: number;
  cacheHits: number;
  costUsd: number;
  metrics: Array<{ metric: string; done: number; errors: number; costUsd: number }>;
}

/** The judge model used when none is named anywhere and `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set. */
export const DEFAULT_JUDGE_MODEL = 'openai:/gpt-4o-mini';

/** A model type's default metric that could not run on this data. */
export interface SkippedMetric {
  metric: string;
  reason: string;
}

/** A run with every check passed and nothing spent yet. */
export interface PreparedRun {
  options: EvaluateOptions;
  metrics: Metric[];
  /** Metric indexes in the order a row is scored: each level reads only values of earlier levels. */
  levels: number[][];
  scorers: RowScorer[];
  /** Default metrics of the model type left out, with the reason. */
  skipped: SkippedMetric[];
  callModel: ((record: DataRecord) => Promise<ModelAnswer>) | undefined;
  dataset: Dataset;
  columns: Columns;
  scheduler: Scheduler;
  calls: CallContext;
  thresholds: Threshold[];
  /** {@link DEFAULT_JUDGE_MODEL}, when a judge uses it because no judge model is named. */
  defaultJudgeModel?: string;
}

/** Checks everything that can be checked without a call, and builds the run's parts. */
export async function prepareRun(options: EvaluateOptions, estimator?: Estimator): Promise<PreparedRun> {
  const env = options.env ?? process.env;
  const { metrics: listed, fromPreset } = resolveMetrics(options);
  const table = options.examples ? await readExamplesTable(options.examples, options.baseDir) : undefined;
  const resolved = table ? listed.map((metric) => withTableExamples(metric, table)) : listed;
  const thresholds = parseThresholds(options.thresholds);

  const dataset = await openDataset(options.data, {
    ...(options.baseDir ? { baseDir: options.baseDir } : {}),
    ...(options.dataEncoding ? { encoding: options.dataEncoding } : {}),
    // A chunk's file was checked when its run was planned; the other chunks this process runs share one scan.
    ...(options.chunk ? { reuseScan: true } : {}),
  });
  const columns = new Columns({
    columns: dataset.columns,
    ...(options.colMapping ? { colMapping: options.colMapping } : {}),
    hasModel: options.model !== undefined,
    metrics: resolved,
  });
  const scheduler = new Scheduler({
    ...(options.providers ? { limits: options.providers } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.limiter ? { limiter: options.limiter } : {}),
  });
  const calls: CallContext = { scheduler, prices: options.prices, modes: new Map(), estimator };
  const resolve = (uri: string, field: string): ResolvedModel =>
    resolveModel(uri, { ...(options.endpoints ? { endpoints: options.endpoints } : {}), env, field });
  let metricName = '';
  let defaultJudgeModel: string | undefined;
  // A judge model that cannot be used stops the run even for a default metric: skipping every
  // judge would pass a run that judged nothing.
  const modelErrors = new WeakSet<object>();
  const chatFor = (uri: string | undefined, field: string, needs?: ChatNeeds): Chat => {
    try {
      return judgeChatFor(uri, field, needs);
    } catch (error) {
      if (error instanceof Object) modelErrors.add(error);
      throw error;
    }
  };
  const fallback = env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? DEFAULT_JUDGE_MODEL : undefined;
  // The model of judges that name none.
  const runJudgeModel = options.judgeModel ?? env.JUROR_JUDGE_MODEL ?? fallback;
  const judgeChatFor = (uri: string | undefined, field: string, needs?: ChatNeeds): Chat => {
    const chosen = uri ?? runJudgeModel;
    if (chosen === fallback && fallback) defaultJudgeModel = fallback;
    if (!chosen) {
      throw new ConfigError('no judge model is set', {
        where: { field },
        hint: `give the judge a \`model\`, set the config's \`judge_model\`, export JUROR_JUDGE_MODEL (e.g. ${DEFAULT_JUDGE_MODEL}), or export OPENAI_API_KEY to judge with ${DEFAULT_JUDGE_MODEL}`,
      });
    }
    const resolved = resolve(chosen, uri ? field : 'judge_model');
    if (needs?.logprobs) requireLogprobs(resolved, uri ? field : 'judge_model');
    return judgeChat(resolved, calls, field, metricName);
  };
  // A default metric of the model type that cannot run here (no targets, no classifier) is
  // reported and left out, as MLflow does; a metric the user listed stops the run instead.
  const skipped: SkippedMetric[] = [];
  const prepared: Array<{ metric: Metric; scorer: RowScorer }> = [];
  // Distilled judges are read from the run's store (a run that keeps nothing reads the default one),
  // loaded only when a metric asks for one.
  const readDistilled = async (name: string, version: string) =>
    (await import('../distill/stored.js')).distilledForRun(options.store || undefined, env, name, version);
  const sample = await firstRecord(dataset);
  for (const [i, metric] of resolved.entries()) {
    metricName = metricKey(metric);
    try {
      const scorer = metric.prepare({ columns, chatFor, judgeModel: runJudgeModel, ...(sample ? { sample } : {}) });
      // A classifier or a user's module is loaded now, so that a missing one stops the run before its first call.
      await metric.load?.({ baseDir: options.baseDir, distilled: readDistilled });
      prepared.push({ metric, scorer });
    } catch (error) {
      if (!fromPreset[i] || !(error instanceof JurorError) || modelErrors.has(error)) throw error;
      skipped.push({ metric: metricName, reason: error.message });
    }
  }
  const metrics = prepared.map((p) => p.metric);
  const scorers = prepared.map((p) => p.scorer);
  checkThresholdKeys(
    thresholds.map((t) => t.key),
    metrics,
    skipped,
  );
  const levels = metricLevels(metrics, columns);
  const callModel = options.model ? prepareModel(options.model, { columns, calls, resolve }) : undefined;
  return {
    options,
    metrics,
    levels,
    scorers,
    skipped,
    callModel,
    dataset,
    columns,
    scheduler,
    calls,
    thresholds,
    ...(defaultJudgeModel ? { defaultJudgeModel } : {}),
  };
}

/** The first record of a dataset, or undefined when it has none. */
async function firstRecord(dataset: Dataset): Promise<DataRecord | undefined> {
  for await (const row of dataset.rows()) return row.record;
  return undefined;
}

/** The metrics of a run: the model type's defaults (or `metrics`) plus `extraMetrics`, each key once. */
function resolveMetrics(options: EvaluateOptions): { metrics: Metric[]; fromPreset: boolean[] } {
  const modelType = options.modelType ?? 'none';
  const specs: Array<[MetricSpec, string]> = [
    ...(options.metrics
      ? [
          ...options.metrics.map((spec, i): [MetricSpec, string] => [spec, `metrics[${i}]`]),
          ...alwaysOnMetrics(modelType).map((name): [MetricSpec, string] => [name, 'model_type']),
        ]
      : presetMetrics(modelType).map((name): [MetricSpec, string] => [name, 'model_type'])),
    ...(options.extraMetrics ?? []).map((spec, i): [MetricSpec, string] => [spec, `extra_metrics[${i}]`]),
  ];
  const named = (metric: Metric) => (modelType === 'databricks-agent' ? withDatabricksNames(metric) : metric);
  const metrics = specs.map(([spec, field]) => named(toMetric(spec, field)));
  const seen = new Set<string>();
  metrics.forEach((metric, i) => {
    const key = metricKey(metric);
    if (seen.has(key)) {
      throw new ConfigError(`metric ${key} is given twice`, {
        where: { field: specs[i]![1] },
        hint: 'give each metric once, or give a judge a different name or version',
      });
    }
    seen.add(key);
  });
  if (metrics.length === 0) {
    throw new ConfigError('no metrics to compute', {
      where: { field: 'metrics' },
      hint: 'list metrics (e.g. exact_match) or judges under `metrics:`, or set a model_type with default metrics',
    });
  }
  return { metrics, fromPreset: specs.map(([, field]) => field === 'model_type') };
}

/**
 * Orders metrics that read other metrics' values (a judge with `exact_match` in its grading
 * context): levels of metrics whose dependencies are all in earlier levels. A cycle is a config error.
 */
function metricLevels(metrics: Metric[], columns: Columns): number[][] {
  const index = new Map(metrics.map((m, i) => [metricKey(m), i]));
  const dependsOn = metrics.map((m) =>
    (m.variables ?? []).flatMap((variable) => {
      const source = columns.resolve(variable);
      return source && 'metric' in source ? [index.get(source.metric)!] : [];
    }),
  );
  const levels: number[][] = [];
  const placed = new Set<number>();
  while (placed.size < metrics.length) {
    const level = metrics.map((_, i) => i).filter((i) => !placed.has(i) && dependsOn[i]!.every((d) => placed.has(d)));
    if (level.length === 0) {
      const stuck = metrics.filter((_, i) => !placed.has(i)).map(metricKey);
      throw new ConfigError(`metrics depend on each other in a cycle: ${stuck.join(', ')}`, {
        where: { field: 'metrics' },
        hint: "a judge may use another metric's value as grading context only if that metric does not, in turn, use the judge's",
      });
    }
    level.forEach((i) => placed.add(i));
    levels.push(level);
  }
  return levels;
}

function toMetric(spec: MetricSpec, field: string): Metric {
  if (typeof spec === 'string') return builtInMetric(spec, {}, field);
  if ('prepare' in spec) return spec;
  return judgeMetric(spec);
}

function checkThresholdKeys(keys: string[], metrics: Metric[], skipped: SkippedMetric[]): void {
  const known = metrics.flatMap((m) =>
    [...m.aggregations, ...(m.judge ? panelAggregates(m.judge) : [])].map((a) => `${metricKey(m)}/${a}`),
  );
  for (const key of keys) {
    if (!known.includes(key)) {
      const left = skipped.find((s) => key.startsWith(`${s.metric}/`));
      throw new ConfigError(
        `threshold on '${key}', which this run does not compute${left ? ` (${left.metric} cannot run: ${left.reason})` : ''}`,
        {
          where: { field: `thresholds.${key}` },
          hint: `use one of: ${known.join(', ')}`,
        },
      );
    }
  }
}
