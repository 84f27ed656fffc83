/** Jobs: `GET /api/jobs`, `GET /api/jobs/:id` (status, progress, errors) and `POST /api/jobs/:id/cancel`. */
import type { FastifyInstance } from 'fastify';
import type { JobRecord } from '../../store/jobs.js';
import type { ServerContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import { job, jobsList, jobsQuery, type Job, type JobProgress } from '../schemas/jobs.js';

export function jobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** A job with the live progress of a running one. */
  const present = (record: JobRecord): Job => ({ ...record, progress: ctx.runner.liveProgress(record.id) ?? (record.progress as JobProgress | null) });

  route(app, {
    method: 'GET',
    url: '/api/jobs',
    summary: 'Jobs, newest first',
    tags: ['jobs'],
    query: jobsQuery,
    response: jobsList,
    handler: async ({ query }) => {
      const { jobs, total } = await ctx.jobs.list({ ...(query.status ? { status: query.status } : {}), limit: query.limit, offset: query.offset });
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
      const found = await ctx.jobs.get(params.id);
      if (!found) throw notFound('job', params.id);
      return present(found);
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/jobs/:id/cancel',
    summary: 'Stops a running job: no new calls, finished rows kept; the run becomes interrupted (resumable), the job cancelled',
    description: 'Answers once the job has stopped (or after 10 s, with the job as it is then).',
    tags: ['jobs'],
    params: idParams,
    response: job,
    errors: [404, 409],
    handler: async ({ params }) => {
      const found = await ctx.jobs.get(params.id);
      if (!found) throw notFound('job', params.id);
      if (!(await ctx.runner.cancel(params.id))) {
        throw new ApiError(409, `job ${params.id} is not running (it is ${found.status})`, { hint: 'only queued or running jobs can be cancelled' });
      }
      return present((await ctx.jobs.get(params.id))!);
    },
  });
}
