/**
 * Jobs of kind `evaluate`: an evaluation of an uploaded dataset with a config sent over the API
 * (`POST /api/runs`). The payload is the config as checked and stored, and the dataset's id: enough
 * to build the run's options again in any process that sees the store and the data directory.
 */
import { join } from 'node:path';
import { configFromObject, type ObjectConfig } from '../../config/from-object.js';
import { NotFoundError } from '../../errors.js';
import { DatasetRepository, type DatasetRecord } from '../../store/datasets.js';
import { serverDb } from '../../store/server-tables.js';
import type { Store } from '../../store/store.js';
import { combineProgress, runEvaluation, type EvaluationProgress } from '../evaluation.js';
import type { ChunkedHandler, JobContext, JobHandler, JobRecord } from '../types.js';

/** What an `evaluate` job stores. */
export interface EvaluatePayload {
  dataset_id: string;
  /** The config as JSON, without `data`, with every threshold. */
  config: Record<string, unknown>;
}

/** The dataset of a job, checked, and the options its config makes (a bad config is a ConfigError naming the field). */
export async function evaluationOptions(
  store: Store,
  dataDir: string,
  payload: EvaluatePayload,
  env: Record<string, string | undefined>,
): Promise<{ checked: ObjectConfig; dataset: DatasetRecord; file: string }> {
  const dataset = await new DatasetRepository(serverDb(store)).get(payload.dataset_id);
  if (!dataset)
    throw new NotFoundError(`no dataset '${payload.dataset_id}'`, {
      where: { field: 'dataset_id' },
      hint: 'upload it first (POST /api/datasets), or list them with GET /api/datasets',
    });
  const file = join(dataDir, dataset.file);
  const checked = configFromObject({ ...payload.config, data: file }, dataDir);
  // The stored config names the upload, not the file it is kept in.
  checked.options = {
    ...checked.options,
    config: { ...payload.config, data: dataset.original_name },
    datasetRecord: datasetRecord(dataset),
    env,
  };
  return { checked, dataset, file };
}

/** The handler of `evaluate` jobs, over datasets kept in `dataDir`. */
export function evaluateHandler(dataDir: string): JobHandler<EvaluatePayload> {
  return async (job, ctx) => {
    const { checked } = await evaluationOptions(ctx.store, dataDir, job.payload, ctx.env);
    await runEvaluation(job, ctx, { ...checked.options, collectTable: false });
  };
}

/**
 * How `evaluate` jobs split into chunks of rows on workers: `plan` creates the run, each chunk judges
 * its rows of that run, and `finish` judges nothing more and writes the run's aggregates and status once.
 */
export function evaluateChunks(dataDir: string): ChunkedHandler<EvaluatePayload> {
  const options = async (job: JobRecord<EvaluatePayload>, ctx: JobContext) => ({
    ...(await evaluationOptions(ctx.store, dataDir, job.payload, ctx.env)).checked.options,
    collectTable: false,
  });
  return {
    plan: async (job, ctx) => ({
      rowCount: (await runEvaluation(job, ctx, { ...(await options(job, ctx)), chunk: { start: 0, end: 0 } })).rowCount,
    }),
    chunk: async (job, ctx, rows) => {
      await runEvaluation(job, ctx, { ...(await options(job, ctx)), chunk: rows });
    },
    finish: async (job, ctx) => {
      await runEvaluation(job, ctx, { ...(await options(job, ctx)), keepErrorRows: true });
    },
    combine: (parts) => combineProgress(parts as EvaluationProgress[]),
  };
}

/**
 * How a run of the server names its data: the uploaded dataset (id and name, and any `extra` facts)
 * rather than the file it is kept in. Given to evaluate() as `datasetRecord`, so the run is stored so.
 */
export function datasetRecord(dataset: DatasetRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: dataset.id, name: dataset.name, ...extra };
}
