/**
 * Issue #12: provider limits hold across every worker together. Three runs at once (three
 * `evaluate()` calls each with its own Redis connection, and three `juror eval` processes) against
 * one scripted server on the real Redis at 127.0.0.1:6379; and the answer cache shared through one
 * Postgres store.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisLimiter } from '../src/engine/limiter-redis.js';
import { evaluate, makeGenaiMetric, type EvaluateOptions, type EvaluationResult } from '../src/index.js';
import { cliEnv, removeTempDirs, runCli, writeConfig } from './cli/run-cli.js';
import { startLlmServer, verdict, type LlmServer } from './fixtures/llm-server.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const admin = new Redis(REDIS_URL);
let server: LlmServer;
let prefix = '';
const opened: RedisLimiter[] = [];

beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(async () => {
  await server.close();
  await admin.quit();
  removeTempDirs();
});
beforeEach(() => {
  prefix = `juror:test:${randomUUID()}`;
  server.reset();
  server.setOptions({ latencyMs: 10, maxConcurrent: undefined, concurrencyRetryAfterMs: undefined, handler: () => verdict(3) });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await deleteKeys(`${prefix}:*`);
});

async function deleteKeys(pattern: string): Promise<void> {
  const keys = await admin.keys(pattern);
  if (keys.length > 0) await admin.del(...keys);
}

const judge = makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5.' });

/** `n` rows, distinct across the runs of one test (`run` names the run) so that nothing is cached. */
function rows(n: number, run: string) {
  return Array.from({ length: n }, (_, i) => ({ inputs: 'question', outputs: `answer ${run}-${i}` }));
}

function options(extra: Partial<EvaluateOptions> & Pick<EvaluateOptions, 'data'>): EvaluateOptions {
  return {
    metrics: [judge],
    judgeModel: 'openai:/gpt-test',
    env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' },
    store: false,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  };
}

/** Three runs at once, each as its own worker with its own Redis connection. */
async function threeWorkers(rowsEach: number, providers: EvaluateOptions['providers']): Promise<EvaluationResult[]> {
  return Promise.all(
    ['a', 'b', 'c'].map(async (run) => {
      const limiter = await RedisLimiter.connect(REDIS_URL, { prefix });
      opened.push(limiter);
      return evaluate(options({ data: rows(rowsEach, run), providers, limiter }));
    }),
  );
}

const scored = (results: EvaluationResult[]) => results.reduce((n, r) => n + r.perMetric[0]!.rowsScored, 0);

