/**
 * Canaries over a real server and the scripted LLM server, on SQLite and Postgres: a stored judge is
 * checked against ten human labels; the scripted judge agrees on 8 of 10, then — "the provider
 * changed the model" — on 5 of 10, then on 8 again. Each check asks the judge again (the cache is
 * off: the requests are counted), lands in the judge's agreement history with its run, and the
 * alert (accuracy < 0.7) fires then resolves, each event POSTed to a local webhook listener. A bad
 * canary is a 400 naming the field, with nothing created; a check that fails is kept with its error;
 * every route needs a full token under auth. Across a restart, a check due while the server was down
 * runs once, not once per period missed. On the queue backend a worker keeps the schedule.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueJobs } from '../../src/jobs/bullmq.js';
import { JobWorker } from '../../src/jobs/bullmq-worker.js';
import { registerHandlers } from '../../src/jobs/handlers/index.js';
import { JobHandlers } from '../../src/jobs/registry.js';
import { LabelJobs } from '../../src/labeling/engine.js';
import { startServer, type JurorServer } from '../../src/server/app.js';
import type { CanaryRunTable } from '../../src/store/canaries.js';
import { ApiTokenRepository } from '../../src/store/api-tokens.js';
import { serverDb } from '../../src/store/server-tables.js';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from '../server/helpers.js';
import { answerRow } from '../server/label-helpers.js';

const MODEL = 'openai:/gpt-test';
const ROWS = 10;
/** The people's labels: rows 0–4 right (1), rows 5–9 wrong (0). */
const HUMAN = Array.from({ length: ROWS }, (_, i) => (i < 5 ? 1 : 0));
const CSV = 'question,answer,human\n' + HUMAN.map((h, i) => `question ${i},answer ${i},${h}`).join('\n') + '\n';
const JUDGE = { name: 'canary_judge', judge_prompt: 'Is {answer} right for {question}? 1 or 0.', output: 'binary' };

/**
 * The judge as first deployed: the people's label except on rows 0 and 5 — 8 of 10 agree. Confusion
 * (human × judge): 1/1 4, 1/0 1, 0/1 1, 0/0 4, so p_o = 0.8, p_e = 0.5·0.5 + 0.5·0.5 = 0.5, κ = 0.6.
 */
const good = (row: number) => (row === 0 || row === 5 ? 1 - HUMAN[row]! : HUMAN[row]!);
/** The model behind the same name changed: it says 1 on every row — 5 of 10 agree, κ = (0.5 − 0.5)/(1 − 0.5) = 0. */
const changed = () => 1;

