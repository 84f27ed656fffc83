/** Jobs of every kind: `GET /api/jobs`, `GET /api/jobs/:id` (status, progress, errors) and `POST /api/jobs/:id/cancel`, through the job system. */
import type { FastifyInstance } from 'fastify';
import { FINAL_JOB_STATUSES, type JobRecord } from '../../jobs/types.js';
import type { ServerContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import { job, jobsList, jobsQuery, type Job, type JobProgress } from '../schemas/jobs.js';

export function jobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** A job in the API's shape, with the live progress of a running one. */
  const present = (record: JobRecord): Job => ({
    id: record.id,
    kind: record.kind,
    status: record.status,
    progress: (ctx.runner.liveProgress(record.id) ?? record.progress) as JobProgress | null,
    error: record.error,
    run_id: record.run_id,
    created_at: record.created_at,
    updated_at: record.updated_at,
  });

  route(app, {
    method: 'GET',
    url: '/api/jobs',
    summary: 'Jobs, newest first; of one kind or status with ?kind= and ?status=',
    tags: ['jobs'],
    query: jobsQuery,
    response: jobsList,
    handler: async ({ query }) => {
      const { jobs, total } = await ctx.runner.list({ kind: query.kind, status: query.status, limit: query.limit, offset: query.offset });
      return { jobs: jobs.map(present), total, limit: query.limit, offset: query.offset };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/jobs/:id',
    summary: "A job's status, progress and error",
    tags: ['jobs'],
    params: idParams,
    response: job,
    errors: [404],
    handler: async ({ params }) => {
      const found = await ctx.runner.get(params.id);
      if (!found) throw notFound('job', params.id);
      return present(found);
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/jobs/:id/cancel',
    summary: 'Stops a queued or running job: no new calls, finished rows kept; a run becomes interrupted (resumable), the job cancelled',
    description:
      'Answers once the job has stopped (or after 10 s, with the job as it is then). A label pass cancelled so cancels its label job.',
    tags: ['jobs'],
    params: idParams,
    response: job,
    errors: [404, 409],
    handler: async ({ params }) => {
      const found = await ctx.runner.get(params.id);
      if (!found) throw notFound('job', params.id);
      if (FINAL_JOB_STATUSES.includes(found.status)) {
        throw new ApiError(409, `job ${params.id} is not running (it is ${found.status})`, {
          hint: 'only queued or running jobs can be cancelled',
        });
      }
      const stopped = await ctx.runner.cancel(params.id);
      if (!stopped) throw new ApiError(409, `job ${params.id} is ${found.status} in another process`, { hint: 'cancel it where it runs' });
      return present(stopped);
    },
  });
}
