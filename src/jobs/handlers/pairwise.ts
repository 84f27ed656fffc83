/**
 * Jobs of kind `pairwise` (`POST /api/runs/compare/pairwise`): a pairwise judge reads each row's
 * outputs of two runs in both orders, as `juror compare` does (src/compare/pairwise.ts). The
 * payload holds the judge's definition, so a job resumed after a restart judges with the same one
 * and finishes its judging run; the report is read back from that run (GET …/pairwise/:id).
 */
import { comparePairwise } from '../../compare/pairwise.js';
import type { JudgeConfig } from '../../config/schema.js';
import { judgeFromConfig } from '../../judges/serialize.js';
import { runEvaluation } from '../evaluation.js';
import type { JobHandler } from '../types.js';

/** What a `pairwise` job stores. */
export interface PairwisePayload {
  a: string;
  b: string;
  /** The judge's definition in its config form. */
  judge: JudgeConfig;
  judge_model?: string | undefined;
  seed: number;
}

/** The handler of `pairwise` jobs. */
export function pairwiseHandler(): JobHandler<PairwisePayload> {
  return async (job, ctx) => {
    const { a, b, judge, judge_model: judgeModel, seed } = job.payload;
    await comparePairwise(ctx.store, a, b, judgeFromConfig(judge), {
      ...(judgeModel ? { judgeModel } : {}),
      env: ctx.env,
      seed,
      run: (options) => runEvaluation(job, ctx, options),
    });
  };
}
