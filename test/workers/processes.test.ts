/**
 * `juror worker` processes (the built CLI) against real Postgres and Redis, with the faults of
 * issue #12: a worker killed with SIGKILL mid-run, a worker stopped with SIGTERM, a row that
 * crashes every worker that judges it, and `juror serve` restarted mid-run. Each run must end with
 * every row written exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block, fileForm, startTestServer, STORES, waitForJob, type TestServer } from '../server/helpers.js';

const BIN = resolve(import.meta.dirname, '../../bin/juror.js');
const CRASH_HOOK = resolve(import.meta.dirname, '../support/crash-on-poison.mjs');
const REDIS = 'redis://127.0.0.1:6379';
const ROWS = 120;
const MAX_CONCURRENCY = 8;
const LEASE_S = 2;
const quality = { name: 'quality', definition: 'How good the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };
const rowOf = (text: string) => Number((block(text, 'output') ?? '').replace('answer ', ''));

describe('juror worker processes', () => {
  let llm: LlmServer;
  let storeUrl: string;
  let store: Store;
  let drop: () => Promise<void>;
  let server: TestServer;
  let queue: string;
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
    llm.setOptions({ latencyMs: 30, handler: (req) => verdict((rowOf(req.text) % 5) + 1) });
    queue = `test-${randomUUID().slice(0, 8)}`;
    server = await startTestServer({ llm, store, queue: { redisUrl: REDIS, queue } });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
  });

  /** A `juror worker` process; resolves once it takes jobs. */
  async function worker(
    options: { poison?: boolean; concurrency?: number } = {},
  ): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
    const env = {
      ...process.env,
      JUROR_DATABASE_URL: storeUrl,
      JUROR_REDIS_URL: REDIS,
      JUROR_QUEUE: queue,
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'test',
      CRASH_PORT: new URL(llm.url).port,
    };
    const args = [
      ...(options.poison ? ['--import', CRASH_HOOK] : []),
      BIN,
      'worker',
      '--lease',
      String(LEASE_S),
      '--chunk-size',
      '10',
      '--data-dir',
      server.dataDir,
      ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
    ];
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

  async function startRun(answers: (i: number) => string = (i) => `answer ${i}`): Promise<{ run_id: string; job_id: string }> {
    const csv = 'question,answer\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},${answers(i)}`).join('\n') + '\n';
    const datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', csv) })).body.id;
    // A judge name per run: an earlier run's answers would come from the store's answer cache.
    const config = {
      judge_model: 'openai:/gpt-test',
      col_mapping: { inputs: 'question', predictions: 'answer' },
      providers: { openai: { max_concurrency: MAX_CONCURRENCY } },
      metrics: [{ ...quality, name: `quality_${randomUUID().slice(0, 6)}` }],
    };
    const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } });
    expect(started.status).toBe(202);
    return started.body;
  }

  async function results(runId: string): Promise<Array<{ row_index: number; error: string | null }>> {
    return store.db.selectFrom('results').select(['row_index', 'error']).where('run_id', '=', runId).orderBy('row_index').execute();
  }

  async function whenWritten(runId: string, rows: number): Promise<void> {
    while ((await results(runId)).length < rows) await new Promise((res) => setTimeout(res, 20));
  }

  it('finishes a run whose worker is killed with SIGKILL: each row written once, repeated calls at most its in-flight', async () => {
    const a = await worker();
    await worker();
    const run = await startRun();
    await whenWritten(run.run_id, 20);
    a.child.kill('SIGKILL');
    const job = await waitForJob(server, run.job_id, 40_000);
    expect(job.status).toBe('completed');
    const written = await results(run.run_id);
    expect(written.map((r) => r.row_index)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(written.filter((r) => r.error !== null)).toEqual([]);
    // Calls the killed worker had in flight are made again; the shared limit caps how many those are.
    expect(llm.requests.length - ROWS).toBeLessThanOrEqual(MAX_CONCURRENCY);
    expect(llm.stats.maxInFlight).toBeLessThanOrEqual(MAX_CONCURRENCY);
    const stored = (await server.call('GET', `/api/runs/${run.run_id}`)).body;
    expect(stored).toMatchObject({ status: 'finished', rows_done: ROWS, error_count: 0 });
  });

  it('stops a worker gracefully on SIGTERM: it exits 0 having finished its chunks, and nothing is judged twice', async () => {
    const a = await worker();
    await worker();
    const run = await startRun();
    await whenWritten(run.run_id, 20);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const job = await waitForJob(server, run.job_id, 40_000);
    expect(job.status).toBe('completed');
    expect((await results(run.run_id)).length).toBe(ROWS);
    expect(llm.requests.map((r) => rowOf(r.text)).sort((x, y) => x - y)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });

  it('ends a row that crashes every worker judging it as error rows after bounded attempts, costing the chunks beside it nothing', async () => {
    // Row 15 kills its worker (chunk 10–19). Three chunks run at once in each worker: the crash takes
    // the chunks beside it down too, so every chunk taken over runs alone in its next worker; chunk
    // 10–19 kills that one too and is then given up on, while the others finish.
    await worker({ poison: true, concurrency: 3 });
    await worker({ poison: true, concurrency: 3 });
    await worker({ poison: true, concurrency: 3 });
    const run = await startRun((i) => (i === 15 ? 'POISON' : `answer ${i}`));
    const job = await waitForJob(server, run.job_id, 60_000);
    expect(job.status).toBe('completed');
    const written = await results(run.run_id);
    expect(written.map((r) => r.row_index)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    const errors = written.filter((r) => r.error !== null);
    expect(errors.map((r) => r.row_index)).toContain(15);
    expect(errors.every((r) => r.row_index >= 10 && r.row_index < 20)).toBe(true);
    expect(errors[0]!.error).toMatch(/given up on/);
    expect(llm.requests.filter((r) => r.text.includes('POISON'))).toEqual([]);
    // Two attempts (one beside others, one alone), then given up: never an endless loop.
    expect(children.filter((child) => child.signalCode === 'SIGKILL')).toHaveLength(2);
  }, 90_000);

  it('keeps a run going while `juror serve` restarts, and the restarted server shows it continuing', async () => {
    await worker();
    const run = await startRun();
    await whenWritten(run.run_id, 10);
    await server.close();
    server = await startTestServer({ llm, store, queue: { redisUrl: REDIS, queue } });
    const seen = (await server.call('GET', `/api/jobs/${run.job_id}`)).body;
    expect(['running', 'completed']).toContain(seen.status);
    const job = await waitForJob(server, run.job_id, 40_000);
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rows_done: ROWS, row_count: ROWS });
    expect((await results(run.run_id)).length).toBe(ROWS);
  });
});
