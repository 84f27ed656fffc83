/**
 * `evaluate()`: one run of metrics over a dataset, optionally through a model under test, as
 * MLflow's `mlflow.evaluate`. Every check that can fail on config or data runs before the first
 * call; rows stream through a bounded pool; results land in the store in batches.
 */
import { Columns } from '../data/columns.js';
import { openDataset, type DataRecord, type Dataset } from '../data/dataset.js';
import { ConfigError, ProviderError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import type { Chat } from '../judges/run-judge.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { metricKey, type Metric, type MetricOutcome, type RowScorer } from '../metrics/metric.js';
import { presetMetrics, type ModelType } from '../metrics/presets.js';
import { builtInMetric } from '../metrics/builtin.js';
import { resolveModel, type EndpointConfig, type ResolvedModel } from '../providers/models.js';
import type { Price } from '../providers/prices.js';
import { defaultStoreLocation, Store, type StoreLocation } from '../store/store.js';
import { judgeChat } from './chat.js';
import { prepareModel, type ModelAnswer, type ModelUnderTest } from './model-under-test.js';
import { Recorder, type MetricTotals } from './recorder.js';
import { Scheduler, type EndpointLimits, type RetryPolicy } from './scheduler.js';
import { checkThresholds, parseThreshold, type ThresholdResult } from './thresholds.js';

/** A metric as `evaluate()` accepts it: a metric, a judge definition, or a built-in name. */
export type MetricSpec = Metric | Judge | string;

/** Options of {@link evaluate}, named as MLflow's `mlflow.evaluate`. */
export interface EvaluateOptions {
  /** A CSV, JSONL, JSON or Parquet path, or records. */
  data: string | DataRecord[];
  /** The model under test; absent when the data already holds predictions. */
  model?: ModelUnderTest;
  /** Default metrics by model type (MLflow's `model_type`). */
  modelType?: ModelType;
  /** Replaces the model type's default metrics (Databricks' "subset of judges"). */
  metrics?: MetricSpec[];
  /** Added to the default metrics. */
  extraMetrics?: MetricSpec[];
  /** Standard name (`inputs`, `predictions`, `targets`, `context`, `request`…) → dataset column. */
  colMapping?: Record<string, string>;
  /** The judge model of judges that name none; else `JUROR_JUDGE_MODEL`. */
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
  /** Price overrides per model id, USD per million tokens. */
  prices?: Record<string, Price>;
  /** Where to keep the run: an open store, a location, or false to keep nothing. Default `.juror/juror.db`. */
  store?: Store | StoreLocation | false;
  /** Folder that a relative `data` path is relative to (the config file's). */
  baseDir?: string;
  /** The config as the user wrote it, stored with the run. */
  config?: unknown;
  /** Keep the results table in memory for the result (default true; off for huge datasets). */
  collectTable?: boolean;
  /** Rows in flight at once (default 64). */
  rowConcurrency?: number;
  /** Called as rows finish. */
  onProgress?: (progress: Progress) => void;
  env?: Record<string, string | undefined>;
}

/** Progress of a run. */
export interface Progress {
  rowsDone: number;
  rowCount: number;
  errors: number;
  calls: number;
}

/** The outcome of a run. */
export interface EvaluationResult {
  runId: string;
  runName: string;
  experiment: string;
  status: 'finished' | 'failed';
  /** Aggregates keyed as MLflow: `cultural_sensitivity/v1/mean`. */
  metrics: Record<string, number>;
  tables: { eval_results_table: DataRecord[] };
  /** Error rows per metric (`name/version`). */
  errors: Record<string, number>;
  perMetric: MetricTotals[];
  /** Metrics of which every row failed. */
  failedMetrics: string[];
  thresholds: ThresholdResult[];
  /** True when no threshold was missed and no metric wholly failed (exit code 0). */
  passed: boolean;
  rowCount: number;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  /** Where the run is stored, when it is. */
  storedAt?: string;
  dataset: { name: string; path?: string; hash: string; rowCount: number };
}

/**
 * Evaluates a dataset with metrics and judges.
 * @example
 * const result = await evaluate({ data: 'qa.csv', colMapping: { inputs: 'question' }, extraMetrics: [faithfulness], judgeModel: 'openai:/gpt-4o-mini' });
 * console.log(result.metrics['faithfulness/v1/mean']);
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  const env = options.env ?? process.env;
  const metrics = resolveMetrics(options);
  const thresholds = Object.entries(options.thresholds ?? {}).map(([key, spec]) => parseThreshold(key, spec));
  checkThresholdKeys(thresholds.map((t) => t.key), metrics);

  const dataset = await openDataset(options.data, { ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
  const columns = new Columns({ columns: dataset.columns, ...(options.colMapping ? { colMapping: options.colMapping } : {}), hasModel: options.model !== undefined, ...(dataset.path ? { file: dataset.path } : {}) });
  const scheduler = new Scheduler({ ...(options.providers ? { limits: options.providers } : {}), ...(options.retry ? { retry: options.retry } : {}) });
  const resolve = (uri: string, field: string): ResolvedModel => resolveModel(uri, { ...(options.endpoints ? { endpoints: options.endpoints } : {}), env, field });
  const chats = new Map<string, Chat>();
  const chatFor = (uri: string | undefined, field: string): Chat => {
    const chosen = uri ?? options.judgeModel ?? env.JUROR_JUDGE_MODEL;
    if (!chosen) {
      throw new ConfigError('no judge model is set', {
        where: { field },
        hint: "give the judge a `model`, set the config's `judge_model`, or export JUROR_JUDGE_MODEL (e.g. openai:/gpt-4o-mini)",
      });
    }
    let chat = chats.get(chosen);
    if (!chat) chats.set(chosen, (chat = judgeChat(resolve(chosen, uri ? field : 'judge_model'), scheduler, field, options.prices)));
    return chat;
  };
  const scorers = metrics.map((metric) => metric.prepare({ columns, chatFor }));
  const callModel = options.model ? prepareModel(options.model, { columns, scheduler, resolve, ...(options.prices ? { prices: options.prices } : {}) }) : undefined;

  // Every check passed: from here on, calls cost money and everything is kept.
  const ownsStore = !(options.store instanceof Store) && options.store !== false;
  const store = options.store === false ? undefined : options.store instanceof Store ? options.store : await Store.open(options.store ?? defaultStoreLocation(env));
  try {
    return await runRows({ options, dataset, metrics, scorers, callModel, scheduler, store, thresholds });
  } finally {
    if (ownsStore) await store?.close();
  }
}

async function runRows(run: {
  options: EvaluateOptions;
  dataset: Dataset;
  metrics: Metric[];
  scorers: RowScorer[];
  callModel: ((record: DataRecord) => Promise<ModelAnswer>) | undefined;
  scheduler: Scheduler;
  store: Store | undefined;
  thresholds: ReturnType<typeof parseThreshold>[];
}): Promise<EvaluationResult> {
  const { options, dataset, metrics, scorers, callModel, scheduler, store } = run;
  const experiment = options.experiment ?? 'default';
  const judges = metrics.flatMap((m) => (m.judge ? [m.judge] : []));
  const datasetInfo = { name: dataset.name, ...(dataset.path ? { path: dataset.path } : {}), hash: dataset.hash, rowCount: dataset.rowCount };
  const record = store
    ? await store.createRun({
        experiment,
        ...(options.runName ? { name: options.runName } : {}),
        config: options.config ?? configSnapshot(options),
        dataset: { ...datasetInfo, format: dataset.format, columns: dataset.columns },
        rowCount: dataset.rowCount,
        judges,
      })
    : undefined;
  const runId = record?.id ?? 'unsaved';
  const recorder = new Recorder(
    store,
    runId,
    metrics.map((m) => ({ key: metricKey(m), aggregations: m.aggregations })),
    { collectTable: options.collectTable ?? true },
  );

  let fatal: ProviderError | undefined;
  let errors = 0;
  const rows = dataset.rows()[Symbol.asyncIterator]();
  const worker = async () => {
    while (!fatal) {
      const next = await rows.next();
      if (next.done) return;
      const { index, record: data } = next.value;
      try {
        const answer = callModel ? await callModel(data) : undefined;
        const outputs = answer?.ok ? answer.text : undefined;
        const outcomes = await Promise.all(
          scorers.map(async (score): Promise<MetricOutcome> => {
            if (answer && !answer.ok) return { ok: false, error: `the model under test failed: ${answer.error}` };
            try {
              return await score({ index, record: data, ...(outputs !== undefined ? { outputs } : {}) });
            } catch (error) {
              if (error instanceof ProviderError) throw error;
              return { ok: false, error: String((error as Error)?.message ?? error).split('\n')[0]! };
            }
          }),
        );
        errors += outcomes.filter((o) => !o.ok).length;
        recorder.add(index, data, answer, outcomes);
        options.onProgress?.({ rowsDone: recorder.rowsDone, rowCount: dataset.rowCount, errors, calls: scheduler.stats.calls });
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        fatal ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.rowConcurrency ?? 64) }, worker));
  await recorder.finish();

  const aggregates = recorder.metricsSummary();
  const perMetric = recorder.perMetric();
  const usage = perMetric.reduce(
    (sum, m) => ({ inputTokens: sum.inputTokens + m.inputTokens, outputTokens: sum.outputTokens + m.outputTokens }),
    { inputTokens: recorder.model.inputTokens, outputTokens: recorder.model.outputTokens },
  );
  const costUsd = perMetric.reduce((sum, m) => sum + m.costUsd, recorder.model.costUsd);
  const failedMetrics = perMetric.filter((m) => m.rowsScored === 0 && m.errors > 0).map((m) => m.metric);
  const thresholds = checkThresholds(run.thresholds, aggregates);
  const status = fatal ? 'failed' : 'finished';
  if (store && record) {
    await store.writeSummary(runId, {
      metrics: aggregates,
      perMetric: recorder.perMetricRecords(),
      run: {
        status,
        finished_at: new Date().toISOString(),
        rows_done: recorder.rowsDone,
        error_count: errors,
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        cost_usd: costUsd,
        error: fatal ? fatal.describe() : null,
      },
    });
  }
  if (fatal) throw fatal;
  return {
    runId,
    runName: record?.name ?? options.runName ?? 'unsaved',
    experiment,
    status,
    metrics: aggregates,
    tables: { eval_results_table: recorder.table() ?? [] },
    errors: Object.fromEntries(perMetric.map((m) => [m.metric, m.errors])),
    perMetric,
    failedMetrics,
    thresholds,
    passed: failedMetrics.length === 0 && thresholds.every((t) => t.passed),
    rowCount: dataset.rowCount,
    usage,
    costUsd,
    ...(store ? { storedAt: store.where } : {}),
    dataset: datasetInfo,
  };
}

/** The metrics of a run: the model type's defaults (or `metrics`) plus `extraMetrics`, each key once. */
function resolveMetrics(options: EvaluateOptions): Metric[] {
  const base = options.metrics ?? presetMetrics(options.modelType ?? 'none');
  const specs: Array<[MetricSpec, string]> = [
    ...base.map((spec, i): [MetricSpec, string] => [spec, options.metrics ? `metrics[${i}]` : `model_type`]),
    ...(options.extraMetrics ?? []).map((spec, i): [MetricSpec, string] => [spec, `extra_metrics[${i}]`]),
  ];
  const metrics = specs.map(([spec, field]) => toMetric(spec, field));
  const seen = new Map<string, number>();
  metrics.forEach((metric, i) => {
    const key = metricKey(metric);
    if (seen.has(key)) {
      throw new ConfigError(`metric ${key} is given twice`, {
        where: { field: specs[i]![1] },
        hint: 'give each metric once, or give a judge a different name or version',
      });
    }
    seen.set(key, i);
  });
  if (metrics.length === 0) {
    throw new ConfigError('no metrics to compute', { where: { field: 'metrics' }, hint: 'list metrics (e.g. exact_match) or judges under `metrics:`, or set a model_type with default metrics' });
  }
  return metrics;
}

function toMetric(spec: MetricSpec, field: string): Metric {
  if (typeof spec === 'string') return builtInMetric(spec, {}, field);
  if ('prepare' in spec) return spec;
  return judgeMetric(spec);
}

function checkThresholdKeys(keys: string[], metrics: Metric[]): void {
  const known = metrics.flatMap((m) => m.aggregations.map((a) => `${metricKey(m)}/${a}`));
  for (const key of keys) {
    if (!known.includes(key)) {
      throw new ConfigError(`threshold on '${key}', which this run does not compute`, {
        where: { field: `thresholds.${key}` },
        hint: `use one of: ${known.join(', ')}`,
      });
    }
  }
}

/** What is stored as the config of a run made from TypeScript: everything but functions and secrets. */
function configSnapshot(options: EvaluateOptions): unknown {
  return {
    data: typeof options.data === 'string' ? options.data : `<${options.data.length} records>`,
    model: typeof options.model === 'function' ? '<function>' : options.model,
    model_type: options.modelType,
    col_mapping: options.colMapping,
    judge_model: options.judgeModel,
    metrics: [...(options.metrics ?? []), ...(options.extraMetrics ?? [])].map((m) => (typeof m === 'string' ? m : 'prepare' in m ? (m.judge ?? metricKey(m)) : m)),
    thresholds: options.thresholds,
  };
}
