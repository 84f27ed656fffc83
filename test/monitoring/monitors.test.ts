/**
 * Monitors over a real server and the scripted LLM server: interactions whose timestamps fall in
 * known past 1-minute windows are judged as they arrive; the series per window is checked by hand;
 * an alert fires, then resolves as later interactions raise the window's mean, and each event is
 * POSTed to a local webhook listener; `min_count` holds a rule back; a webhook that refuses
 * connections holds nothing back and is retried; a bad monitor is a 400 naming the field; a server
 * started again resumes an active monitor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampled } from '../../src/monitoring/monitor-spec.js';
import { startServer } from '../../src/server/app.js';
import { InteractionRepository } from '../../src/store/interactions.js';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, STORES, type TestServer } from '../server/helpers.js';

const W0 = '2026-01-01T10:00:00.000Z';
const W1 = '2026-01-01T10:01:00.000Z';
const helpful = { name: 'helpful', definition: 'How helpful the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };

/** An interaction whose judge answers `score` (the scripted server reads `rate-<n>` from the text; 9 is out of range: an error row). */
const interaction = (id: string, at: string, score: number, extra: Record<string, unknown> = {}) => ({
  id,
  app: 'shop',
  timestamp: at,
  request: `question ${id}`,
  response: `answer rate-${score}`,
  metadata: { tier: 'gold' },
  ...extra,
});

