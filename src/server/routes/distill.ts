/**
 * Distilled judges over HTTP: train one from a label job's labels (a job of kind `distill`, the
 * same use case as `juror distill`), list a label job's, and list every stored one beside the LLM
 * judges. Registered with the label-job routes.
 */
import type { FastifyInstance } from 'fastify';
import { listDistilled, type DistilledSummary } from '../../distill/index.js';
import type { DistillPayload } from '../../jobs/handlers/distill.js';
import type { ServerContext } from '../context.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import { distillBody, distilledList, distillResponse } from '../schemas/distill.js';
import { http } from './label-jobs.js';

/** A stored version as the API shows it (its report as a plain object). */
const present = (version: DistilledSummary) => ({ ...version, report: { ...version.report } });

export function distillRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'POST',
    url: '/api/label-jobs/:id/distill',
    summary:
      "Trains a distilled judge on the label job's labels: cross-validated, calibrated, stored as a new judge version of kind distilled",
    description:
      "An unknown label job is a 404. A job of kind distill reads each labelled row's current label (a person's, else the LLM judge's) and the columns the criterion reads, trains with k-fold cross-validation and stores the next version of `name`; GET /api/jobs/:job_id follows it, GET /api/label-jobs/:id/distilled lists the versions with their reports. Usable as the metric { metric: distilled, judge, version }.",
    tags: ['label jobs'],
    params: idParams,
    body: distillBody,
    status: 202,
    response: distillResponse,
    errors: [404],
    handler: ({ params, body }) =>
      http(async () => {
        const job = await ctx.labeling.get(params.id);
        const name = body.name ?? job.name;
        const request = {
          name,
          ...(body.folds !== undefined ? { folds: body.folds } : {}),
          ...(body.features ? { features: body.features } : {}),
          ...(body.embedding_model ? { embedding_model: body.embedding_model } : {}),
          ...(body.seed !== undefined ? { seed: body.seed } : {}),
        };
        const started = await ctx.runner.start<DistillPayload>('distill', { label_job_id: job.id, request }, { target: job.id });
        return { job_id: started.id, name };
      }),
  });

  route(app, {
    method: 'GET',
    url: '/api/label-jobs/:id/distilled',
    summary: 'The distilled judges trained on this label job, oldest first, with their cross-validated reports',
    tags: ['label jobs'],
    params: idParams,
    response: distilledList,
    errors: [404],
    handler: ({ params }) =>
      http(async () => {
        const job = await ctx.labeling.get(params.id);
        return { versions: (await listDistilled(ctx.store)).filter((v) => v.source.label_job_id === job.id).map(present) };
      }),
  });

  route(app, {
    method: 'GET',
    url: '/api/distilled',
    summary: 'Every stored distilled judge version with its cross-validated report (weights left out), by name',
    tags: ['judges'],
    response: distilledList,
    handler: async () => ({ versions: (await listDistilled(ctx.store)).map(present) }),
  });
}
