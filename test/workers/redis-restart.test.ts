/**
 * Redis restarted mid-run under the distributed backend, on a throwaway redis-server: one that keeps
 * its data (as a production one does) — the server, the workers and the shared limiter reconnect and
 * the run completes; and one that comes back empty — the restarted server enqueues the job again and
 * the run completes all the same. Each row is written once either way.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisLimiter } from '../../src/engine/limiter.js';
import { JobWorker } from '../../src/jobs/bullmq-worker.js';
import { evaluateChunks, evaluateHandler } from '../../src/jobs/handlers/evaluate.js';
import { JobHandlers } from '../../src/jobs/registry.js';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { freePort, startRedis } from '../support/redis-server.js';
import { block, fileForm, startTestServer, STORES, waitForJob, type TestServer } from '../server/helpers.js';

const ROWS = 80;
const MAX_CONCURRENCY = 4;
const rowOf = (text: string) => Number((block(text, 'output') ?? '').replace('answer ', ''));

describe('Redis restarted mid-run', () => {
  let llm: LlmServer;
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    llm = await startLlmServer({ latencyMs: 30, handler: (req) => verdict((rowOf(req.text) % 5) + 1) });
    const location = await STORES.find(([name]) => name === 'Postgres')![1]('');
    drop = location.drop;
    store = await Store.open(location.store);
  });
  afterAll(async () => {
    await store.close();
    await drop();
    await llm.close();
  });

  /**
   * A server and a worker on a throwaway Redis (keeping its data in `dir`, when given), a run of ROWS
   * rows started on them and under way; `restartRedis` kills Redis and starts it again on its port.
   */
  async function runUnderWay(dir?: string) {
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    let redis: ChildProcess = await startRedis(port, dir);
    let server: TestServer = await startTestServer({ llm, store, queue: { redisUrl } });
    const limiter = await connectRedisLimiter(redisUrl);
    const handlers = new JobHandlers()
      .register('evaluate', evaluateHandler(server.dataDir))
      .registerChunked('evaluate', evaluateChunks(server.dataDir));
    const env = { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' };
    const worker = await JobWorker.start({ redisUrl, store, handlers, limiter, chunkSize: 10, leaseMs: 2000, env });
    llm.reset();
    const csv = 'question,answer\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i}`).join('\n') + '\n';
    const datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', csv) })).body.id;
    const config = {
      judge_model: 'openai:/gpt-test',
      col_mapping: { inputs: 'question', predictions: 'answer' },
      providers: { openai: { max_concurrency: MAX_CONCURRENCY } },
      metrics: [{ name: `redis_restart_${port}`, definition: 'How good the answer is.', grading_prompt: 'Score 1-5.' }],
    };
    const run = (await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } })).body as {
      run_id: string;
      job_id: string;
    };
    while (llm.requests.length < 10) await new Promise((resolve) => setTimeout(resolve, 10));
    return {
      run,
      get server() {
        return server;
      },
      async restartRedis() {
        redis.kill('SIGKILL');
        await once(redis, 'exit');
        await new Promise((resolve) => setTimeout(resolve, 300));
        redis = await startRedis(port, dir);
      },
      async restartServer() {
        await server.close();
        server = await startTestServer({ llm, store, queue: { redisUrl } });
      },
      async close() {
        await worker.close(true);
        await limiter.close();
        await server.close();
        redis.kill('SIGKILL');
      },
    };
  }

  async function expectEachRowOnce(runId: string): Promise<void> {
    const written = await store.db
      .selectFrom('results')
      .select(['row_index', 'error'])
      .where('run_id', '=', runId)
      .orderBy('row_index')
      .execute();
    expect(written.map((r) => r.row_index)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(written.filter((r) => r.error !== null)).toEqual([]);
  }

  it('completes the run once Redis is back: workers and server reconnect, each row written once', async () => {
    const under = await runUnderWay(mkdtempSync(join(tmpdir(), 'juror-redis-')));
    try {
      await under.restartRedis();
      const job = await waitForJob(under.server, under.run.job_id, 40_000);
      expect(job.status).toBe('completed');
      await expectEachRowOnce(under.run.run_id);
      expect((await under.server.call('GET', `/api/runs/${under.run.run_id}`)).body).toMatchObject({ status: 'finished', rows_done: ROWS });
    } finally {
      await under.close();
    }
  });

  it('enqueues the job again when Redis came back empty and the server restarts: the run completes, rows once', async () => {
    const under = await runUnderWay();
    try {
      await under.restartRedis();
      await under.restartServer();
      const job = await waitForJob(under.server, under.run.job_id, 40_000);
      expect(job.status).toBe('completed');
      await expectEachRowOnce(under.run.run_id);
      // Rows written before the loss are not judged again; only calls in flight then may be.
      expect(llm.requests.length - ROWS).toBeLessThanOrEqual(MAX_CONCURRENCY);
    } finally {
      await under.close();
    }
  });
});
