/**
 * Monitors over the API: a monitor's metrics are checked as a run's config is (`configFromObject`,
 * and no code metrics, server folders or endpoints over HTTP), so a bad monitor is a 400 naming the
 * field and nothing is created. An active monitor has one `monitor` job judging its traffic;
 * pausing cancels it, resuming starts another.
 */
import { ConfigError } from '../errors.js';
import { monitorConfig, monitorSpec, type MonitorSpec } from '../monitoring/monitor-spec.js';
import { MonitorRepository, type MonitorRecord } from '../store/monitors.js';
import type { ServerContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import { refuseServerSideEffects } from './evaluations.js';
import type { PatchMonitorBody } from './schemas/monitors.js';

/** Checks a monitor and stores it active, with its job started; returns its id. */
export async function createMonitor(ctx: ServerContext, spec: MonitorSpec): Promise<{ id: string }> {
  check(ctx, spec);
  const monitor = await new MonitorRepository(ctx.store).create(spec.name, spec);
  await startJob(ctx, monitor.id);
  return { id: monitor.id };
}

/** Changes a monitor's fields (checked as on create) and pauses or resumes it. */
export async function patchMonitor(ctx: ServerContext, id: string, patch: PatchMonitorBody): Promise<MonitorRecord<MonitorSpec>> {
  const repo = new MonitorRepository(ctx.store);
  const monitor = await repo.get<MonitorSpec>(id);
  if (!monitor) throw notFound('monitor', id);
  const { status, ...fields } = patch;
  const definition = monitorSpec.parse({ ...monitor.definition, ...fields });
  check(ctx, definition);
  await repo.update(id, { definition, ...(status ? { status } : {}) });
  // The job reads the definition at each batch; a new status starts or stops it.
  if (status === 'paused') await stopJobs(ctx, id);
  if (status === 'active' && monitor.status !== 'active') await startJob(ctx, id);
  return (await repo.get<MonitorSpec>(id))!;
}

/** Stops a monitor's job and deletes it with its scores and alerts; false when there was none. */
export async function deleteMonitor(ctx: ServerContext, id: string): Promise<boolean> {
  await stopJobs(ctx, id);
  return new MonitorRepository(ctx.store).delete(id);
}

/** Refuses what a run's config may not do over HTTP, then checks the metrics; a bad one is a 400 whose message starts with its field. */
function check(ctx: ServerContext, spec: MonitorSpec): void {
  refuseServerSideEffects({ metrics: spec.metrics }, ctx.allowConfigEndpoints, '');
  try {
    monitorConfig(spec, ctx.dataDir);
  } catch (error) {
    const field = error instanceof ConfigError ? error.where.field : undefined;
    if (!(error instanceof ConfigError) || !field || error.message.includes(field)) throw error;
    throw new ApiError(400, `${field}: ${error.message}`, { field, ...(error.hint ? { hint: error.hint } : {}) });
  }
}

async function startJob(ctx: ServerContext, monitorId: string): Promise<void> {
  await ctx.runner.start('monitor', { monitor_id: monitorId }, { target: monitorId });
}

async function stopJobs(ctx: ServerContext, monitorId: string): Promise<void> {
  const { jobs } = await ctx.runner.list({ kind: 'monitor', target: monitorId, status: ['queued', 'running'], limit: 100, offset: 0 });
  await Promise.all(jobs.map((job) => ctx.runner.cancel(job.id)));
}
