/**
 * A job's evaluation: the same `evaluate()` as the CLI, over the job's store and signal, reporting
 * progress to the job and recording its run on it — so that a job run again after its process
 * stopped resumes that run from its stored rows, as `juror eval --resume` does.
 */
import { evaluate, type EvaluateOptions, type EvaluationResult, type Progress } from '../engine/evaluate.js';
import { JurorError } from '../errors.js';
import { RunQueries } from '../store/run-queries.js';
import { serverDb } from '../store/server-tables.js';
import type { JobContext, JobRecord } from './types.js';

/** A job's progress through an evaluation, as stored and served (`GET /api/jobs/:id`). */
export interface EvaluationProgress {
  rows_done: number;
  row_count: number;
  errors: number;
  calls: number;
  cache_hits: number;
  cost_usd: number;
  metrics: Array<{ metric: string; done: number; errors: number; cost_usd: number }>;
}

/** The engine's progress in the job's shape. */
export function toJobProgress(p: Progress): EvaluationProgress {
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

/**
 * Runs `options` as the job's evaluation (resuming the job's run when it has one). A run stopped
 * by the job's signal throws the stop; one stopped otherwise (a budget, a store refusing writes)
 * fails the job with the reason. A run left `running` by a fault is closed as failed.
 */
export async function runEvaluation(job: JobRecord, ctx: JobContext, options: EvaluateOptions): Promise<EvaluationResult> {
  let runId = job.run_id ?? undefined;
  let recorded: Promise<void> | undefined;
  try {
    const result = await evaluate({
      ...options,
      store: ctx.store,
      signal: ctx.signal,
      ...(runId ? { resume: runId } : {}),
      onRunCreated: (id) => {
        runId = id;
        recorded = ctx.runCreated(id);
      },
      onProgress: (p) => ctx.progress(toJobProgress(p)),
    });
    await recorded;
    if (result.status === 'interrupted') {
      ctx.signal.throwIfAborted();
      throw new Error(result.stopReason ?? 'the run stopped');
    }
    return result;
  } catch (error) {
    await recorded?.catch(() => undefined);
    // evaluate() marks its run failed when a provider refuses it; after any other fault the run is closed here.
    if (runId && !ctx.signal.aborted && (await new RunQueries(serverDb(ctx.store)).state(runId))?.status === 'running') {
      const message = error instanceof JurorError ? error.describe() : String((error as Error)?.message ?? error);
      await ctx.store.updateRun(runId, { status: 'failed', error: message, finished_at: new Date().toISOString() });
    }
    throw error;
  }
}
