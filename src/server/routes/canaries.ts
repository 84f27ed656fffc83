/**
 * Canaries (issue #13 §3): `POST /api/canaries`, `GET /api/canaries`, `GET/PATCH/DELETE
 * /api/canaries/:id`, a check now (`POST /api/canaries/:id/run`) and the alert events. A canary is
 * checked as an align request is (src/align/stored-check.ts: the judge version, the dataset, every
 * human label) before anything is stored, so a bad one is a 400 naming its field. An active canary
 * has one `canary` job keeping its schedule; pausing cancels it, resuming starts another.
 */
import type { FastifyInstance } from 'fastify';
import { planStoredCheck } from '../../align/stored-check.js';
import { JurorError } from '../../errors.js';
import { parseModelUri } from '../../providers/models.js';
import type { CanaryPayload } from '../../jobs/handlers/canary.js';
import { canarySpec, nextTick, type CanarySpec } from '../../monitoring/canary-spec.js';
import { CanaryRepository, type CanaryRecord } from '../../store/canaries.js';
import type { ServerContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import {
  canariesList,
  canaryAlertsResponse,
  canaryDetail,
  createCanaryBody,
  createCanaryResponse,
  patchCanaryBody,
  runCanaryResponse,
  type CanaryDetail,
  type CanarySummary,
  type PatchCanaryBody,
} from '../schemas/canaries.js';
import { idParams } from '../schemas/common.js';
import { deleteRunResponse } from '../schemas/runs.js';

/** The request's names for the fields an align check names otherwise. */
const FIELDS: Record<string, string> = { name: 'judge', dataset_id: 'dataset' };

export function canaryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const repo = new CanaryRepository(ctx.store);
  const found = async (id: string) => (await repo.get<CanarySpec>(id)) ?? Promise.reject(notFound('canary', id));

  route(app, {
    method: 'POST',
    url: '/api/canaries',
    summary: 'Creates a canary: a judge version checked against human labels on a schedule, with an alert on its agreement',
    description:
      'The judge version, the dataset and every human label are checked first: a bad canary is a 400 naming the field, and nothing is created. The first check runs at once; each check asks the judge model again (no cache).',
    tags: ['monitoring'],
    body: createCanaryBody,
    status: 201,
    response: createCanaryResponse,
    handler: async ({ body }) => {
      const canary = await repo.create(body.name, await checked(ctx, body));
      await startSchedule(ctx, canary.id);
      return { id: canary.id };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/canaries',
    summary: "Canaries, newest first, with their alert's state and agreement over time",
    tags: ['monitoring'],
    response: canariesList,
    handler: async () => ({ canaries: await Promise.all((await repo.list<CanarySpec>()).map((c) => summary(repo, c))) }),
  });

  route(app, {
    method: 'GET',
    url: '/api/canaries/:id',
    summary: 'A canary, with when it checks next and how its last check went',
    tags: ['monitoring'],
    params: idParams,
    response: canaryDetail,
    errors: [404],
    handler: async ({ params }) => detail(ctx, repo, await found(params.id)),
  });

  route(app, {
    method: 'PATCH',
    url: '/api/canaries/:id',
    summary: 'Changes a canary; `status: paused` stops its schedule, `active` resumes it',
    tags: ['monitoring'],
    params: idParams,
    body: patchCanaryBody,
    response: canaryDetail,
    errors: [404],
    handler: async ({ params, body }) => detail(ctx, repo, await patchCanary(ctx, repo, await found(params.id), body)),
  });

  route(app, {
    method: 'DELETE',
    url: '/api/canaries/:id',
    summary: 'Deletes a canary with its checks and alert events (the agreements it measured stay in the judge’s history)',
    tags: ['monitoring'],
    params: idParams,
    response: deleteRunResponse,
    errors: [404],
    handler: async ({ params }) => {
      await stopSchedule(ctx, params.id);
      if (!(await repo.delete(params.id))) throw notFound('canary', params.id);
      return { id: params.id, deleted: true as const };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/canaries/:id/run',
    summary: 'Checks the judge now, outside the schedule (the schedule then counts from this check)',
    description: 'Answers at once; the check appears as the canary’s last_run_at, then as a point.',
    tags: ['monitoring'],
    params: idParams,
    status: 202,
    response: runCanaryResponse,
    errors: [404],
    handler: async ({ params }) => {
      const canary = await found(params.id);
      const requestedAt = new Date().toISOString();
      await repo.update(canary.id, { runRequestedAt: requestedAt });
      if (canary.status === 'paused') {
        const payload: CanaryPayload = { canary_id: canary.id, once: true };
        await ctx.runner.start('canary', payload, { target: canary.id });
      } else if ((await scheduleJobs(ctx, canary.id)).length === 0) await startSchedule(ctx, canary.id);
      return { requested_at: requestedAt };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/canaries/:id/alerts',
    summary: "A canary's alert events (firing, resolved), oldest first",
    tags: ['monitoring'],
    params: idParams,
    response: canaryAlertsResponse,
    errors: [404],
    handler: async ({ params }) => ({ alerts: await repo.alerts((await found(params.id)).id) }),
  });
}

/**
 * The canary as stored: checked as an align request (a problem is a 400 naming the canary's field),
 * its version pinned to the newest when none is named, so that its points stay one version's.
 */
async function checked(ctx: ServerContext, spec: CanarySpec): Promise<CanarySpec> {
  try {
    if (spec.judge_model !== undefined) parseModelUri(spec.judge_model, 'judge_model');
    const { judge } = await planStoredCheck({ store: ctx.store, dataDir: ctx.dataDir }, spec.judge, {
      dataset_id: spec.dataset,
      human_col: spec.human_col,
      label_job: spec.label_job,
      version: spec.version,
    });
    return { ...spec, version: judge.version };
  } catch (error) {
    if (!(error instanceof JurorError && (error.kind === 'config' || error.kind === 'input'))) throw error;
    const field = error.where.field === undefined ? undefined : (FIELDS[error.where.field] ?? error.where.field);
    throw new ApiError(400, field && !error.message.includes(field) ? `${field}: ${error.message}` : error.message, {
      ...(field ? { field } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
}

/** Changes a canary's fields (checked as on create) and pauses or resumes its schedule. */
async function patchCanary(
  ctx: ServerContext,
  repo: CanaryRepository,
  canary: CanaryRecord<CanarySpec>,
  patch: PatchCanaryBody,
): Promise<CanaryRecord<CanarySpec>> {
  const { status, ...fields } = patch;
  // A new judge keeps no version of the old one; a new version of the same judge is named in the patch.
  const base =
    fields.judge !== undefined && fields.judge !== canary.definition.judge
      ? { ...canary.definition, version: undefined }
      : canary.definition;
  const parsed = canarySpec.safeParse({ ...base, ...fields });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(400, `${issue.path.join('.')}: ${issue.message}`, { field: issue.path.join('.') });
  }
  const definition = Object.keys(fields).length > 0 ? await checked(ctx, parsed.data) : canary.definition;
  await repo.update(canary.id, { definition, ...(status ? { status } : {}) });
  if (status === 'paused') await stopSchedule(ctx, canary.id);
  if (status === 'active' && canary.status !== 'active') await startSchedule(ctx, canary.id);
  return (await repo.get<CanarySpec>(canary.id))!;
}

/** The canary as listed. */
async function summary(repo: CanaryRepository, canary: CanaryRecord<CanarySpec>): Promise<CanarySummary> {
  const spec = canary.definition;
  const runs = await repo.runs(canary.id);
  const points = runs
    .filter((r) => r.status === 'finished' && r.statistics !== null)
    .map((r) => ({
      at: r.finished_at!,
      accuracy: r.statistics!.accuracy ?? null,
      cohen_kappa: r.statistics!.cohen_kappa ?? null,
      n: r.n ?? 0,
    }));
  const alert = await repo.alertState(canary.id);
  return {
    id: canary.id,
    name: canary.name,
    judge: spec.judge,
    version: spec.version ?? '',
    every: spec.every,
    status: canary.status,
    statistic: spec.alert.statistic,
    op: spec.alert.op,
    threshold: spec.alert.value,
    last_run_at: runs.at(-1)?.started_at ?? null,
    state: alert === 'firing' ? 'firing' : points.length > 0 ? 'ok' : null,
    points,
  };
}

/** The canary with its definition, next check, last check and job. */
async function detail(ctx: ServerContext, repo: CanaryRepository, canary: CanaryRecord<CanarySpec>): Promise<CanaryDetail> {
  const [listed, last, { jobs }] = await Promise.all([
    summary(repo, canary),
    repo.lastEnded(canary.id),
    ctx.runner.list({ kind: 'canary', target: canary.id, limit: 1, offset: 0 }),
  ]);
  const tick = (await repo.runs(canary.id, 1))[0];
  const requested = canary.run_requested_at !== null && (last === undefined || canary.run_requested_at >= last.started_at);
  const next =
    canary.status !== 'active' ? null : requested ? Date.now() : nextTick(canary.definition, last?.started_at, canary.created_at);
  return {
    ...listed,
    definition: canary.definition,
    created_at: canary.created_at,
    updated_at: canary.updated_at,
    next_run_at: next === null ? null : new Date(next).toISOString(),
    last_tick: tick
      ? {
          status: tick.status,
          started_at: tick.started_at,
          finished_at: tick.finished_at,
          run_id: tick.run_id,
          statistics: tick.statistics,
          error: tick.error,
        }
      : null,
    job: jobs[0] ? { id: jobs[0].id, status: jobs[0].status, error: jobs[0].error } : null,
  };
}

/** The canary's schedule jobs still queued or running. */
async function scheduleJobs(ctx: ServerContext, canaryId: string) {
  return (await ctx.runner.list({ kind: 'canary', target: canaryId, status: ['queued', 'running'], limit: 100, offset: 0 })).jobs;
}

async function startSchedule(ctx: ServerContext, canaryId: string): Promise<void> {
  const payload: CanaryPayload = { canary_id: canaryId };
  await ctx.runner.start('canary', payload, { target: canaryId });
}

async function stopSchedule(ctx: ServerContext, canaryId: string): Promise<void> {
  await Promise.all((await scheduleJobs(ctx, canaryId)).map((job) => ctx.runner.cancel(job.id)));
}
