/**
 * Jobs of kind `align`: a stored judge version judges the rows people labelled (a run of
 * experiment `align`), then its agreement with them is compared and stored under the version
 * (`POST /api/judges/:name/align`). The payload pins the version by id, so a job resumed after a
 * restart checks the same definition even if a newer version was stored meanwhile.
 */
import { compareRun, recordAlignment } from '../../align/check.js';
import { planStoredCheck, type StoredCheck, type StoredCheckInput } from '../../align/stored-check.js';
import type { EvaluateOptions } from '../../engine/evaluate.js';
import { judgeToConfig } from '../../judges/serialize.js';
import { judgeMetric } from '../../metrics/judge-metric.js';
import { metricKey } from '../../metrics/metric.js';
import type { Store } from '../../store/store.js';
import { runEvaluation } from '../evaluation.js';
import type { JobHandler } from '../types.js';
import { datasetRecord } from './evaluate.js';

/** What an `align` job stores: the judge's name and the request, its version pinned by `judge_id`. */
export interface AlignPayload {
  name: string;
  check: StoredCheckInput & {
    col_mapping?: Record<string, string> | undefined;
    judge_model?: string | undefined;
    seed: number;
    cache: boolean;
  };
}

/** Plans the check (every label, the judge and its model checked; a Juror error names the request's field). */
export async function planAlignment(store: Store, dataDir: string, payload: AlignPayload): Promise<StoredCheck> {
  return planStoredCheck({ store, dataDir }, payload.name, payload.check);
}

/** The run options of a planned check. */
function alignOptions(plan: StoredCheck, check: AlignPayload['check'], env: Record<string, string | undefined>): EvaluateOptions {
  const { judge, dataset, labelled } = plan;
  return {
    data: labelled.records,
    metrics: [judgeMetric(judge)],
    ...(check.col_mapping ? { colMapping: check.col_mapping } : {}),
    ...(check.judge_model ? { judgeModel: check.judge_model } : {}),
    experiment: 'align',
    cache: check.cache,
    runName: `align-${judge.name}-${judge.version}`,
    config: {
      command: 'align',
      judge: judgeToConfig(judge),
      dataset_id: dataset.id,
      human_col: check.human_col ?? null,
      col_mapping: check.col_mapping ?? {},
      judge_model: check.judge_model ?? null,
      threshold: check.threshold ?? null,
      seed: check.seed,
      cache: check.cache,
    },
    datasetRecord: datasetRecord(dataset, { labelled_rows: labelled.rows.length }),
    collectTable: true,
    env,
  };
}

/** The handler of `align` jobs, over datasets kept in `dataDir`. */
export function alignHandler(dataDir: string): JobHandler<AlignPayload> {
  return async (job, ctx) => {
    const plan = await planAlignment(ctx.store, dataDir, job.payload);
    const result = await runEvaluation(job, ctx, alignOptions(plan, job.payload.check, ctx.env));
    const report = compareRun(result, metricKey(judgeMetric(plan.judge)), plan.scheme, plan.labelled.labels, {
      seed: job.payload.check.seed,
    });
    await recordAlignment(ctx.store, {
      judge: plan.judge,
      runId: result.runId,
      dataHash: plan.dataset.hash,
      datasetId: plan.dataset.id,
      report,
    });
  };
}
