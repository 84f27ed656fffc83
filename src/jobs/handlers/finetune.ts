/**
 * Jobs of kind `finetune` (`POST /api/label-jobs/:id/finetune`): upload the label job's export,
 * create the provider's fine-tuning job and follow it to its end, storing the judge version with
 * the fine-tuned model on success (src/finetune/). Each step is stored as it happens, so a job
 * resumed after a restart neither uploads nor creates anything twice. Cancelling the job cancels
 * the fine-tune at the provider; a fine-tune that fails or is cancelled there fails the job with
 * the provider's message. Its state is the fine-tune's (GET /api/finetunes/:id), not a job progress.
 */
import { Finetunes } from '../../finetune/finetunes.js';
import type { LabelJobs } from '../../labeling/engine.js';
import { cancelled, type JobHandler } from '../types.js';

/** What a `finetune` job stores: the fine-tune it submits and follows. */
export interface FinetunePayload {
  finetune_id: string;
}

/** The handler of `finetune` jobs, for fine-tunes of `labeling`'s label jobs. */
export function finetuneHandler(labeling: LabelJobs): JobHandler<FinetunePayload> {
  return async (job, ctx) => {
    const finetunes = new Finetunes({ store: ctx.store, labeling, env: ctx.env });
    const id = job.payload.finetune_id;
    try {
      await finetunes.submit(id, ctx.signal);
      const ended = await finetunes.follow(id, { signal: ctx.signal });
      if (ended.status === 'failed') throw new Error(`the fine-tune failed at the provider: ${ended.error}`);
      if (ended.status === 'cancelled') throw new Error('the fine-tune was cancelled at the provider');
      return { judge: ended.judge_name, version: ended.judge_version, model: `openai:/${ended.fine_tuned_model}` };
    } catch (error) {
      if (cancelled(ctx.signal)) await finetunes.cancel(id);
      throw error;
    }
  };
}
