/**
 * Monitors on `juror worker` processes (issue #12 with #13), against real Postgres and Redis: a
 * monitor's judging is a long-running job that a worker runs beside its `--concurrency` chunks, in one
 * worker at a time. A worker killed with SIGKILL loses it to another after the lease, and every
 * interaction is still scored once; a worker stopped with SIGTERM hands it over at once; pausing and
 * deleting the monitor stop it on its worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobRepository } from '../../src/store/jobs.js';
import { MonitorRepository } from '../../src/store/monitors.js';
import { serverDb } from '../../src/store/server-tables.js';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from '../server/helpers.js';

const BIN = resolve(import.meta.dirname, '../../bin/juror.js');
const REDIS = 'redis://127.0.0.1:6379';
const LEASE_S = 2;
const helpful = { name: 'helpful', definition: 'How helpful the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };

/** The interaction a judge request is about (its request text is `question <id>`), or undefined. */
const interactionOf = (text: string) => /question (m[\w-]+)/.exec(text)?.[1];

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('monitors on juror worker processes', () => {
  let llm: LlmServer;
  let storeUrl: string;
  let store: Store;
  let drop: () => Promise<void>;
  let server: TestServer;
  let queue: string;
  /** Each test's traffic is of an app of its own (a monitor looks at every interaction of its app in the store). */
  let app: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    llm = await startLlmServer();
    const location = await STORES.find(([name]) => name === 'Postgres')![1]('');
    storeUrl = (location.store as { url: string }).url;
    drop = location.drop;
    store = await Store.open(location.store);
  });
  afterAll(async () => {
    await store.close();
    await drop();
    await llm.close();
  });
  beforeEach(async () => {
    llm.reset();
    llm.setOptions({ latencyMs: 20, handler: () => verdict(4) });
    queue = `test-${randomUUID().slice(0, 8)}`;
    app = `shop-${randomUUID().slice(0, 8)}`;
    server = await startTestServer({ llm, store, queue: { redisUrl: REDIS, queue } });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
  });

  /** A `juror worker` process; resolves once it takes jobs. */
  async function worker(concurrency = 2, leaseS = LEASE_S): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
    const env = {
      ...process.env,
      JUROR_DATABASE_URL: storeUrl,
      JUROR_REDIS_URL: REDIS,
      JUROR_QUEUE: queue,
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'test',
    };
    const args = [BIN, 'worker', '--lease', String(leaseS), '--concurrency', String(concurrency), '--data-dir', server.dataDir];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    let stderr = '';
    await new Promise<void>((res, rej) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (stderr.includes('taking jobs')) res();
      });
      void exited.then(() => rej(new Error(`worker exited: ${stderr}`)));
    });
    return { child, exited };
  }

  /** Creates a monitor judging every interaction of the test's app with a judge of its own (no answer from the cache); returns its id. */
  async function createMonitor(judge = `helpful_${randomUUID().slice(0, 6)}`): Promise<string> {
    const created = await server.call('POST', '/api/monitors', {
      body: {
        name: `shop-${randomUUID().slice(0, 6)}`,
        app,
        sample_rate: 1,
        metrics: [{ ...helpful, name: judge }],
        judge_model: 'openai:/gpt-test',
        window: '1m',
        alerts: [],
      },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  async function ingest(ids: string[]): Promise<void> {
    const interactions = ids.map((id) => ({ id: `${app}-${id}`, app, request: `question ${id}`, response: `answer ${id}` }));
    expect((await server.call('POST', '/api/interactions', { body: { interactions } })).status).toBe(202);
  }

  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `m${prefix}-${i}`);
  const monitorOf = async (id: string) => (await server.call('GET', `/api/monitors/${id}`)).body;
  const judged = (id: string, n: number, timeoutMs?: number) =>
    until(`${n} judged`, async () => (await monitorOf(id)).judged >= n, timeoutMs);
  /** How a job ended, read from the store (GET /api/jobs/:id serves the progress of evaluations only). */
  const ended = (jobId: string) =>
    until(`job ${jobId} to end`, async () => {
      const job = await new JobRepository(serverDb(store)).get(jobId);
      return job && !['queued', 'running'].includes(job.status) ? job.status : undefined;
    });

  it('judges a monitor on a worker beside its chunks: a run completes on a worker of --concurrency 1 while the monitor runs', async () => {
    await worker(1);
    const id = await createMonitor();
    await ingest(ids('a', 10));
    await judged(id, 10);
    expect((await monitorOf(id)).job.status).toBe('running');

    const csv = 'question,answer\n' + Array.from({ length: 12 }, (_, i) => `question ${i},answer ${i}`).join('\n') + '\n';
    const datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', csv) })).body.id;
    const config = { judge_model: 'openai:/gpt-test', col_mapping: { inputs: 'question', predictions: 'answer' }, metrics: [helpful] };
    const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } });
    expect(started.status).toBe(202);
    expect((await waitForJob(server, started.body.job_id, 30_000)).status).toBe('completed');

    await ingest(ids('b', 5));
    await judged(id, 15);
    expect((await monitorOf(id)).job.status).toBe('running');
  });

  it("judges through the store's answer cache without recording a run per batch: GET /api/runs shows no monitor runs", async () => {
    await worker();
    const first = await createMonitor('helpful_cached');
    await ingest(ids('cache', 6));
    await judged(first, 6);
    const calls = llm.requests.length;
    // The same judge on the same interactions: every answer comes from the cache the first one filled.
    const second = await createMonitor('helpful_cached');
    await judged(second, 6);
    expect(llm.requests.length).toBe(calls);
    const runs = (await server.call('GET', '/api/runs?limit=500')).body.runs as Array<{ experiment: string }>;
    expect(runs.filter((run) => run.experiment.startsWith('monitor'))).toEqual([]);
  });

  it('continues a monitor on another worker after its worker is killed with SIGKILL: each interaction scored once', async () => {
    const a = await worker();
    const id = await createMonitor('helpful_kill');
    const jobId = await until('the monitor job', async () => (await monitorOf(id)).job?.id as string | undefined);
    await ingest(ids('a', 20));
    await judged(id, 20);
    await worker();
    // Slow answers, so that the kill lands while the worker has calls in flight.
    llm.setOptions({ latencyMs: 400, handler: () => verdict(4) });
    const before = llm.requests.length;
    await ingest(ids('b', 40));
    await until('calls in flight', async () => llm.requests.length > before);
    a.child.kill('SIGKILL');
    llm.setOptions({ latencyMs: 20, handler: () => verdict(4) });
    await ingest(ids('c', 20));
    await judged(id, 80);

    // 80 scores of 80 distinct interactions: each scored once.
    const repo = new MonitorRepository(store);
    expect(await repo.scores(id, 'helpful_kill/v1', '2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z')).toHaveLength(80);
    expect((await repo.lag(id)).scored).toBe(80);
    // Every interaction judged; again only those the killed worker had in flight (its batch of 40 at most).
    const calls = llm.requests.map((r) => interactionOf(r.text)).filter((x) => x !== undefined);
    expect(new Set(calls).size).toBe(80);
    expect(calls.length - 80).toBeLessThanOrEqual(40);
    // Still one job, running (on the other worker): not a second monitor job.
    const monitor = await monitorOf(id);
    expect(monitor.job).toMatchObject({ id: jobId, status: 'running' });
  }, 60_000);

  it('hands a monitor to another worker at once when its worker stops gracefully (SIGTERM)', async () => {
    // A lease of 60 s: a take-over sooner than that is the hand-over, not the lease lapsing.
    const a = await worker(2, 60);
    const id = await createMonitor();
    await ingest(ids('a', 5));
    await judged(id, 5);
    await worker(2, 60);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const stoppedAt = Date.now();
    await ingest(ids('b', 5));
    await judged(id, 10, 50_000);
    expect(Date.now() - stoppedAt).toBeLessThan(45_000);
    expect((await monitorOf(id)).job.status).toBe('running');
  }, 60_000);

  it('stops a monitor on its worker when paused and when deleted; resuming starts it again', async () => {
    await worker();
    const id = await createMonitor();
    await ingest(ids('a', 5));
    await judged(id, 5);
    const first = (await monitorOf(id)).job.id as string;

    expect((await server.call('PATCH', `/api/monitors/${id}`, { body: { status: 'paused' } })).status).toBe(200);
    expect(await ended(first)).toBe('cancelled');
    const calls = llm.requests.length;
    await ingest(ids('b', 5));
    await new Promise((r) => setTimeout(r, 1500));
    expect(llm.requests.length).toBe(calls);

    expect((await server.call('PATCH', `/api/monitors/${id}`, { body: { status: 'active' } })).status).toBe(200);
    await judged(id, 10);
    const second = (await monitorOf(id)).job.id as string;
    expect(second).not.toBe(first);

    expect((await server.call('DELETE', `/api/monitors/${id}`)).status).toBeLessThan(300);
    expect(await ended(second)).toBe('cancelled');
    const afterDelete = llm.requests.length;
    await ingest(ids('c', 5));
    await new Promise((r) => setTimeout(r, 1500));
    expect(llm.requests.length).toBe(afterDelete);
  });
});
