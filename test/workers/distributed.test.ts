/**
 * The distributed job backend against real Postgres and Redis: `juror serve --redis` (QueueJobs)
 * enqueues, workers (JobWorker, as `juror worker` runs it) split an evaluation into chunks, and the
 * run ends as an in-process run would — every row judged once, the same aggregates. A chunk that
 * keeps failing ends as error rows after bounded attempts; a cancel stops every worker's chunks.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { connectRedisLimiter, type Limiter } from '../../src/engine/limiter.js';
import { ConfigError } from '../../src/errors.js';
import { requireSharedStore } from '../../src/jobs/bullmq.js';
import { JobWorker } from '../../src/jobs/bullmq-worker.js';
import { evaluateChunks, evaluateHandler, evaluationOptions } from '../../src/jobs/handlers/evaluate.js';
import { JobHandlers } from '../../src/jobs/registry.js';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block, fileForm, startTestServer, STORES, waitForJob, type TestServer } from '../server/helpers.js';

const REDIS = 'redis://127.0.0.1:6379';
const ROWS = 30;
const CSV = 'question,answer\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i}`).join('\n') + '\n';
const quality = { name: 'quality', definition: 'How good the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };
const config = {
  experiment: 'workers',
  judge_model: 'openai:/gpt-test',
  col_mapping: { inputs: 'question', predictions: 'answer' },
  metrics: [quality],
};
const rowOf = (text: string) => Number((block(text, 'output') ?? '').replace('answer ', ''));

describe('distributed jobs (BullMQ on Redis, Postgres store)', () => {
  let llm: LlmServer;
  let server: TestServer;
  let store: Store;
  let limiter: Limiter;
  let drop: () => Promise<void>;
  let queue: string;
  let datasetId: string;
  const workers: JobWorker[] = [];

  beforeAll(async () => {
    llm = await startLlmServer();
    const location = await STORES.find(([name]) => name === 'Postgres')![1]('');
    drop = location.drop;
    store = await Store.open(location.store);
    limiter = await connectRedisLimiter(REDIS);
  });
  afterAll(async () => {
    await limiter.close();
    await store.close();
    await drop();
    await llm.close();
  });
  beforeEach(async () => {
    llm.reset();
    llm.setOptions({ latencyMs: 20, handler: (req) => verdict((rowOf(req.text) % 5) + 1) });
    queue = `test-${randomUUID().slice(0, 8)}`;
    server = await startTestServer({ llm, store, queue: { redisUrl: REDIS, queue } });
    datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', CSV) })).body.id;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close(true)));
    await server.close();
  });

  async function startWorker(extra: { chunkSize?: number; handlers?: JobHandlers } = {}): Promise<JobWorker> {
    const handlers =
      extra.handlers ??
      new JobHandlers().register('evaluate', evaluateHandler(server.dataDir)).registerChunked('evaluate', evaluateChunks(server.dataDir));
    const worker = await JobWorker.start({
      redisUrl: REDIS,
      queue,
      store,
      handlers,
      limiter,
      concurrency: 2,
      chunkSize: extra.chunkSize ?? 4,
      leaseMs: 2000,
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' },
    });
    workers.push(worker);
    return worker;
  }

  it('refuses a SQLite store with a queue, naming JUROR_DATABASE_URL', () => {
    let refused: unknown;
    try {
      requireSharedStore({ path: 'juror.db' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).where.field).toBe('JUROR_DATABASE_URL');
    expect(() => requireSharedStore({ url: 'postgres://127.0.0.1/test' })).not.toThrow();
  });

  it('runs an evaluation through two workers: each row judged once, aggregates equal to an in-process run', async () => {
    await startWorker();
    await startWorker();
    const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } });
    expect(started.status).toBe(202);
    const job = await waitForJob(server, started.body.job_id, 30_000);
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rows_done: ROWS, row_count: ROWS, errors: 0 });

    const judged = llm.requests.map((r) => rowOf(r.text)).sort((a, b) => a - b);
    expect(judged).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    const run = (await server.call('GET', `/api/runs/${started.body.run_id}`)).body;
    expect(run.status).toBe('finished');
    expect(run.rows_done).toBe(ROWS);

    const env = { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' };
    const { checked } = await evaluationOptions(store, server.dataDir, { dataset_id: datasetId, config }, env);
    const inProcess = await evaluate({ ...checked.options, store: false });
    expect(run.metrics).toEqual(inProcess.metrics);
  });

  it('gives up on a chunk that keeps failing after bounded attempts: its rows are error rows, the others are scored', async () => {
    const chunks = evaluateChunks(server.dataDir);
    let attempts = 0;
    const handlers = new JobHandlers().register('evaluate', evaluateHandler(server.dataDir)).registerChunked('evaluate', {
      ...chunks,
      chunk: async (job, ctx, rows) => {
        // Rows 8–11 stand for a row that breaks its worker; the recorded give-up (failWith) goes through.
        if (rows.start === 8 && rows.failWith === undefined) {
          attempts++;
          throw new Error('the worker broke on this chunk');
        }
        await chunks.chunk(job, ctx, rows);
      },
    });
    await startWorker({ handlers });
    const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } });
    const job = await waitForJob(server, started.body.job_id, 30_000);
    expect(job.status).toBe('completed');
    expect(attempts).toBe(3);
    const run = (await server.call('GET', `/api/runs/${started.body.run_id}`)).body;
    expect(run.error_count).toBe(4);
    expect(run.rows_done).toBe(ROWS);
    const results = await store.db
      .selectFrom('results')
      .select(['row_index', 'error'])
      .where('run_id', '=', started.body.run_id)
      .orderBy('row_index')
      .execute();
    expect(results).toHaveLength(ROWS);
    expect(results.filter((r) => r.error !== null).map((r) => r.row_index)).toEqual([8, 9, 10, 11]);
    expect(results.find((r) => r.row_index === 8)!.error).toMatch(/rows 8–11 was given up on \(the worker broke on this chunk\)/);
  });

  it('cancels a run its workers are judging: no new calls, the job ends cancelled and the run interrupted with its rows kept', async () => {
    llm.setOptions({ latencyMs: 200, handler: (req) => verdict((rowOf(req.text) % 5) + 1) });
    await startWorker({ chunkSize: 2 });
    // A judge of its own: the other tests' answers are in the store's answer cache.
    const started = await server.call('POST', '/api/runs', {
      body: { dataset_id: datasetId, config: { ...config, metrics: [{ ...quality, name: 'quality_cancel' }] } },
    });
    while (llm.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    const cancelled = await server.call('POST', `/api/jobs/${started.body.job_id}/cancel`);
    expect(cancelled.status).toBeLessThan(300);
    const job = await waitForJob(server, started.body.job_id, 20_000);
    expect(job.status).toBe('cancelled');
    const received = llm.stats.received;
    const run = (await server.call('GET', `/api/runs/${started.body.run_id}`)).body;
    expect(run.status).toBe('interrupted');
    expect(run.rows_done).toBeLessThan(ROWS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(llm.stats.received).toBe(received);
  });
});
