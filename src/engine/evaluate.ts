/**
 * `evaluate()`: one run of metrics over a dataset, optionally through a model under test, as
 * MLflow's `mlflow.evaluate`. Every check runs before the first call (prepare.ts); rows stream
 * through a bounded pool; results land in the store as they arrive, so a run stopped at any point —
 * Ctrl-C, a budget, a fatal provider fault, a failed write, SIGKILL — keeps every finished row and
 * can be resumed. A failed write stops new calls at once: rows that cannot be kept are not paid for.
 */
import type { DataRecord } from '../data/dataset.js';
import { InputError, ProviderError } from '../errors.js';
import { judgeHash } from '../judges/definition.js';
import { judgeSystemPrompt } from '../judges/prompt.js';
import { metricKey, type MetricOutcome, type RowInput } from '../metrics/metric.js';
import { runMetricInfo } from './metric-info.js';
import { describeWriteFailure } from '../store/dialects/write-failure.js';
import { defaultStoreLocation, Store, type RunRecord } from '../store/store.js';
import { Budget } from './budget.js';
import { AnswerCache } from './cache.js';
import { Estimator, type CallEstimate } from './estimate.js';
import type { ModelAnswer } from './model-under-test.js';
import { prepareRun, type EvaluateOptions, type PreparedRun, type SkippedMetric } from './prepare.js';
import { Recorder, type MetricTotals } from './recorder.js';
import { RunStopped, stopsRun } from './scheduler.js';
import { checkThresholds, runPassed, type ThresholdResult } from './thresholds.js';

export type { EvaluateOptions, MetricSpec, Progress } from './prepare.js';

/** The outcome of a run. */
export interface EvaluationResult {
  runId: string;
  runName: string;
  experiment: string;
  /** `interrupted` when stopped by the signal or the budget; resumable with `resume: runId`. */
  status: 'finished' | 'interrupted';
  /** Why the run stopped early, when it did. */
  stopReason?: string;
  /** What stopped it: the user, the budget, or the store refusing a write. */
  stoppedBy?: RunStopped['reason'];
  /** Aggregates keyed as MLflow: `cultural_sensitivity/v1/mean`. */
  metrics: Record<string, number>;
  tables: { eval_results_table: DataRecord[] };
  /** Error rows per metric (`name/version`). */
  errors: Record<string, number>;
  perMetric: MetricTotals[];
  /** Metrics of which every row failed. */
  failedMetrics: string[];
  /** Default metrics of the model type that could not run on this data, with the reason. */
  skippedMetrics: SkippedMetric[];
  /** The default judge model (`openai:/gpt-4o-mini`), when judges used it because none was named. */
  defaultJudgeModel?: string;
  thresholds: ThresholdResult[];
  /** True when the run finished, no threshold was missed and no metric wholly failed (exit code 0). */
  passed: boolean;
  rowCount: number;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  /** Provider calls made and answers taken from the cache. */
  calls: { made: number; cached: number; retries: number; rateLimited: number };
  /** Where the run is stored, when it is. */
  storedAt?: string;
  dataset: { name: string; path?: string; hash: string; rowCount: number };
}

/**
 * Evaluates a dataset with metrics and judges. With `record: false` the store serves only as the
 * answer cache (shared with every run and worker): no run is created, nothing is written but cached
 * answers, and the outcome is the result itself (a monitor stores its scores its own way).
 * @example
 * const result = await evaluate({ data: 'qa.csv', colMapping: { inputs: 'question' }, extraMetrics: [faithfulness], judgeModel: 'openai:/gpt-4o-mini' });
 * console.log(result.metrics['faithfulness/v1/mean']);
 */
export async function evaluate(options: EvaluateOptions & { record?: boolean }): Promise<EvaluationResult> {
  const prepared = await prepareRun(options);
  // Every check passed: from here on, calls cost money and everything is kept.
  const ownsStore = !(options.store instanceof Store) && options.store !== false;
  const store =
    options.store === false
      ? undefined
      : options.store instanceof Store
        ? options.store
        : await Store.open(options.store ?? defaultStoreLocation(options.env ?? process.env));
  try {
    return await execute(prepared, store, options.record !== false);
  } finally {
    if (ownsStore) await store?.close();
  }
}

