/**
 * Monitors (issue #13): `POST /api/monitors`, `GET /api/monitors`, `GET/PATCH/DELETE /api/monitors/:id`,
 * and a monitor's window aggregates (`/series`), a window's interactions with their scores (`/interactions`)
 * and alert events (`/alerts`).
 */
import type { FastifyInstance } from 'fastify';
import type { MonitorSpec } from '../../monitoring/monitor-spec.js';
import { series } from '../../monitoring/windows.js';
import { MonitorRepository, type MonitorRecord } from '../../store/monitors.js';
import type { ServerContext } from '../context.js';
import { notFound } from '../errors.js';
import { createMonitor, deleteMonitor, patchMonitor } from '../monitors.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import { deleteRunResponse } from '../schemas/runs.js';
import {
  alertsResponse,
  createMonitorBody,
  createMonitorResponse,
  monitorDetail,
  monitorsList,
  patchMonitorBody,
  seriesQuery,
  seriesResponse,
  windowInteractionsQuery,
  windowInteractionsResponse,
} from '../schemas/monitors.js';

const DAY_MS = 86_400_000;

export function monitorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const repo = new MonitorRepository(ctx.store);
  const detail = async (monitor: MonitorRecord<MonitorSpec>) => {
    const [lag, { jobs }, metrics] = await Promise.all([
      repo.lag(monitor.id),
      ctx.runner.list({ kind: 'monitor', target: monitor.id, limit: 1, offset: 0 }),
      repo.scoredMetrics(monitor.id),
    ]);
    const job = jobs[0] ? { id: jobs[0].id, status: jobs[0].status, error: jobs[0].error } : null;
    return { ...monitor, judged: lag.scored, metrics, lag_ms: { mean: lag.mean_ms, max: lag.max_ms }, job };
  };
  const found = async (id: string) => (await repo.get<MonitorSpec>(id)) ?? Promise.reject(notFound('monitor', id));

  route(app, {
    method: 'POST',
    url: '/api/monitors',
    summary: 'Creates a monitor: judges that score sampled production interactions as they arrive',
    description:
      "The metrics are entries as under `metrics:` in juror.yaml, checked as a run's config is: a bad monitor is a 400 naming the field, and nothing is created.",
    tags: ['monitoring'],
    body: createMonitorBody,
    status: 201,
    response: createMonitorResponse,
    handler: async ({ body }) => createMonitor(ctx, body),
  });

  route(app, {
    method: 'GET',
    url: '/api/monitors',
    summary: 'Monitors, newest first, with how many interactions each judged and its lag',
    tags: ['monitoring'],
    response: monitorsList,
    handler: async () => ({ monitors: await Promise.all((await repo.list<MonitorSpec>()).map(detail)) }),
  });

  route(app, {
    method: 'GET',
    url: '/api/monitors/:id',
    summary: 'A monitor, with how many interactions it judged and its lag (arrival → scored)',
    tags: ['monitoring'],
    params: idParams,
    response: monitorDetail,
    errors: [404],
    handler: async ({ params }) => detail(await found(params.id)),
  });

  route(app, {
    method: 'PATCH',
    url: '/api/monitors/:id',
    summary: 'Changes a monitor; `status: paused` stops its judging, `active` resumes it',
    tags: ['monitoring'],
    params: idParams,
    body: patchMonitorBody,
    response: monitorDetail,
    errors: [404],
    handler: async ({ params, body }) => detail(await patchMonitor(ctx, params.id, body)),
  });

  route(app, {
    method: 'DELETE',
    url: '/api/monitors/:id',
    summary: 'Deletes a monitor with its scores and alert events (the interactions stay)',
    tags: ['monitoring'],
    params: idParams,
    response: deleteRunResponse,
    errors: [404],
    handler: async ({ params }) => {
      if (!(await deleteMonitor(ctx, params.id))) throw notFound('monitor', params.id);
      return { id: params.id, deleted: true as const };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/monitors/:id/series',
    summary: "A metric's aggregates per window of the interactions' own timestamps",
    tags: ['monitoring'],
    params: idParams,
    query: seriesQuery,
    response: seriesResponse,
    errors: [404],
    handler: async ({ params, query }) => {
      const monitor = await found(params.id);
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
      return { points: await series(repo, monitor.id, query.metric, monitor.definition.window, from.toISOString(), to.toISOString()) };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/monitors/:id/interactions',
    summary: "A window's interactions with their scores and justifications, lowest score of `metric` first",
    description:
      "The interactions `metric` scored whose own timestamp is in [from, to), lowest value first and error rows last, each with every metric's value, justification and error.",
    tags: ['monitoring'],
    params: idParams,
    query: windowInteractionsQuery,
    response: windowInteractionsResponse,
    errors: [404],
    handler: async ({ params, query }) => {
      const monitor = await found(params.id);
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
      const page = await repo.windowInteractions(
        monitor.id,
        query.metric,
        { from: from.toISOString(), to: to.toISOString() },
        { limit: query.limit, offset: query.offset },
      );
      return {
        total: page.total,
        interactions: page.interactions.map((i) => ({
          id: i.id,
          timestamp: i.timestamp,
          app: i.app,
          request: i.request,
          response: i.response,
          ...(i.retrieved_context ? { retrieved_context: i.retrieved_context } : {}),
          scores: i.scores,
        })),
      };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/monitors/:id/alerts',
    summary: "A monitor's alert events (firing, resolved), oldest first",
    tags: ['monitoring'],
    params: idParams,
    response: alertsResponse,
    errors: [404],
    handler: async ({ params }) => ({ alerts: await repo.alerts((await found(params.id)).id) }),
  });
}
