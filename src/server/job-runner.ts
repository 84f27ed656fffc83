/**
 * Runs evaluations in the background for `POST /api/runs`, with the same `evaluate()` as the
 * CLI. A job starts `evaluate()` and waits for its `onRunCreated` hook, so that every check
 * `evaluate()` makes before its first call has passed (a failure there is the request's error,
 * and nothing is created) and the run exists before the job is answered. Each job has an
 * AbortController: cancelling aborts the run's signal, so the run stops gracefully (finished rows
 * kept, status `interrupted`, resumable) and the job ends `cancelled`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { evaluate, type EvaluateOptions, type EvaluationResult, type Progress } from '../engine/evaluate.js';
import { JurorError } from '../errors.js';
import type { JobRepository } from '../store/jobs.js';
import type { RunQueries } from '../store/run-queries.js';
import type { JobStatus } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import type { JobProgress } from './schemas/jobs.js';

/** How often a running job's progress is written to the store, at most. */
const PROGRESS_WRITE_MS = 500;

interface ActiveJob {
  runId: string;
  controller: AbortController;
  progress: JobProgress;
  cancelRequested: boolean;
  done: Promise<void>;
  /** Called after each progress update, once the job is recorded. */
  onProgress?: () => void;
  /** Work on the finished run before the job completes (a failure fails the job). */
  onFinished?: ((result: EvaluationResult) => Promise<void>) | undefined;
}

export class JobRunner {
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    private readonly store: Store,
    private readonly jobs: JobRepository,
    private readonly runs: RunQueries,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Starts `evaluate()` and resolves once its run exists and the job is recorded. Rejects with
   * evaluate's own error (ConfigError, InputError…) when it stops before creating the run.
   * `onRunCreated`, when given, may complete the run's record before the job is answered; `after.onFinished`
   * works on the finished run (with its results table when `after.collectTable`) before the job
   * completes.
   */
  async startEvaluation(
    options: EvaluateOptions,
    rowCount: number,
    onRunCreated?: (runId: string) => Promise<void>,
    after: { collectTable?: boolean; onFinished?: (result: EvaluationResult) => Promise<void> } = {},
  ): Promise<{ runId: string; jobId: string }> {
    const entry: ActiveJob = { runId: '', controller: new AbortController(), progress: emptyProgress(rowCount), cancelRequested: false, done: Promise.resolve(), onFinished: after.onFinished };
    let created!: (runId: string) => void;
    const runCreated = new Promise<string>((resolve) => (created = resolve));
    const evaluation = evaluate({
      ...options,
      store: this.store,
      collectTable: after.collectTable ?? false,
      signal: entry.controller.signal,
      onRunCreated: (runId) => created(runId),
      onProgress: (p) => {
        entry.progress = toJobProgress(p);
        entry.onProgress?.();
      },
    });
    entry.runId = await Promise.race([
      runCreated,
      evaluation.then(() => {
        throw new Error('evaluate() finished without creating a run');
      }),
    ]);
    let jobId: string;
    try {
      await onRunCreated?.(entry.runId);
      jobId = (await this.jobs.create({ kind: 'evaluate', runId: entry.runId, status: 'running', progress: entry.progress })).id;
    } catch (error) {
      // Nothing half-written: stop the run just started and remove it.
      entry.controller.abort();
      await evaluation.catch(() => undefined);
      await this.runs.deleteRun(entry.runId);
      throw error;
    }
    this.active.set(jobId, entry);
    entry.done = this.follow(jobId, entry, evaluation).finally(() => this.active.delete(jobId));
    return { runId: entry.runId, jobId };
  }

  /** The live progress of a running job (fresher than the stored one), or undefined. */
  liveProgress(jobId: string): JobProgress | undefined {
    return this.active.get(jobId)?.progress;
  }

  /** The id of the job of this server running this run, if one is. */
  jobRunning(runId: string): string | undefined {
    for (const [id, entry] of this.active) if (entry.runId === runId) return id;
    return undefined;
  }

  /**
   * Asks a running job to stop; resolves when it has stopped or after `waitMs`, whichever is
   * first. False when the job is not running in this server.
   */
  async cancel(jobId: string, waitMs = 10_000): Promise<boolean> {
    const entry = this.active.get(jobId);
    if (!entry) return false;
    entry.cancelRequested = true;
    entry.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([entry.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    return true;
  }

  /** Stops every running job and waits for each to record its end. */
  async shutdown(): Promise<void> {
    for (const entry of this.active.values()) {
      entry.cancelRequested = true;
      entry.controller.abort();
    }
    await Promise.all([...this.active.values()].map((entry) => entry.done));
  }

  /** Records the job's progress as it goes, and its end. */
  private async follow(jobId: string, entry: ActiveJob, evaluation: Promise<EvaluationResult>): Promise<void> {
    // Writes are chained so they land in order, and the final status lands after them.
    let writes: Promise<void> = Promise.resolve();
    const write = (patch: { status?: JobStatus; progress?: unknown; error?: string | null }) => {
      writes = writes.then(() => this.jobs.update(jobId, patch)).catch((error: unknown) => this.log.error({ err: error, jobId }, 'cannot record job progress'));
      return writes;
    };
    let lastWrite = Date.now();
    entry.onProgress = () => {
      if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
      lastWrite = Date.now();
      void write({ progress: entry.progress });
    };
    try {
      const result = await evaluation;
      const stopped = result.status === 'interrupted';
      if (!stopped) await entry.onFinished?.(result);
      await write({ status: stopped ? (entry.cancelRequested ? 'cancelled' : 'failed') : 'completed', progress: entry.progress, error: stopped ? (result.stopReason ?? 'stopped') : null });
    } catch (error) {
      const message = error instanceof JurorError ? error.describe() : String((error as Error)?.message ?? error);
      if (!(error instanceof JurorError)) this.log.error({ err: error, jobId, runId: entry.runId }, 'evaluation failed');
      // evaluate() marks its run failed when a provider refuses it; after any other fault the run is closed here.
      const state = await this.runs.state(entry.runId);
      if (state?.status === 'running') await this.store.updateRun(entry.runId, { status: 'failed', error: message, finished_at: new Date().toISOString() });
      await write({ status: 'failed', progress: entry.progress, error: message });
    }
  }
}

/** The engine's progress in the API's shape. */
export function toJobProgress(p: Progress): JobProgress {
  return {
    rows_done: p.rowsDone,
    row_count: p.rowCount,
    errors: p.errors,
    calls: p.calls,
    cache_hits: p.cacheHits,
    cost_usd: p.costUsd,
    metrics: p.metrics.map((m) => ({ metric: m.metric, done: m.done, errors: m.errors, cost_usd: m.costUsd })),
  };
}

function emptyProgress(rowCount: number): JobProgress {
  return { rows_done: 0, row_count: rowCount, errors: 0, calls: 0, cache_hits: 0, cost_usd: 0, metrics: [] };
}
