/**
 * Jobs of kind `distill` (`POST /api/label-jobs/:id/distill`): a distilled judge trained on a label
 * job's labels, cross-validated and stored as the next version of its name — the same use case as
 * `juror distill` (src/distill/). The stored version names the label job it came from, so
 * `GET /api/label-jobs/:id/distilled` finds it.
 */
import { distillJudge, type DistillRequest } from '../../distill/index.js';
import type { LabelJobs } from '../../labeling/engine.js';
import type { JobHandler } from '../types.js';

/** What a `distill` job stores: the label job, and the request as checked by the route. */
export interface DistillPayload {
  label_job_id: string;
  request: DistillRequest;
}

/** The handler of `distill` jobs. */
export function distillHandler(labeling: LabelJobs): JobHandler<DistillPayload> {
  return async (job, ctx) => {
    const { label_job_id: labelJob, request } = job.payload;
    ctx.signal.throwIfAborted();
    const stored = await distillJudge(ctx.store, { labelJob, engine: labeling }, request);
    return { name: stored.name, version: stored.version };
  };
}