describe('three workers on one Redis', () => {
  it('never have more calls in flight together than max_concurrency, and score every row', async () => {
    server.setOptions({ maxConcurrent: 4 });
    const results = await threeWorkers(30, { openai: { maxConcurrency: 4 } });
    expect(scored(results)).toBe(90);
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(server.stats.rateLimited).toBe(0);
  });

  it('slow down together on a 429 that one of them met', async () => {
    // The provider takes 4 at a time; each worker may send 16.
    server.setOptions({ maxConcurrent: 4, concurrencyRetryAfterMs: 50 });
    const results = await threeWorkers(30, { openai: { maxConcurrency: 16 } });
    const shared = server.stats.rateLimited;
    expect(scored(results)).toBe(90);
    server.reset();
    const alone = await evaluate(options({ data: rows(90, 'alone'), providers: { openai: { maxConcurrency: 16 } } }));
    expect(alone.perMetric[0]!.rowsScored).toBe(90);
    // Each on its own counters, three workers met 108 to 155 429s here; sharing them, fewer than one alone (19 to 33 vs 31 to 42).
    expect(shared).toBeGreaterThan(0);
    expect(shared).toBeLessThanOrEqual(2 * server.stats.rateLimited);
  });

  it('share a requests-per-minute limit', async () => {
    const results = await threeWorkers(10, { openai: { rpm: 600 } });
    expect(scored(results)).toBe(30);
    // 600 rpm is 10 a second in one-second windows: 30 calls take three windows, the first of which
    // begins at once, so the last call starts at least two seconds after the first.
    const arrivals = server.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(1900);
    for (const start of arrivals) expect(arrivals.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(20);
  });
});

describe('three juror eval processes with JUROR_REDIS_URL', () => {
  const configFor = (limits: string) => `experiment: shared
data: rows.csv
col_mapping:
  inputs: question
  predictions: answer
judge_model: openai:/gpt-test
metrics:
  - name: quality
    definition: "How good the answer is."
    grading_prompt: "Score 1-5."
providers:
  openai:
    ${limits}
`;
  const csv = (run: string) => 'question,answer\n' + Array.from({ length: 20 }, (_, i) => `q${i},answer ${run}-${i}`).join('\n') + '\n';
  // The CLI keeps the default prefix; the endpoint (the server's own port) makes its keys this test's.
  const endpointKeys = () =>
    `juror:limit:${createHash('sha256').update(`openai|${server.url}|OPENAI_API_KEY`).digest('hex').slice(0, 16)}:*`;
  afterEach(() => deleteKeys(endpointKeys()));

  async function threeEvals(limits: string): Promise<Array<{ code: number | null; stderr: string }>> {
    return Promise.all(
      ['a', 'b', 'c'].map((run) => {
        const { dir, config } = writeConfig(undefined, configFor(limits), { 'rows.csv': csv(run) });
        return runCli(['eval', config, '--json'], {
          env: cliEnv(server.url, dir, { JUROR_REDIS_URL: REDIS_URL }),
          cwd: dir,
          spawn: true,
          timeoutMs: 60_000,
        });
      }),
    );
  }

  it('keep their calls together under max_concurrency and score every row', async () => {
    server.setOptions({ maxConcurrent: 4 });
    const results = await threeEvals('max_concurrency: 4');
    for (const result of results) expect(result).toMatchObject({ code: 0 });
    expect(server.stats.answered).toBe(60);
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(server.stats.rateLimited).toBe(0);
  });

  it('share a requests-per-minute limit', async () => {
    const results = await threeEvals('rpm: 1200');
    for (const result of results) expect(result).toMatchObject({ code: 0 });
    // 1200 rpm is 20 a second: 60 calls take three one-second windows, the first beginning at once.
    const arrivals = server.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(60);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(1900);
  });

  it('refuses to start when JUROR_REDIS_URL points where nothing answers, before any call', async () => {
    const { dir, config } = writeConfig(undefined, configFor('max_concurrency: 4'), { 'rows.csv': csv('x') });
    const result = await runCli(['eval', config], { env: cliEnv(server.url, dir, { JUROR_REDIS_URL: 'redis://127.0.0.1:1' }), cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^juror: config error: JUROR_REDIS_URL: cannot reach Redis at 127\.0\.0\.1:1 .*\n {2}fix: .*unset it/);
    expect(server.stats.received).toBe(0);
  });
});

describe('the answer cache in one Postgres store', () => {
  const schema = `juror_shared_${process.pid}_${Date.now()}`;
  const admin = 'postgres://postgres@127.0.0.1:5432/test';
  const sql = async (text: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(text);
    await client.end();
  };
  beforeAll(() => sql(`create schema ${schema}`));
  afterAll(() => sql(`drop schema ${schema} cascade`));

  it("answers a second worker's run from the first one's calls, without calling the provider", async () => {
    const store = { url: `${admin}?options=-c%20search_path%3D${schema}` };
    // Each evaluate() opens its own store (its own connection pool), as two workers would.
    const first = await evaluate(options({ data: rows(12, 'cached'), store }));
    expect(first.calls.made).toBe(12);
    server.reset();
    const second = await evaluate(options({ data: rows(12, 'cached'), store }));
    expect(second.calls).toMatchObject({ made: 0, cached: 12 });
    expect(server.stats.received).toBe(0);
    expect(second.metrics).toEqual(first.metrics);
  });
});