/** A local HTTP listener that records the JSON bodies POSTed to it. */
async function webhookListener(): Promise<{ url: string; bodies: Array<Record<string, unknown>>; server: Server }> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let hook: Awaited<ReturnType<typeof webhookListener>>;
  let datasetId: string;

  beforeAll(async () => {
    llm = await startLlmServer({ handler: (req) => verdict(good(answerRow(req))) });
    server = await startTestServer({
      llm,
      storeKind,
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test', JUROR_WEBHOOK_RETRY_MS: '20' },
    });
    hook = await webhookListener();
    const upload = await server.call('POST', '/api/datasets', { body: fileForm('human.csv', CSV) });
    expect(upload.status).toBe(201);
    datasetId = upload.body.id;
    // The judge is stored (as v1) by an evaluation of the dataset, whose answers go into the cache.
    const run = await server.call('POST', '/api/runs', {
      body: { dataset_id: datasetId, config: { judge_model: MODEL, metrics: [JUDGE] } },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    expect((await waitForJob(server, run.body.job_id)).status).toBe('completed');
    llm.reset();
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
    await new Promise((r) => hook.server.close(r));
  });

  const canary = (fields: Record<string, unknown> = {}) => ({
    name: 'nightly',
    judge: 'canary_judge',
    dataset: datasetId,
    human_col: 'human',
    judge_model: MODEL,
    every: '1d',
    alert: { statistic: 'accuracy', op: '<', value: 0.7, webhook: hook.url },
    ...fields,
  });
  const listed = async (id: string) =>
    ((await server.call('GET', '/api/canaries')).body.canaries as Array<Record<string, unknown>>).find((c) => c.id === id)!;
  const points = (id: string, n: number) =>
    until(`${n} points`, async () => {
      const c = await listed(id);
      return (c.points as unknown[]).length >= n && c;
    });

  it('checks the judge without the cache, stores each point in its agreement history, and fires then resolves the alert', async () => {
    const created = await server.call('POST', '/api/canaries', { body: canary() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;

    // The first check runs at once: every labelled row is asked again, though the cache holds its answer.
    let c = await points(id, 1);
    expect(c).toMatchObject({
      name: 'nightly',
      judge: 'canary_judge',
      version: 'v1',
      every: '1d',
      status: 'active',
      statistic: 'accuracy',
      op: '<',
      threshold: 0.7,
      state: 'ok',
    });
    expect(Object.keys(c).sort()).toEqual(
      ['id', 'name', 'judge', 'version', 'every', 'status', 'statistic', 'op', 'threshold', 'last_run_at', 'state', 'points'].sort(),
    );
    const [first] = c.points as Array<Record<string, number>>;
    expect(first).toMatchObject({ accuracy: 0.8, n: 10 });
    expect(first!.cohen_kappa).toBeCloseTo(0.6, 12);
    expect(llm.requests.map(answerRow).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const detail = await server.call('GET', `/api/canaries/${id}`);
    expect(detail.body).toMatchObject({ last_tick: { status: 'finished', error: null }, job: { status: 'running' } });
    // The next check is a day after the first started.
    expect(Date.parse(detail.body.next_run_at) - Date.parse(detail.body.last_tick.started_at)).toBe(86_400_000);
    const history = await server.call('GET', '/api/judges/canary_judge/agreement');
    const stored = history.body.series[0].points.at(-1);
    expect(stored).toMatchObject({ run_id: detail.body.last_tick.run_id, dataset_id: datasetId, n: 10 });
    expect(stored.statistics.accuracy).toBe(0.8);

    // The provider changes the model: a check now sees 5 of 10.
    llm.setHandler(() => verdict(changed()));
    expect((await server.call('POST', `/api/canaries/${id}/run`)).status).toBe(202);
    c = await points(id, 2);
    expect((c.points as Array<Record<string, number>>)[1]).toMatchObject({ accuracy: 0.5, cohen_kappa: 0, n: 10 });
    expect(c.state).toBe('firing');
    expect(llm.requests).toHaveLength(20);
    const fired = await until('the firing webhook', async () => hook.bodies.length >= 1 && hook.bodies);
    expect(fired[0]).toMatchObject({
      canary_id: id,
      name: 'nightly',
      judge: 'canary_judge',
      version: 'v1',
      statistic: 'accuracy',
      value: 0.5,
      op: '<',
      threshold: 0.7,
      state: 'firing',
    });

    // Back to the first model: 8 of 10 again, and the alert resolves.
    llm.setHandler((req) => verdict(good(answerRow(req))));
    expect((await server.call('POST', `/api/canaries/${id}/run`)).status).toBe(202);
    c = await points(id, 3);
    expect(c.state).toBe('ok');
    expect(llm.requests).toHaveLength(30);
    await until('the resolving webhook', async () => hook.bodies.length >= 2);
    expect(hook.bodies[1]).toMatchObject({ canary_id: id, state: 'resolved', value: 0.8 });
    const alerts = (await server.call('GET', `/api/canaries/${id}/alerts`)).body.alerts;
    expect(alerts.map((a: { state: string; value: number }) => [a.state, a.value])).toEqual([
      ['firing', 0.5],
      ['resolved', 0.8],
    ]);
    expect(alerts[0].webhook).toMatchObject({ attempts: 1, last_error: null });
    const accuracies = (await server.call('GET', '/api/judges/canary_judge/agreement')).body.series[0].points
      .slice(-3)
      .map((p: { statistics: { accuracy: number } }) => p.statistics.accuracy);
    expect(accuracies).toEqual([0.8, 0.5, 0.8]);

    // Paused, its schedule stops; deleted, it is gone.
    const paused = await server.call('PATCH', `/api/canaries/${id}`, { body: { status: 'paused' } });
    expect(paused.body).toMatchObject({ status: 'paused', next_run_at: null });
    expect((await server.call('DELETE', `/api/canaries/${id}`)).status).toBe(200);
    expect((await server.call('GET', `/api/canaries/${id}`)).status).toBe(404);
  });

  it('checks a paused canary once when asked; a check that fails is kept with its error and leaves the alert as it was', async () => {
    llm.setHandler((req) => verdict(good(answerRow(req))));
    const id = (await server.call('POST', '/api/canaries', { body: canary({ name: 'paused' }) })).body.id as string;
    await points(id, 1);
    expect((await server.call('PATCH', `/api/canaries/${id}`, { body: { status: 'paused' } })).body.status).toBe('paused');
    // Every answer unusable: each row is an error row, so there is nothing to compare.
    llm.setHandler(() => ({ text: 'no verdict today' }));
    const asked = await server.call('POST', `/api/canaries/${id}/run`);
    expect(asked.status).toBe(202);
    const detail = await until('the failed check', async () => {
      const d = (await server.call('GET', `/api/canaries/${id}`)).body;
      return d.last_tick.started_at >= asked.body.requested_at && d.last_tick.status !== 'running' && d;
    });
    expect(detail).toMatchObject({ status: 'paused', state: 'ok', next_run_at: null, last_tick: { status: 'failed', statistics: null } });
    expect(detail.last_tick.error).toContain('nothing to compare');
    expect(detail.points).toHaveLength(1);
    expect((await server.call('GET', `/api/canaries/${id}/alerts`)).body.alerts).toEqual([]);
    llm.setHandler((req) => verdict(good(answerRow(req))));
  });

  it('refuses a bad canary with a 400 naming the field, creating nothing', async () => {
    const before = (await server.call('GET', '/api/canaries')).body.canaries.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ every: 'daily' }, 'every'],
      [{ judge: 'no_such_judge' }, 'judge'],
      [{ dataset: 'no-such-dataset' }, 'dataset'],
      [{ human_col: 'nope' }, 'human_col'],
      [{ version: 'v9' }, 'version'],
      [{ judge_model: 'gpt-4o' }, 'judge_model'],
      [{ alert: { statistic: 'vibes', op: '<', value: 1 } }, 'alert.statistic'],
    ];
    for (const [fields, field] of cases) {
      const refused = await server.call('POST', '/api/canaries', { body: canary(fields) });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.field).toBe(field);
    }
    expect((await server.call('GET', '/api/canaries')).body.canaries).toHaveLength(before);
  });
});