/** Runs a prepared run; `cacheStore` keeps the run when `keepRun`, and serves as the answer cache either way. */
async function execute(run: PreparedRun, cacheStore: Store | undefined, keepRun = true): Promise<EvaluationResult> {
  const { options, dataset, metrics, levels, scorers, callModel, scheduler, calls } = run;
  const store = keepRun ? cacheStore : undefined;
  const keys = metrics.map(metricKey);
  const datasetInfo = {
    name: dataset.name,
    ...(dataset.path ? { path: dataset.path } : {}),
    hash: dataset.hash,
    rowCount: dataset.rowCount,
  };
  const record = await openRun(run, store, datasetInfo);
  if (record) options.onRunCreated?.(record.id);

  let stop: ProviderError | RunStopped | undefined;
  const halt = (reason: ProviderError | RunStopped) => {
    stop ??= reason;
    // Calls in flight under a budget stop were within the budget and are paid for: their rows are
    // kept. Any other stop also aborts them (the user wants out; the store cannot keep them).
    if (!(reason instanceof RunStopped && reason.reason === 'budget')) scheduler.stop(reason);
  };
  const storageFailed = (error: unknown) => {
    const { message, hint } = describeWriteFailure(error, cacheStore?.where ?? 'the store');
    halt(new RunStopped('storage', `${message}; no new calls are made, the rows written before are kept (fix: ${hint})`));
  };
  const recorder = new Recorder(
    store,
    record?.id ?? 'unsaved',
    metrics.map((m) => ({ key: metricKey(m), aggregations: m.aggregations, ratioThreshold: m.ratioThreshold, alias: m.alias })),
    { collectTable: (options.collectTable ?? true) && !options.resume, onWriteError: storageFailed },
  );
  const chunk = options.chunk;
  const done =
    options.resume && store
      ? await recorder.resumeFrom(store, {
          ...(chunk ? { rows: chunk } : {}),
          keepErrors: options.keepErrorRows === true || chunk !== undefined,
        })
      : undefined;
  if (cacheStore && options.cache !== false) calls.cache = new AnswerCache(cacheStore, storageFailed);
  if (options.maxCostUsd !== undefined) calls.budget = new Budget(options.maxCostUsd, recorder.costUsd(), options.prices);
  const onAbort = () => halt(new RunStopped('interrupted', 'interrupted by the user'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Progress from the start (rows done of all, resumed rows counted), before any row finishes.
  options.onProgress?.(recorder.progress(dataset.rowCount, 0, 0));

  const scoreOne = async (i: number, row: RowInput, answer: ModelAnswer | undefined): Promise<MetricOutcome> => {
    if (answer && !answer.ok) return { ok: false, error: `the model under test failed: ${answer.error}` };
    const failed = (metrics[i]!.variables ?? [])
      .map((v) => run.columns.resolve(v))
      .find((source) => source && 'metric' in source && !(source.metric in (row.metrics ?? {})));
    if (failed && 'metric' in failed) return { ok: false, error: `${failed.metric}, which this metric reads, has no value for this row` };
    try {
      return await scorers[i]!(row);
    } catch (error) {
      if (stopsRun(error)) throw error;
      return { ok: false, error: String((error as Error)?.message ?? error).split('\n')[0]! };
    }
  };

  let inFlight = 0;
  const rows = dataset.rows(chunk ? { offset: chunk.start } : undefined)[Symbol.asyncIterator]();
  const worker = async () => {
    while (!stop) {
      const next = await rows.next();
      if (next.done) return;
      const { index, record: data } = next.value;
      if (chunk && index >= chunk.end) return;
      if (chunk && index < chunk.start) continue;
      const previous = done?.get(index);
      if (previous && previous.done.size === keys.length) continue;
      if (chunk?.failWith !== undefined) {
        const reason = chunk.failWith;
        recorder.add(
          index,
          data,
          undefined,
          keys.map((key) => (previous?.done.has(key) ? undefined : { ok: false, error: reason })),
        );
        continue;
      }
      if (options.maxCostUsd !== undefined && wouldPassBudget(recorder, options.maxCostUsd, inFlight)) {
        halt(
          new RunStopped('budget', `stopped before passing the budget of $${options.maxCostUsd} (spent $${recorder.costUsd().toFixed(4)})`),
        );
        return;
      }
      inFlight++;
      try {
        const answer: ModelAnswer | undefined =
          previous?.outputs !== undefined
            ? { ok: true, text: previous.outputs, costUsd: 0, latencyMs: previous.latencyMs ?? 0, cached: true }
            : callModel
              ? await callModel(data)
              : undefined;
        const outputs = answer?.ok ? answer.text : undefined;
        const outcomes: Array<MetricOutcome | undefined> = new Array(scorers.length);
        const values: Record<string, number> = Object.fromEntries(previous?.metrics ?? []);
        for (const level of levels) {
          await Promise.all(
            level.map(async (i) => {
              if (previous?.done.has(keys[i]!)) return;
              outcomes[i] = await scoreOne(
                i,
                {
                  index,
                  record: data,
                  ...(outputs !== undefined ? { outputs } : {}),
                  ...(answer ? { latencyMs: answer.latencyMs } : {}),
                  metrics: values,
                },
                answer,
              );
            }),
          );
          for (const i of level) {
            const outcome = outcomes[i];
            if (outcome?.ok) values[keys[i]!] = outcome.value;
          }
        }
        recorder.add(index, data, previous?.outputs !== undefined ? undefined : answer, outcomes);
        options.onProgress?.(recorder.progress(dataset.rowCount, scheduler.stats.calls, calls.cache?.hits ?? 0));
      } catch (error) {
        // A row cut short by a stop is not recorded: resuming scores it whole.
        if (!stopsRun(error)) throw error;
        halt(error);
      } finally {
        inFlight--;
      }
    }
  };
  try {
    const workers = Math.max(1, options.rowConcurrency ?? busyRows(options));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await calls.cache?.flush();
    await recorder.finish();
  }
  return summarize(run, store, record, recorder, stop, datasetInfo);
}

/** What a dry run found: calls, tokens and cost per metric, and one rendered prompt of each. */
export interface DryRunReport {
  rows: number;
  estimates: CallEstimate[];
  /** null when some model's price is unknown. */
  costUsd: number | null;
  samples: Array<{ name: string; system?: string; user: string }>;
}

/**
 * Prices a run without calling anything: every check of a real run, then every prompt rendered
 * and counted.
 */
export async function dryRun(options: EvaluateOptions): Promise<DryRunReport> {
  const estimator = new Estimator(options.prices);
  const prepared = await prepareRun({ ...options, collectTable: false, cache: false }, estimator);
  await execute(prepared, undefined);
  const estimates = estimator.report();
  return {
    rows: prepared.dataset.rowCount,
    estimates,
    costUsd: estimates.some((e) => e.costUsd === null) ? null : estimates.reduce((sum, e) => sum + e.costUsd!, 0),
    samples: [...estimator.samples].map(([name, sample]) => ({ name, ...sample })),
  };
}

/** Creates the run in the store, or reopens it to resume (checking the data did not change). */
async function openRun(
  run: PreparedRun,
  store: Store | undefined,
  datasetInfo: EvaluationResult['dataset'],
): Promise<RunRecord | undefined> {
  const { options, dataset, metrics } = run;
  if (!store) return undefined;
  if (options.resume) {
    const existing = await store.getRun(await store.findRunId(options.resume));
    const stored = JSON.parse(existing.dataset) as { hash?: string };
    if (stored.hash !== dataset.hash) {
      throw new InputError(`the data of run ${existing.id} has changed since it ran (hash ${stored.hash} → ${dataset.hash})`, {
        where: { ...(dataset.path ? { file: dataset.path } : {}) },
        hint: 'restore the original data file, or start a new run instead of resuming',
      });
    }
    const storedJudges = new Map(existing.judges.map((j) => [j.metric, judgeHash(j.definition)]));
    const current = new Map(metrics.flatMap((m) => (m.judge ? [[metricKey(m), judgeHash(m.judge)] as const] : [])));
    const changed = [...new Set([...storedJudges.keys(), ...current.keys()])].filter((key) => storedJudges.get(key) !== current.get(key));
    if (changed.length) {
      throw new InputError(`the judges of run ${existing.id} have changed since it ran: ${changed.join(', ')}`, {
        hint: 'resume with the config the run started with, or start a new run (a changed judge deserves a new version)',
      });
    }
    await store.updateRun(existing.id, { status: 'running', error: null });
    return existing;
  }
  return store.createRun({
    experiment: options.experiment ?? 'default',
    ...(options.runName ? { name: options.runName } : {}),
    config: options.config ?? configSnapshot(options),
    dataset: storedDataset({ ...datasetInfo, format: dataset.format, columns: dataset.columns }, options.datasetRecord),
    rowCount: dataset.rowCount,
    judges: metrics.flatMap((m) => (m.judge ? [{ judge: m.judge, systemPrompt: judgeSystemPrompt(m.judge) }] : [])),
  });
}

/** The run's `dataset` record: the data as read, or, with `named`, as the caller names it (no file path). */
function storedDataset(read: Record<string, unknown>, named: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!named) return read;
  const { path: _path, ...kept } = read;
  return { ...kept, ...named };
}

async function summarize(
  run: PreparedRun,
  store: Store | undefined,
  record: RunRecord | undefined,
  recorder: Recorder,
  stop: ProviderError | RunStopped | undefined,
  datasetInfo: EvaluationResult['dataset'],
): Promise<EvaluationResult> {
  const { options, scheduler, calls } = run;
  const aggregates = recorder.metricsSummary();
  const perMetric = recorder.perMetric();
  const usage = recorder.usage();
  const costUsd = recorder.costUsd();
  const failedMetrics = perMetric.filter((m) => m.rowsScored === 0 && m.errors > 0).map((m) => m.metric);
  const thresholds = checkThresholds(run.thresholds, aggregates);
  const status = stop instanceof ProviderError ? 'failed' : stop ? 'interrupted' : 'finished';
  const runId = record?.id ?? 'unsaved';
  // A chunk's summary would count its rows only: the run is summarized once, when every chunk has ended.
  if (store && record && !options.chunk) {
    await store
      .writeSummary(runId, {
        metrics: aggregates,
        perMetric: recorder.perMetricRecords(),
        run: {
          status,
          finished_at: new Date().toISOString(),
          rows_done: recorder.rowsDone,
          error_count: perMetric.reduce((sum, m) => sum + m.errors, 0),
          input_tokens: usage.inputTokens,
          output_tokens: usage.outputTokens,
          cost_usd: costUsd,
          error: stop instanceof ProviderError ? stop.describe() : (stop?.message ?? null),
          metric_info: JSON.stringify(runMetricInfo(run.metrics, recorder.metricValues())),
        },
      })
      .catch((error: unknown) => {
        // The run stays `running`, which --resume takes as it takes an interrupted run.
        const note = `the run could not be marked ${status} and stays 'running'; --resume finishes it all the same`;
        if (stop instanceof RunStopped) stop = new RunStopped(stop.reason, `${stop.message}; ${note}`);
        else if (!stop) stop = new RunStopped('storage', `${describeWriteFailure(error, store.where).message}; ${note}`);
      });
  }
  if (stop instanceof ProviderError) {
    throw new ProviderError(`${stop.message}${record ? ` (run ${runId} is marked failed; its finished rows are kept)` : ''}`, {
      ...(stop.status !== undefined ? { status: stop.status } : {}),
      ...(stop.hint ? { hint: stop.hint } : {}),
      cause: stop,
    });
  }
  const table = options.resume && store && options.collectTable !== false ? await store.table(runId) : (recorder.table() ?? []);
  return {
    runId,
    runName: record?.name ?? options.runName ?? 'unsaved',
    experiment: record ? (options.experiment ?? (await store!.getRun(runId)).experiment) : (options.experiment ?? 'default'),
    status: stop ? 'interrupted' : 'finished',
    ...(stop ? { stopReason: stop.message } : {}),
    ...(stop instanceof RunStopped ? { stoppedBy: stop.reason } : {}),
    metrics: aggregates,
    tables: { eval_results_table: table },
    errors: Object.fromEntries(perMetric.map((m) => [m.metric, m.errors])),
    perMetric,
    failedMetrics,
    skippedMetrics: run.skipped,
    ...(run.defaultJudgeModel ? { defaultJudgeModel: run.defaultJudgeModel } : {}),
    thresholds,
    passed: runPassed({ finished: !stop, failedMetrics, thresholds }),
    rowCount: datasetInfo.rowCount,
    usage,
    costUsd,
    calls: {
      made: scheduler.stats.calls,
      cached: calls.cache?.hits ?? 0,
      retries: scheduler.stats.retries,
      rateLimited: scheduler.stats.rateLimited,
    },
    ...(store ? { storedAt: store.where } : {}),
    dataset: datasetInfo,
  };
}

/**
 * Rows in flight by default: twice the largest provider concurrency (64 at least). A row spends time
 * outside its call — the cache lookup, parsing, the write — in which its slot would stand idle: with as
 * many rows as slots, a worker kept 64 calls of 100 ms at 1.7× their time; with twice, 1.35×.
 */
function busyRows(options: EvaluateOptions): number {
  return Math.max(64, ...Object.values(options.providers ?? {}).map((limits) => 2 * (limits.maxConcurrency ?? 0)));
}

/** True when starting one more row could pass the budget, judging by the average row so far. */
function wouldPassBudget(recorder: Recorder, maxCostUsd: number, inFlight: number): boolean {
  const spent = recorder.costUsd();
  const perRow = recorder.rowsDone > 0 ? spent / recorder.rowsDone : 0;
  return spent + perRow * (inFlight + 1) > maxCostUsd;
}

/** What is stored as the config of a run made from TypeScript: everything but functions and secrets. */
function configSnapshot(options: EvaluateOptions): unknown {
  return {
    data: typeof options.data === 'string' ? options.data : `<${options.data.length} records>`,
    model: typeof options.model === 'function' ? '<function>' : options.model,
    model_type: options.modelType,
    col_mapping: options.colMapping,
    judge_model: options.judgeModel,
    metrics: [...(options.metrics ?? []), ...(options.extraMetrics ?? [])].map((m) =>
      typeof m === 'string' ? m : 'prepare' in m ? (m.judge ?? metricKey(m)) : m,
    ),
    thresholds: options.thresholds,
  };
}
