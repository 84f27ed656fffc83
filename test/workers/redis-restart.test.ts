/**
 * Redis restarted mid-run under the distributed backend (a throwaway redis-server that keeps its
 * data, as a production one does): the server, the workers and the shared limiter reconnect, and the
 * run completes with every row written once.
 */
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
import { block, fileForm, startTestServer, STORES, waitForJob } from '../server/helpers.js';

const ROWS = 80;
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

  it('completes the run once Redis is back: workers and server reconnect, each row written once', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'juror-redis-'));
    const redisUrl = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port, dir);
    const server = await startTestServer({ llm, store, queue: { redisUrl } });
    const limiter = await connectRedisLimiter(redisUrl);
    const handlers = new JobHandlers().register('evaluate', evaluateHandler(server.dataDir)).registerChunked('evaluate', evaluateChunks(server.dataDir));
    const env = { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' };
    const worker = await JobWorker.start({ redisUrl, store, handlers, limiter, chunkSize: 10, leaseMs: 2000, env });
    try {
      const csv = 'question,answer\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i}`).join('\n') + '\n';
      const datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', csv) })).body.id;
      const config = {
        judge_model: 'openai:/gpt-test',
        col_mapping: { inputs: 'question', predictions: 'answer' },
        providers: { openai: { max_concurrency: 4 } },
        metrics: [{ name: 'redis_restart', definition: 'How good the answer is.', grading_prompt: 'Score 1-5.' }],
      };
      const started = (await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } })).body;
      while (llm.requests.length < 10) await new Promise((resolve) => setTimeout(resolve, 10));
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      await new Promise((resolve) => setTimeout(resolve, 500));
      redis = await startRedis(port, dir);
      const job = await waitForJob(server, started.job_id, 40_000);
      expect(job.status).toBe('completed');
      const written = await store.db.selectFrom('results').select(['row_index', 'error']).where('run_id', '=', started.run_id).orderBy('row_index').execute();
      expect(written.map((r) => r.row_index)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
      expect(written.filter((r) => r.error !== null)).toEqual([]);
      expect((await server.call('GET', `/api/runs/${started.run_id}`)).body).toMatchObject({ status: 'finished', rows_done: ROWS });
    } finally {
      await worker.close(true);
      await limiter.close();
      await server.close();
      redis.kill('SIGKILL');
    }
  });
});