/** A local HTTP listener that records the JSON bodies POSTed to it. */
async function webhookListener(): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
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

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
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

  beforeAll(async () => {
    llm = await startLlmServer({ handler: (req) => verdict(Number(/rate-(\d)/.exec(req.text)?.[1] ?? 3)) });
    server = await startTestServer({
      llm,
      storeKind,
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test', JUROR_WEBHOOK_RETRY_MS: '20' },
    });
    hook = await webhookListener();
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
    await new Promise((r) => hook.server.close(r));
  });

  const ingest = async (interactions: unknown[]) =>
    expect((await server.call('POST', '/api/interactions', { body: { interactions } })).status).toBe(202);
  const judged = (id: string, n: number) =>
    until(`${n} judged`, async () => (await server.call('GET', `/api/monitors/${id}`)).body.judged >= n);

  it('judges matching interactions as they arrive, aggregates them per window, and fires then resolves an alert', async () => {
    const created = await server.call('POST', '/api/monitors', {
      body: {
        name: 'shop-helpful',
        app: 'shop',
        filter: { tier: 'gold' },
        sample_rate: 1,
        metrics: [helpful],
        judge_model: 'openai:/gpt-test',
        window: '1m',
        alerts: [
          { metric: 'helpful/v1/mean', op: '<', value: 3, min_count: 3, webhook: hook.url },
          { metric: 'helpful/v1/mean', op: '>', value: 4, min_count: 3 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await ingest([
      interaction('a1', '2026-01-01T10:00:05Z', 2),
      interaction('a2', '2026-01-01T10:00:20Z', 2),
      interaction('a3', '2026-01-01T10:00:59.999Z', 4),
      interaction('b1', '2026-01-01T10:01:00Z', 5),
      interaction('b2', '2026-01-01T10:01:30Z', 5),
      interaction('b3', '2026-01-01T10:01:40Z', 9),
      // Not this monitor's: another app, and a tier the filter leaves out.
      interaction('x1', '2026-01-01T10:00:10Z', 1, { app: 'other' }),
      interaction('x2', '2026-01-01T10:00:10Z', 1, { metadata: { tier: 'silver' } }),
    ]);
    await judged(id, 6);

    const series = await server.call('GET', `/api/monitors/${id}/series?metric=helpful/v1&from=${W0}&to=2026-01-01T10:05:00Z`);
    expect(series.status).toBe(200);
    expect(series.body.points).toHaveLength(2);
    const [w0, w1] = series.body.points;
    // [2, 2, 4]: mean 8/3, p90 by linear interpolation 2 + 0.8 × (4 − 2) = 3.6.
    expect(w0).toMatchObject({ start: W0, end: W1, count: 3, errors: 0 });
    expect(w0.mean).toBeCloseTo(8 / 3, 10);
    expect(w0.p90).toBeCloseTo(3.6, 10);
    // [5, 5] and an error row (9 is out of the 1–5 scale), counted and left out of the mean.
    expect(w1).toMatchObject({ start: W1, count: 2, errors: 1, mean: 5, p90: 5 });
    expect(llm.requests.some((r) => r.text.includes('question x1') || r.text.includes('question x2'))).toBe(false);

    // Alerts are checked just after a batch's scores are stored: wait for them, not for the scores.
    const alertsOnce = (n: number) =>
      until(`${n} alert events`, async () => {
        const events = (await server.call('GET', `/api/monitors/${id}/alerts`)).body.alerts;
        return events.length >= n && events;
      });
    let alerts = await alertsOnce(1);
    // W0 fires (8/3 < 3 over 3 rows); W1's mean 5 > 4 is held back by min_count 3 (2 scored).
    expect(alerts).toEqual([
      expect.objectContaining({
        metric: 'helpful/v1/mean',
        window_start: W0,
        op: '<',
        threshold: 3,
        state: 'firing',
        value: expect.closeTo(8 / 3, 10),
      }),
    ]);

    await ingest([
      interaction('a4', '2026-01-01T10:00:30Z', 5),
      interaction('a5', '2026-01-01T10:00:31Z', 5),
      interaction('b4', '2026-01-01T10:01:50Z', 5),
    ]);
    await judged(id, 9);
    alerts = await alertsOnce(3);
    // W0 is now [2, 2, 4, 5, 5]: mean 3.6 resolves it; W1 has 3 scored at mean 5: the `>` rule fires.
    expect(alerts.map((a: { window_start: string; op: string; state: string }) => [a.window_start, a.op, a.state])).toEqual([
      [W0, '<', 'firing'],
      expect.anything(),
      expect.anything(),
    ]);
    expect(
      alerts
        .slice(1)
        .map((a: { window_start: string; op: string; state: string }) => [a.window_start, a.op, a.state])
        .sort(),
    ).toEqual([
      [W0, '<', 'resolved'],
      [W1, '>', 'firing'],
    ]);

    // The `<` rule's two events reach its webhook as JSON; the `>` rule has none.
    const bodies = await until('two webhook posts', async () => hook.bodies.length >= 2 && hook.bodies);
    expect(bodies).toEqual([
      {
        monitor_id: id,
        at: expect.any(String),
        metric: 'helpful/v1/mean',
        window_start: W0,
        value: expect.closeTo(8 / 3, 10),
        op: '<',
        threshold: 3,
        state: 'firing',
      },
      {
        monitor_id: id,
        at: expect.any(String),
        metric: 'helpful/v1/mean',
        window_start: W0,
        value: 3.6,
        op: '<',
        threshold: 3,
        state: 'resolved',
      },
    ]);
    // Nothing more fired meanwhile (W1's `>` rule did not fire early, at 2 scored).
    expect((await server.call('GET', `/api/monitors/${id}/alerts`)).body.alerts).toHaveLength(3);
    const detail = (await server.call('GET', `/api/monitors/${id}`)).body;
    expect(detail.lag_ms.max).toBeGreaterThanOrEqual(0);
    await server.call('DELETE', `/api/monitors/${id}`);
  });

  it('keeps judging while a webhook refuses connections, and retries it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hook`;
    await new Promise((r) => closed.close(r));
    const id = (
      await server.call('POST', '/api/monitors', {
        body: {
          name: 'dead-hook',
          app: 'dead',
          sample_rate: 1,
          metrics: [helpful],
          window: '1m',
          alerts: [{ metric: 'helpful/v1/mean', op: '<', value: 3, webhook: deadUrl }],
        },
      })
    ).body.id as string;
    await ingest([interaction('d1', '2026-01-01T11:00:00Z', 1, { app: 'dead' })]);
    await judged(id, 1);
    // Later traffic is judged while the delivery keeps failing.
    await ingest(Array.from({ length: 5 }, (_, i) => interaction(`d${i + 2}`, '2026-01-01T11:02:00Z', 4, { app: 'dead' })));
    await judged(id, 6);
    const [event] = (await until('three attempts', async () => {
      const alerts = (await server.call('GET', `/api/monitors/${id}/alerts`)).body.alerts;
      return alerts[0]?.webhook?.attempts >= 3 && alerts;
    })) as Array<{ state: string; webhook: { delivered_at: string | null; last_error: string } }>;
    expect(event).toMatchObject({ state: 'firing', webhook: { delivered_at: null, last_error: 'ECONNREFUSED' } });
    await server.call('DELETE', `/api/monitors/${id}`);
  });

  it('judges exactly the ids its sample keeps, and pausing stops its job', async () => {
    const id = (
      await server.call('POST', '/api/monitors', {
        body: { name: 'half', app: 'sampled', sample_rate: 0.5, metrics: [helpful], window: '1h' },
      })
    ).body.id as string;
    const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
    await ingest(ids.map((i) => interaction(i, '2026-01-01T12:00:00Z', 3, { app: 'sampled' })));
    const expected = ids.filter((i) => sampled(i, 0.5)).length;
    await judged(id, expected);
    // Every interaction was looked at once: no more are judged later.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await server.call('GET', `/api/monitors/${id}`)).body.judged).toBe(expected);
    const asked = new Set(llm.requests.map((r) => /question (s\d+)/.exec(r.text)?.[1]).filter(Boolean));
    expect([...asked].sort()).toEqual(ids.filter((i) => sampled(i, 0.5)).sort());
    expect((await server.call('GET', `/api/monitors/${id}`)).body.job.status).toBe('running');
    const paused = (await server.call('PATCH', `/api/monitors/${id}`, { body: { status: 'paused' } })).body;
    expect(paused).toMatchObject({ status: 'paused', job: { status: 'cancelled' } });
    await server.call('DELETE', `/api/monitors/${id}`);
  });

  it.each([
    [{ metrics: [{ name: 'q', definition: 'd' }] }, 'metrics[0].grading_prompt'],
    [{ metrics: [{ metric: 'code', path: 'x.js' }] }, 'metrics[0]'],
    [{ window: '2m' }, 'window'],
    [{ alerts: [{ metric: 'helpful/v1', op: '<', value: 3 }] }, 'alerts[0].metric'],
    [{ sample_rate: 1.5 }, 'sample_rate'],
  ])('refuses a bad monitor with a 400 naming the field (%j), creating nothing', async (change, field) => {
    const before = (await server.call('GET', '/api/monitors')).body.monitors.length;
    const response = await server.call('POST', '/api/monitors', {
      body: { name: 'bad', sample_rate: 1, metrics: [helpful], window: '1m', ...change },
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
    expect((await server.call('GET', '/api/monitors')).body.monitors.length).toBe(before);
  });
});

describe('a server started again', () => {
  it('resumes an active monitor, judging what arrived while it was down, and keeps its scores', async () => {
    const llm = await startLlmServer({ handler: (req) => verdict(Number(/rate-(\d)/.exec(req.text)?.[1] ?? 3)) });
    const dir = mkdtempSync(join(tmpdir(), 'juror-monitor-restart-'));
    const start = () =>
      startServer({
        store: { path: join(dir, 'juror.db') },
        dataDir: join(dir, 'data'),
        port: 0,
        webDir: false,
        env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' },
      });
    const call = async (url: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(url + path, {
        method,
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
      return (await response.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    try {
      let server = await start();
      const { id } = await call(server.url, 'POST', '/api/monitors', {
        name: 'restart',
        app: 'shop',
        sample_rate: 1,
        metrics: [helpful],
        window: '1h',
      });
      await call(server.url, 'POST', '/api/interactions', { interactions: [interaction('r1', '2026-01-01T10:00:00Z', 4)] });
      await until('r1 judged', async () => (await call(server.url, 'GET', `/api/monitors/${id}`)).judged === 1);
      await server.close();
      // Stored while no monitor runs: e.g. by another server on the same store.
      const store = await Store.open({ path: join(dir, 'juror.db') });
      await new InteractionRepository(store).insert([
        {
          ...interaction('r2', '2026-01-01T10:10:00Z', 2),
          retrieved_context: null,
          expected_response: null,
          model: null,
          trace_id: null,
          span_id: null,
          input_tokens: null,
          output_tokens: null,
          latency_ms: null,
          source: 'json',
        },
      ]);
      await store.close();
      server = await start();
      await until('r2 judged', async () => (await call(server.url, 'GET', `/api/monitors/${id}`)).judged === 2);
      const { points } = await call(
        server.url,
        'GET',
        `/api/monitors/${id}/series?metric=helpful/v1&from=2026-01-01T10:00:00Z&to=2026-01-01T11:00:00Z`,
      );
      expect(points).toEqual([
        { start: '2026-01-01T10:00:00.000Z', end: '2026-01-01T11:00:00.000Z', count: 2, errors: 0, mean: 3, p90: 3.8 },
      ]);
      await server.close();
    } finally {
      await llm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
