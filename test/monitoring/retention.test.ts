/**
 * Retention on SQLite and Postgres: interactions in known past windows (January 2026) and recent
 * ones are judged by two monitors (1-hour windows of a 1–5 judge, 5-minute windows of a 1/0 judge);
 * a pass with a 30-day age deletes the old interactions with their items and scores, keeps the
 * recent ones, and each monitor's series is the same after as before — read from the rolled-up
 * windows where the scores are gone. `juror serve --retention` runs passes on its own, and refuses
 * an age it cannot read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/monitoring/retention.js';
import { InteractionRepository } from '../../src/store/interactions.js';
import { MonitorRepository } from '../../src/store/monitors.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { runCli } from '../cli/run-cli.js';
import { startTestServer, STORES, type TestServer } from '../server/helpers.js';

const DAY_MS = 86_400_000;
const OLD_FROM = '2026-01-01T00:00:00.000Z';
const OLD_TO = '2026-01-02T00:00:00.000Z';
const helpful = { name: 'helpful', definition: 'How helpful the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };
const ok = { name: 'ok', judge_prompt: 'Is {response} fine? 1 or 0.', output: 'binary' };

/** The scripted judge reads `rate-<n>` from the answer: the 1–5 judge says n (9 is off the scale: an error row), the 1/0 judge n ≥ 3. */
const judge = (text: string) => {
  const rate = Number(/rate-(\d)/.exec(text)?.[1] ?? 3);
  return /1 or 0/.test(text) ? verdict(rate >= 3 ? 1 : 0) : verdict(rate);
};

const interaction = (id: string, timestamp: string, rate: number) => ({
  id,
  app: 'shop',
  timestamp,
  request: `question ${id}`,
  response: `answer rate-${rate}`,
});

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

  beforeAll(async () => {
    llm = await startLlmServer({ handler: (req) => judge(req.text) });
    server = await startTestServer({ llm, storeKind });
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });

  it('deletes old interactions with their scores, keeps recent ones, and leaves every series as it was', async () => {
    const monitor = async (name: string, metric: unknown, window: string) => {
      const created = await server.call('POST', '/api/monitors', {
        body: { name, app: 'shop', sample_rate: 1, metrics: [metric], judge_model: 'openai:/gpt-test', window },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id as string;
    };
    const hourly = await monitor('hourly-helpful', helpful, '1h');
    const fiveMinute = await monitor('five-minute-ok', ok, '5m');
    const recentAt = new Date(Date.now() - 120_000).toISOString();
    const old = [
      interaction('o1', '2026-01-01T10:00:05Z', 2),
      interaction('o2', '2026-01-01T10:02:00Z', 4),
      interaction('o3', '2026-01-01T10:31:00Z', 5),
      interaction('o4', '2026-01-01T10:59:59.999Z', 9),
      interaction('o5', '2026-01-01T11:15:00Z', 1),
      interaction('o6', '2026-01-01T11:16:00Z', 3),
    ];
    const recent = [interaction('r1', recentAt, 5), interaction('r2', recentAt, 2)];
    expect((await server.call('POST', '/api/interactions', { body: { interactions: [...old, ...recent] } })).status).toBe(202);
    for (const id of [hourly, fiveMinute])
      await until(`monitor ${id} judged`, async () => (await server.call('GET', `/api/monitors/${id}`)).body.judged >= 8);

    const seriesOf = async (id: string, metric: string, from: string, to: string) =>
      (await server.call('GET', `/api/monitors/${id}/series?metric=${metric}&from=${from}&to=${to}`)).body.points;
    const recentFrom = new Date(Date.now() - DAY_MS).toISOString();
    const recentTo = new Date(Date.now() + DAY_MS).toISOString();
    const all = () =>
      Promise.all([
        seriesOf(hourly, 'helpful/v1', OLD_FROM, OLD_TO),
        seriesOf(fiveMinute, 'ok/v1', OLD_FROM, OLD_TO),
        seriesOf(hourly, 'helpful/v1', recentFrom, recentTo),
        seriesOf(fiveMinute, 'ok/v1', recentFrom, recentTo),
      ]);
    const before = await all();
    // 10:00–11:00: [2, 4, 5] and an error row: mean 11/3, p90 by linear interpolation 4 + 0.8 × (5 − 4) = 4.8.
    expect(before[0]).toHaveLength(2);
    expect(before[0][0]).toMatchObject({ start: '2026-01-01T10:00:00.000Z', count: 3, errors: 1, p90: 4.8 });
    expect(before[0][0].mean).toBeCloseTo(11 / 3, 12);
    // Five-minute windows of the 1/0 judge: 10:00 [0, 1], 10:30 [1], 10:55 [1], 11:15 [0, 1].
    expect(before[1].map((p: { start: string; ratio: number }) => [p.start.slice(11, 16), p.ratio])).toEqual([
      ['10:00', 0.5],
      ['10:30', 1],
      ['10:55', 1],
      ['11:15', 0.5],
    ]);

    const pass = await applyRetention(server.store, 30 * DAY_MS);
    // Two hourly windows of one metric, four five-minute windows of the other.
    expect(pass).toMatchObject({ deleted: 6, rolledUp: 6 });
    expect(await all()).toEqual(before);

    const interactions = new InteractionRepository(server.store);
    for (const { id } of old) expect(await interactions.get(id)).toBeUndefined();
    for (const { id } of recent) expect(await interactions.get(id)).toBeDefined();
    const monitors = new MonitorRepository(server.store);
    expect(await monitors.scores(hourly, 'helpful/v1', OLD_FROM, OLD_TO)).toEqual([]);
    expect(await monitors.scores(hourly, 'helpful/v1', recentFrom, recentTo)).toHaveLength(2);

    // Again: nothing left to delete or roll up, and nothing changes.
    expect(await applyRetention(server.store, 30 * DAY_MS)).toMatchObject({ deleted: 0, rolledUp: 0 });
    expect(await all()).toEqual(before);

    // A monitor deleted takes its kept windows with it.
    expect(await monitors.rollups(hourly, 'helpful/v1', OLD_FROM, OLD_TO)).toHaveLength(2);
    expect((await server.call('DELETE', `/api/monitors/${hourly}`)).status).toBe(200);
    expect(await monitors.rollups(hourly, 'helpful/v1', OLD_FROM, OLD_TO)).toEqual([]);
  });
});

describe('juror serve --retention', () => {
  it('deletes old interactions on its own, on start and then periodically', async () => {
    const server = await startTestServer({ retention: { maxAgeMs: 30 * DAY_MS, everyMs: 100 } });
    try {
      const recentAt = new Date().toISOString();
      const sent = await server.call('POST', '/api/interactions', {
        body: { interactions: [interaction('old', '2025-06-01T00:00:00Z', 3), interaction('new', recentAt, 3)] },
      });
      expect(sent.status).toBe(202);
      const interactions = new InteractionRepository(server.store);
      await until('the old interaction deleted', async () => (await interactions.get('old')) === undefined);
      expect(await interactions.get('new')).toBeDefined();
    } finally {
      await server.stop();
    }
  });

  it('refuses an age it cannot read, naming the flag', async () => {
    const result = await runCli(['serve', '--retention', 'a month', '--port', '0'], { env: {}, cwd: process.cwd() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--retention a month is not an age');
  });
});
