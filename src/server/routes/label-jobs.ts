/**
 * Label jobs (LLM Judge++) over HTTP: start one, follow it, review its sample (or resample with a
 * revised prompt), cancel it, find the rows the judge is least sure of, its agreement with the
 * reviewers, and its labels as fine-tuning data (a judge's agreement history: routes/judges.ts).
 * The work is done by the label-job engine (src/labeling/), the same the CLI uses.
 */
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { LabelJobError } from '../../labeling/errors.js';
import type { LabelJobRecord } from '../../store/label-jobs.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { toJson } from '../../data/write.js';
import { route } from '../route.js';
import { distillRoutes } from './distill.js';
import { errorBody, idParams } from '../schemas/common.js';
import {
  createLabelJobBody,
  createLabelJobResponse,
  labelAgreement,
  labelJob,
  labelJobQuery,
  labelJobsList,
  labelJobsQuery,
  resampleBody,
  reviewBody,
  uncertainQuery,
  uncertainResponse,
  type LabelJob,
} from '../schemas/label-jobs.js';

export function labelJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const engine = ctx.labeling;
  const present = async (job: LabelJobRecord, page = { offset: 0, limit: 100 }): Promise<LabelJob> => {
    const [labels, uncertain, progress] = await Promise.all([
      engine.labelsPage(job.id, page),
      engine.uncertainRows(job),
      engine.progress(job),
    ]);
    const { criterion, progress: _stored, judge_id: _judgeId, ...rest } = job;
    return {
      ...rest,
      criterion,
      uncertain,
      judge: currentJudge(job),
      progress,
      ...labels,
    };
  };

  route(app, {
    method: 'POST',
    url: '/api/label-jobs',
    summary:
      'Starts a label job: the judge labels every row of the dataset, or with review: true a seeded sample for a person to review first',
    description:
      "The criterion is checked against the dataset first (a 400 names the field; nothing is created). Follow it with GET /api/label-jobs/:id until completed (LastMile's label, wait, download), or with review: true until awaiting_review, then POST /api/label-jobs/:id/review.",
    tags: ['label jobs'],
    body: createLabelJobBody,
    status: 202,
    response: createLabelJobResponse,
    errors: [404],
    handler: ({ body }) =>
      http(async () => {
        const job = await engine.create({
          datasetId: body.dataset_id,
          prompt: body.prompt,
          builtin: body.builtin,
          output: body.output,
          model: body.model,
          examples: body.examples,
          sampleSize: body.sample_size,
          seed: body.seed,
          name: body.name,
          colMapping: body.col_mapping,
          review: body.review,
        });
        return { job_id: job.id, status: job.status };
      }),
  });

  route(app, {
    method: 'GET',
    url: '/api/label-jobs',
    summary: 'Label jobs, newest first; of one dataset or status with ?dataset_id= and ?status=',
    tags: ['label jobs'],
    query: labelJobsQuery,
    response: labelJobsList,
    handler: async ({ query }) => {
      const { jobs, total } = await engine.jobs.list({
        datasetId: query.dataset_id,
        status: query.status,
        limit: query.limit,
        offset: query.offset,
      });
      const progress = await Promise.all(jobs.map((job) => engine.progress(job)));
      return {
        jobs: jobs.map((job, i) => ({
          id: job.id,
          dataset_id: job.dataset_id,
          name: job.name,
          status: job.status,
          judge: currentJudge(job),
          criterion: job.criterion,
          sample_size: job.sample_size,
          progress: progress[i]!,
          error: job.error,
          versions: job.versions.length,
          created_at: job.created_at,
          updated_at: job.updated_at,
        })),
        total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/label-jobs/:id',
    summary: 'A label job: status, progress, and its labels — the sample while in review, every row (paged) once completed',
    tags: ['label jobs'],
    params: idParams,
    query: labelJobQuery,
    response: labelJob,
    errors: [404],
    handler: ({ params, query }) => http(async () => present(await engine.get(params.id), query)),
  });

  route(app, {
    method: 'POST',
    url: '/api/label-jobs/:id/review',
    summary: "Submits a person's labels of the sample (or uncertain rows) and labels every other row with them as few-shot examples",
    description:
      'Rows must be in the sample or among the uncertain rows; labels must fit the output kind (400 naming labels[i].label). A revised prompt or any label makes a new judge version. Needs awaiting_review (409 otherwise).',
    tags: ['label jobs'],
    params: idParams,
    body: reviewBody,
    response: labelJob,
    errors: [404, 409],
    handler: ({ params, body }) => http(async () => present(await engine.review(params.id, body.labels, { prompt: body.prompt }))),
  });

  route(app, {
    method: 'POST',
    url: '/api/label-jobs/:id/resample',
    summary:
      'Re-labels the sample with a revised prompt (and any labels given as examples), as a new judge version, and returns to awaiting_review',
    tags: ['label jobs'],
    params: idParams,
    body: resampleBody,
    response: labelJob,
    errors: [404, 409],
    handler: ({ params, body }) =>
      http(async () => present(await engine.resample(params.id, { labels: body?.labels, prompt: body?.prompt }))),
  });

  route(app, {
    method: 'POST',
    url: '/api/label-jobs/:id/cancel',
    summary: 'Stops a label job; labels of finished rows are kept',
    description: 'Answers once the job has stopped (or after 10 s). A job that already ended is a 409.',
    tags: ['label jobs'],
    params: idParams,
    response: labelJob,
    errors: [404, 409],
    handler: ({ params }) => http(async () => present(await engine.cancel(params.id))),
  });

  route(app, {
    method: 'GET',
    url: '/api/label-jobs/:id/uncertain',
    summary:
      'Rows the judge is least sure of, with why: k samples per candidate row at a temperature above 0 (or two judge models) that disagree',
    description:
      'Makes k judge calls per candidate row (up to `pool` rows without a human label, outside the sample). The rows returned may then be reviewed. Needs awaiting_review.',
    tags: ['label jobs'],
    params: idParams,
    query: uncertainQuery,
    response: uncertainResponse,
    errors: [404, 409],
    handler: ({ params, query }) =>
      http(async () => ({
        job_id: params.id,
        ...(await engine.uncertain(params.id, {
          k: query.k,
          limit: query.limit,
          pool: query.pool,
          temperature: query.temperature,
          compareModel: query.compare_model,
        })),
      })),
  });

  route(app, {
    method: 'GET',
    url: '/api/label-jobs/:id/agreement',
    summary: "Each judge version's agreement with the human labels of the reviewed rows (accuracy, κ, α, F1 with bootstrap intervals)",
    description:
      'Rows that are few-shot examples of a version are left out of its comparison. Each computation is stored: GET /api/judges/:name/agreement is its history.',
    tags: ['label jobs'],
    params: idParams,
    response: labelAgreement,
    errors: [404],
    handler: ({ params }) => http(() => engine.agreement(params.id)),
  });

  app.route({
    method: 'GET',
    url: '/api/label-jobs/:id/export/finetune',
    schema: {
      summary:
        'The labelled rows as chat-format fine-tuning data (JSON Lines): the judge prompt as sent, and the final label with its justification as the answer',
      tags: ['label jobs'],
      params: idParams,
      response: {
        200: {
          description: 'one {"messages": [system, user, assistant]} object per line',
          content: { 'application/x-ndjson': { schema: { type: 'string' } } },
        },
        400: errorBody,
        401: errorBody,
        404: errorBody,
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const job = await http(() => engine.get(id));
      const lines = Readable.from(
        (async function* () {
          for await (const example of engine.finetune(job.id)) yield `${toJson(example)}\n`;
        })(),
      );
      reply.type('application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="${job.name}-finetune.jsonl"`);
      return reply.send(lines);
    },
  });

  distillRoutes(app, ctx);
}

/** The judge version a job labels with now, or null before its first. */
function currentJudge(job: LabelJobRecord): LabelJob['judge'] {
  const version = job.versions.find((v) => v.judge_id === job.judge_id);
  return job.judge_id && version ? { id: job.judge_id, name: job.name, version: version.version } : null;
}

/** Runs an engine call, its not-found and conflict errors answered as 404 and 409. */
export async function http<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LabelJobError) {
      throw new ApiError(error.code === 'not_found' ? 404 : 409, error.message, {
        ...(error.where.field ? { field: error.where.field } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    throw error;
  }
}
