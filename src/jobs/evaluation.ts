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

/** One run's progress from the progress of each of its chunks (each counting its own rows). */
export function combineProgress(parts: EvaluationProgress[]): EvaluationProgress {
  const metrics = new Map<string, EvaluationProgress['metrics'][number]>();
  for (const part of parts) {
    for (const m of part.metrics) {
      const sum = metrics.get(m.metric) ?? { metric: m.metric, done: 0, errors: 0, cost_usd: 0 };
      metrics.set(m.metric, {
        metric: m.metric,
        done: sum.done + m.done,
        errors: sum.errors + m.errors,
        cost_usd: sum.cost_usd + m.cost_usd,
      });
    }
  }
  const total = (key: 'rows_done' | 'errors' | 'calls' | 'cache_hits' | 'cost_usd') => parts.reduce((sum, part) => sum + part[key], 0);
  return {
    rows_done: total('rows_done'),
    row_count: Math.max(0, ...parts.map((part) => part.row_count)),
    errors: total('errors'),
    calls: total('calls'),
    cache_hits: total('cache_hits'),
    cost_usd: total('cost_usd'),
    metrics: [...metrics.values()],
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
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
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
    // evaluate() marks its run failed when a provider refuses it; after any other fault the run is closed here
    // (a chunk's fault is not the run's: the chunk is run again, and the run is closed once, by its finish).
    if (runId && !options.chunk && !ctx.signal.aborted && (await new RunQueries(serverDb(ctx.store)).state(runId))?.status === 'running') {
      const message = error instanceof JurorError ? error.describe() : String((error as Error)?.message ?? error);
      await ctx.store.updateRun(runId, { status: 'failed', error: message, finished_at: new Date().toISOString() });
    }
    throw error;
  }
}