describe('canaries under auth', () => {
  it('need a token not limited to ingest', async () => {
    const server = await startTestServer({ auth: true });
    try {
      const tokens = new ApiTokenRepository(serverDb(server.store));
      const full = (await tokens.create('ui')).token;
      const ingestOnly = (await tokens.create('app', 'ingest')).token;
      for (const [method, path] of [
        ['GET', '/api/canaries'],
        ['POST', '/api/canaries'],
        ['GET', '/api/canaries/x'],
        ['PATCH', '/api/canaries/x'],
        ['DELETE', '/api/canaries/x'],
        ['POST', '/api/canaries/x/run'],
        ['GET', '/api/canaries/x/alerts'],
      ] as const) {
        expect({ method, path, status: (await server.call(method, path)).status }).toEqual({ method, path, status: 401 });
        expect({ method, path, status: (await server.call(method, path, { token: ingestOnly })).status }).toEqual({
          method,
          path,
          status: 403,
        });
      }
      expect((await server.call('GET', '/api/canaries', { token: full })).body).toEqual({ canaries: [] });
      expect((await server.call('POST', '/api/canaries/x/run', { token: full })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});

describe('a canary across a restart', () => {
  it('runs a check missed while the server was down once, and keeps its schedule', async () => {
    const llm = await startLlmServer({ handler: (req) => verdict(good(answerRow(req))) });
    const dir = mkdtempSync(join(tmpdir(), 'juror-canary-restart-'));
    const store = await Store.open({ path: join(dir, 'juror.db') });
    const start = () =>
      startServer({
        store,
        dataDir: join(dir, 'data'),
        port: 0,
        webDir: false,
        env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' },
      });
    const call = async (server: JurorServer, method: string, path: string, body?: unknown) => {
      const response = await fetch(server.url + path, {
        method,
        ...(body instanceof FormData
          ? { body }
          : body
            ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
            : {}),
      });
      return (await response.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const points = async (server: JurorServer) => (await call(server, 'GET', '/api/canaries')).canaries[0].points.length as number;
    try {
      let server = await start();
      const { id: datasetId } = await call(server, 'POST', '/api/datasets', fileForm('human.csv', CSV));
      const run = await call(server, 'POST', '/api/runs', { dataset_id: datasetId, config: { judge_model: MODEL, metrics: [JUDGE] } });
      await until('the evaluation', async () => (await call(server, 'GET', `/api/jobs/${run.job_id}`)).status === 'completed');
      const { id } = await call(server, 'POST', '/api/canaries', {
        name: 'hourly',
        judge: 'canary_judge',
        dataset: datasetId,
        human_col: 'human',
        judge_model: MODEL,
        every: '1h',
        alert: { statistic: 'cohen_kappa', op: '<', value: 0.5 },
      });
      await until('the first check', async () => (await points(server)) === 1);
      await server.close();

      // While the server was down five hours went by: four checks were missed.
      const fiveHoursAgo = new Date(Date.now() - 5 * 3_600_000).toISOString();
      await store.db.withTables<{ canary_runs: CanaryRunTable }>().updateTable('canary_runs').set({ started_at: fiveHoursAgo }).execute();
      llm.reset();
      server = await start();
      await until('the missed check', async () => (await points(server)) === 2);
      // A few polls later there is still one more check, not four.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await points(server)).toBe(2);
      expect(llm.requests).toHaveLength(ROWS);
      const detail = await call(server, 'GET', `/api/canaries/${id}`);
      expect(Date.parse(detail.next_run_at) - Date.parse(detail.last_tick.started_at)).toBe(3_600_000);
      await server.close();

      // Started again within the hour: nothing is due, nothing runs.
      server = await start();
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await points(server)).toBe(2);
      expect(llm.requests).toHaveLength(ROWS);
      await server.close();
    } finally {
      await store.close();
      await llm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a canary on the queue backend (Postgres + Redis)', () => {
  it('keeps its schedule in a worker: checks at once, on request, and stops when paused', async () => {
    const llm = await startLlmServer({ handler: (req) => verdict(good(answerRow(req))) });
    const queue = { redisUrl: 'redis://127.0.0.1:6379', queue: `canary-${randomUUID().slice(0, 8)}` };
    const env = { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' };
    const server = await startTestServer({ llm, storeKind: 'Postgres', queue, env });
    // A worker in this process, with every kind registered as `juror worker` registers them.
    const handlers = new JobHandlers();
    const runner = await QueueJobs.connect(server.store, handlers, queue);
    registerHandlers(handlers, {
      dataDir: server.dataDir,
      labeling: new LabelJobs({ store: server.store, dataDir: server.dataDir, env, runner }),
    });
    const worker = await JobWorker.start({ ...queue, store: server.store, handlers, env, leaseMs: 2_000 });
    try {
      const datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('human.csv', CSV) })).body.id;
      const run = await server.call('POST', '/api/runs', {
        body: { dataset_id: datasetId, config: { judge_model: MODEL, metrics: [JUDGE] } },
      });
      expect((await waitForJob(server, run.body.job_id, 30_000)).status).toBe('completed');
      llm.reset();
      const created = await server.call('POST', '/api/canaries', {
        body: {
          name: 'queued',
          judge: 'canary_judge',
          dataset: datasetId,
          human_col: 'human',
          judge_model: MODEL,
          every: '1d',
          alert: { statistic: 'accuracy', op: '<', value: 0.7 },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      const pointsOf = async () => (await server.call('GET', `/api/canaries/${id}`)).body.points.length as number;
      await until('the first check', async () => (await pointsOf()) === 1);
      llm.setHandler(() => verdict(changed()));
      expect((await server.call('POST', `/api/canaries/${id}/run`)).status).toBe(202);
      await until('the check asked for', async () => (await pointsOf()) === 2);
      const detail = (await server.call('GET', `/api/canaries/${id}`)).body;
      expect(detail).toMatchObject({ state: 'firing', job: { status: 'running' } });
      expect(detail.points.map((p: { accuracy: number }) => p.accuracy)).toEqual([0.8, 0.5]);
      expect(llm.requests).toHaveLength(2 * ROWS);

      expect((await server.call('PATCH', `/api/canaries/${id}`, { body: { status: 'paused' } })).status).toBe(200);
      await until('the schedule stopped', async () => (await server.call('GET', `/api/canaries/${id}`)).body.job.status === 'cancelled');
    } finally {
      await worker.close(true);
      await runner.shutdown();
      await server.stop();
      await llm.close();
    }
  });
});
