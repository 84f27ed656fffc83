/**
 * The embedded backend over a real SQLite store, with handlers the tests control: a throw fails a
 * job once; shutdown leaves a job queued and the next backend resumes it with its payload and run;
 * jobs beyond the concurrency wait queued and can be cancelled there; `awaitRun` answers with the
 * run, or with the handler's error and no job left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { JobRepository } from '../store/jobs.js';
import { serverDb } from '../store/server-tables.js';
import { Store } from '../store/store.js';
import { EmbeddedJobs } from './embedded.js';
import { JobHandlers } from './registry.js';
import type { JobContext, JobRecord } from './types.js';

/** A promise with its resolve, to hold a handler where a test wants it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once the signal is aborted, then throws its reason, as a handler stopped mid-work does. */
async function untilStopped(ctx: JobContext): Promise<never> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  ctx.signal.throwIfAborted();
  throw new Error('unreachable');
}

describe('EmbeddedJobs', () => {
  let dir: string;
  let store: Store;
  const backends: EmbeddedJobs[] = [];
  const backend = (handlers: JobHandlers, concurrency?: number) => {
    const jobs = new EmbeddedJobs({ store, handlers, env: {}, ...(concurrency ? { concurrency } : {}) });
    backends.push(jobs);
    return jobs;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'juror-jobs-unit-'));
    store = await Store.open({ path: join(dir, 'juror.db') });
  });
  afterEach(async () => {
    for (const jobs of backends.splice(0)) await jobs.shutdown();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a job whose handler throws, with its message, and does not run it again on the next start', async () => {
    const calls: unknown[] = [];
    const handlers = new JobHandlers().register('evaluate', async (job) => {
      calls.push(job.payload);
      throw new ConfigError('metrics[0]: no such judge', { hint: 'name a judge that exists' });
    });
    const jobs = backend(handlers);
    const started = await jobs.start('evaluate', { n: 1 });
    const ended = await jobs.settled(started.id);
    expect(ended).toMatchObject({ status: 'failed', error: 'metrics[0]: no such judge\n  fix: name a judge that exists' });

    expect(await backend(handlers).resumeUnfinished()).toBe(0);
    expect(calls).toEqual([{ n: 1 }]);
    expect((await jobs.get(started.id))!.status).toBe('failed');
  });

  it('leaves a job stopped by shutdown queued, and the next backend resumes it with its payload, run and progress', async () => {
    const seen: Array<Pick<JobRecord, 'payload' | 'run_id' | 'progress'>> = [];
    const finish = deferred();
    const handlers = new JobHandlers().register('label', async (job, ctx) => {
      seen.push({ payload: job.payload, run_id: job.run_id, progress: job.progress });
      if (!job.run_id) {
        await ctx.runCreated('run-1');
        ctx.progress({ rows_done: 3 });
        await untilStopped(ctx);
      }
      await finish.promise;
    });
    const first = backend(handlers);
    const started = await first.start('label', { label_job_id: 'L1', phase: 'full' }, { target: 'L1', awaitRun: true });
    expect(started).toMatchObject({ status: 'running', run_id: 'run-1', target_id: 'L1' });
    expect(first.liveProgress(started.id)).toEqual({ rows_done: 3 });
    await first.shutdown();
    expect(await first.get(started.id)).toMatchObject({ status: 'queued', error: null, progress: { rows_done: 3 } });

    const second = backend(handlers);
    expect(await second.resumeUnfinished()).toBe(1);
    finish.resolve();
    expect(await second.settled(started.id)).toMatchObject({ status: 'completed', run_id: 'run-1' });
    expect(seen).toEqual([
      { payload: { label_job_id: 'L1', phase: 'full' }, run_id: null, progress: null },
      { payload: { label_job_id: 'L1', phase: 'full' }, run_id: 'run-1', progress: { rows_done: 3 } },
    ]);
  });

  it('keeps jobs beyond its concurrency queued; a queued job cancelled never runs, a running one ends cancelled', async () => {
    const ran: string[] = [];
    const handlers = new JobHandlers().register('align', async (job, ctx) => {
      ran.push((job.payload as { name: string }).name);
      await untilStopped(ctx);
    });
    const jobs = backend(handlers, 1);
    const running = await jobs.start('align', { name: 'first' });
    const waiting = await jobs.start('align', { name: 'second' });
    expect((await jobs.list({ status: 'queued', limit: 10, offset: 0 })).jobs.map((j) => j.id)).toContain(waiting.id);

    expect(await jobs.cancel(waiting.id)).toMatchObject({ status: 'cancelled', error: expect.stringContaining('cancelled') });
    expect(await jobs.cancel(running.id)).toMatchObject({ status: 'cancelled', error: expect.stringContaining('cancelled') });
    expect(ran).toEqual(['first']);
    // Ended: not this backend's to stop any more.
    expect(await jobs.cancel(running.id)).toBeUndefined();
  });

  it('starts a job its starter waits on (awaitRun) at once, even with every slot taken', async () => {
    const handlers = new JobHandlers()
      .register('align', async (_job, ctx) => untilStopped(ctx))
      .register('evaluate', async (_job, ctx) => {
        await ctx.runCreated('run-now');
        await untilStopped(ctx);
      });
    const jobs = backend(handlers, 1);
    await jobs.start('align', { name: 'long' });
    expect(await jobs.start('evaluate', {}, { awaitRun: true })).toMatchObject({ status: 'running', run_id: 'run-now' });
  });

  it('runs long-running jobs (monitors) beside its concurrency, so that they never hold a slot from other jobs', async () => {
    const handlers = new JobHandlers()
      .register('monitor', async (_job, ctx) => untilStopped(ctx), { longRunning: true })
      .register('align', async () => undefined);
    const jobs = backend(handlers, 1);
    const monitors = [await jobs.start('monitor', { monitor_id: 'a' }), await jobs.start('monitor', { monitor_id: 'b' })];
    const align = await jobs.start('align', { name: 'after' });
    expect(await jobs.settled(align.id)).toMatchObject({ status: 'completed' });
    for (const monitor of monitors) expect(await jobs.get(monitor.id)).toMatchObject({ status: 'running' });
  });

  it("with awaitRun, answers with the handler's error and leaves no job when it fails before creating its run", async () => {
    const handlers = new JobHandlers().register('evaluate', async () => {
      throw new ConfigError('judge_model: unknown provider', { where: { field: 'judge_model' } });
    });
    const jobs = backend(handlers);
    await expect(jobs.start('evaluate', {}, { awaitRun: true })).rejects.toMatchObject({
      message: 'judge_model: unknown provider',
      where: { field: 'judge_model' },
    });
    expect((await jobs.list({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('fails, naming why, a job it cannot resume: one stored without a payload, or of a kind it does not run', async () => {
    const repo = new JobRepository(serverDb(store));
    const old = await repo.create({ kind: 'evaluate', payload: null, status: 'running' });
    const other = await repo.create({ kind: 'align', payload: { name: 'x' }, status: 'queued' });
    const jobs = backend(new JobHandlers().register('evaluate', async () => undefined));
    expect(await jobs.resumeUnfinished()).toBe(0);
    expect(await jobs.get(old.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('older Juror') });
    expect(await jobs.get(other.id)).toMatchObject({ status: 'failed', error: expect.stringContaining("kind 'align'") });
  });
});
