/**
 * Fine-tunes of a label job's judge at the provider over HTTP: start one (a job of kind
 * `finetune` that uploads, creates and follows it), read one, list a label job's, cancel one.
 * The work is src/finetune/'s, the same the CLI does.
 */
import type { FastifyInstance } from 'fastify';
import { Finetunes } from '../../finetune/finetunes.js';
import type { FinetunePayload } from '../../jobs/handlers/finetune.js';
import type { JobRecord } from '../../jobs/types.js';
import type { FinetuneRecord } from '../../store/finetunes.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import { http } from './label-jobs.js';
import { createFinetuneBody, createFinetuneResponse, finetune, finetunesList, type Finetune } from '../schemas/finetunes.js';

export function finetuneRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const finetunes = new Finetunes({ store: ctx.store, labeling: ctx.labeling, env: ctx.env });

  /** The jobs following a label job's fine-tunes, newest first. */
  const jobsOf = async (labelJobId: string): Promise<Array<JobRecord<FinetunePayload>>> =>
    (await ctx.runner.list({ kind: 'finetune', target: labelJobId, limit: 500, offset: 0 })).jobs as Array<JobRecord<FinetunePayload>>;

  const present = async (record: FinetuneRecord, jobs: Array<JobRecord<FinetunePayload>>): Promise<Finetune> => {
    const versions = await ctx.store.judges.versionNames([record.base_judge_id]);
    return {
      id: record.id,
      label_job_id: record.label_job_id,
      status: record.status,
      base_model: record.base_model,
      suffix: record.suffix,
      epochs: record.epochs,
      examples: record.examples,
      training_file: record.training_file,
      provider_job_id: record.provider_job_id,
      fine_tuned_model: record.fine_tuned_model,
      model: record.fine_tuned_model ? `openai:/${record.fine_tuned_model}` : null,
      judge: {
        name: record.judge_name,
        base_version: versions.get(record.base_judge_id) ?? null,
        version: record.judge_version,
        id: record.judge_id,
      },
      error: record.error,
      trained_tokens: record.trained_tokens,
      events: record.events,
      job_id: jobs.find((j) => j.payload?.finetune_id === record.id)?.id ?? null,
      created_at: record.created_at,
      updated_at: record.updated_at,
    };
  };

  const found = async (id: string): Promise<FinetuneRecord> => {
    const record = await finetunes.repository.get(id);
    if (!record)
      throw new ApiError(404, `no fine-tune '${id}'`, { hint: "list a label job's fine-tunes with GET /api/label-jobs/:id/finetunes" });
    return record;
  };

  route(app, {
    method: 'POST',
    url: '/api/label-jobs/:id/finetune',
    summary: "Fine-tunes the label job's judge at OpenAI on its labelled rows; on success the fine-tuned model is a new judge version",
    description:
      "Checked first (an unknown label job is a 404, one still labelling a 409; a model not at OpenAI, no OPENAI_API_KEY on the server or no labelled row a 400), nothing uploaded then. A job of kind finetune uploads the label job's fine-tuning export (GET /api/label-jobs/:id/export/finetune), creates the fine-tuning job and follows it: GET /api/finetunes/:id. Its measure is the normal align (POST /api/judges/:name/align with the new version).",
    tags: ['label jobs'],
    params: idParams,
    body: createFinetuneBody,
    status: 202,
    response: createFinetuneResponse,
    errors: [404, 409],
    handler: ({ params, body }) =>
      http(async () => {
        const record = await finetunes.create(
          { labelJobId: params.id, model: body.model, suffix: body.suffix, epochs: body.epochs },
          { model: 'model', suffix: 'suffix', epochs: 'epochs' },
        );
        const job = await ctx.runner.start<FinetunePayload>('finetune', { finetune_id: record.id }, { target: record.label_job_id });
        return { id: record.id, job_id: job.id, status: record.status };
      }),
  });

  route(app, {
    method: 'GET',
    url: '/api/label-jobs/:id/finetunes',
    summary: "A label job's fine-tunes, newest first",
    tags: ['label jobs'],
    params: idParams,
    response: finetunesList,
    errors: [404],
    handler: ({ params }) =>
      http(async () => {
        const job = await ctx.labeling.get(params.id);
        const [records, jobs] = await Promise.all([finetunes.ofLabelJob(job.id), jobsOf(job.id)]);
        return { finetunes: await Promise.all(records.map((record) => present(record, jobs))) };
      }),
  });

  route(app, {
    method: 'GET',
    url: '/api/finetunes/:id',
    summary: "A fine-tune: the provider's status and events as last seen, the fine-tuned model and the judge version using it",
    tags: ['label jobs'],
    params: idParams,
    response: finetune,
    errors: [404],
    handler: async ({ params }) => {
      const record = await found(params.id);
      return present(record, await jobsOf(record.label_job_id));
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/finetunes/:id/cancel',
    summary: 'Cancels a fine-tune at the provider (and the job following it)',
    tags: ['label jobs'],
    params: idParams,
    response: finetune,
    errors: [404, 409],
    handler: async ({ params }) => {
      const record = await found(params.id);
      if (['succeeded', 'failed', 'cancelled'].includes(record.status))
        throw new ApiError(409, `fine-tune ${record.id} has already ended: ${record.status}`, {
          hint: 'only a fine-tune still pending, validating, queued or running can be cancelled',
        });
      const jobs = await jobsOf(record.label_job_id);
      const following = jobs.find((j) => j.payload?.finetune_id === record.id && (j.status === 'queued' || j.status === 'running'));
      // The job cancels at the provider as it stops; without one (submitted by the CLI), it is done here.
      if (following) await ctx.runner.cancel(following.id);
      return present(await finetunes.cancel(record.id), await jobsOf(record.label_job_id));
    },
  });
}
