/**
 * A monitor window's interactions (`GET /api/monitors/:id/interactions`) and saving interactions as
 * a dataset (`POST /api/datasets/from-interactions`), over a real server and the scripted LLM server,
 * on SQLite and Postgres: lowest score first with error rows last, every metric's justification,
 * paging, the window's bounds; the saved dataset is stored as an upload is and can be evaluated;
 * bad input is a 400 naming the field, an unknown monitor a 404; under auth both need a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/monitoring/retention.js';
import { ApiTokenRepository } from '../../src/store/api-tokens.js';
import { serverDb } from '../../src/store/server-tables.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';

const W0 = '2026-01-01T10:00:00.000Z';
const W1 = '2026-01-01T10:01:00.000Z';
const W2 = '2026-01-01T10:02:00.000Z';

const helpful = { name: 'helpful', definition: 'How helpful the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };
const concise = { name: 'concise', definition: 'How concise the answer is.', grading_prompt: 'Score 1-5, 5 being shortest.' };

/**
 * The scripted judge: `helpful` answers the `rate-<n>` of the answer (9 is off the 1–5 scale: an error
 * row), `concise` always 3; each justification names the metric and the interaction.
 */
function judge(text: string) {
  const id = /question (\w+)/.exec(text)?.[1] ?? '?';
  if (text.includes('How concise')) return verdict(3, `concise ${id}`);
  return verdict(Number(/rate-(\d)/.exec(text)?.[1] ?? 3), `helpful ${id}`);
}

const interaction = (id: string, at: string, score: number, extra: Record<string, unknown> = {}) => ({
  id,
  app: 'shop',
  timestamp: at,
  request: `question ${id}`,
  response: `answer rate-${score}`,
  ...extra,
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let monitorId: string;

  beforeAll(async () => {
    llm = await startLlmServer({ handler: (req) => judge(req.text) });
    server = await startTestServer({ llm, storeKind });
    const created = await server.call('POST', '/api/monitors', {
      body: { name: 'shop', app: 'shop', sample_rate: 1, metrics: [helpful, concise], judge_model: 'openai:/gpt-test', window: '1m' },
    });
    expect(created.status).toBe(201);
    monitorId = created.body.id;
    const ingest = await server.call('POST', '/api/interactions', {
      body: {
        interactions: [
          interaction('a4', '2026-01-01T10:00:05Z', 4),
          interaction('a2', '2026-01-01T10:00:10Z', 2, { retrieved_context: ['Returns take 30 days.', 'Refunds go to the card.'] }),
          interaction('a9', '2026-01-01T10:00:15Z', 9),
          interaction('a5', '2026-01-01T10:00:20Z', 5, { expected_response: 'five' }),
          interaction('a1', '2026-01-01T10:00:59.999Z', 1),
          interaction('b3', '2026-01-01T10:01:00Z', 3),
        ],
      },
    });
    expect(ingest.status).toBe(202);
    await until('6 judged', async () => (await server.call('GET', `/api/monitors/${monitorId}`)).body.judged >= 6);
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });

  const window = (query: string) => server.call('GET', `/api/monitors/${monitorId}/interactions?${query}`);

  it("lists a window's interactions lowest score first, error rows last, each with every metric's justification", async () => {
    const { status, body } = await window(`metric=helpful/v1&from=${W0}&to=${W1}`);
    expect(status).toBe(200);
    expect(body.total).toBe(5);
    expect(body.interactions.map((i: { id: string }) => i.id)).toEqual(['a1', 'a2', 'a4', 'a5', 'a9']);
    const [lowest, withContext] = body.interactions;
    expect(lowest).toEqual({
      id: 'a1',
      timestamp: '2026-01-01T10:00:59.999Z',
      app: 'shop',
      request: 'question a1',
      response: 'answer rate-1',
      scores: {
        'helpful/v1': { value: 1, justification: 'helpful a1', error: null },
        'concise/v1': { value: 3, justification: 'concise a1', error: null },
      },
    });
    expect(withContext.retrieved_context).toEqual(['Returns take 30 days.', 'Refunds go to the card.']);
    const errorRow = body.interactions[4];
    expect(errorRow.scores['helpful/v1']).toMatchObject({ value: null, error: expect.stringMatching(/\S/) });
    expect(errorRow.scores['concise/v1']).toMatchObject({ value: 3, justification: 'concise a9' });
  });

  it('pages with limit and offset, and keeps to the window asked for', async () => {
    const first = await window(`metric=helpful/v1&from=${W0}&to=${W1}&limit=2`);
    expect(first.body).toMatchObject({ total: 5 });
    expect(first.body.interactions.map((i: { id: string }) => i.id)).toEqual(['a1', 'a2']);
    const last = await window(`metric=helpful/v1&from=${W0}&to=${W1}&limit=2&offset=4`);
    expect(last.body.interactions.map((i: { id: string }) => i.id)).toEqual(['a9']);
    const next = await window(`metric=helpful/v1&from=${W1}&to=${W2}`);
    expect(next.body).toMatchObject({ total: 1, interactions: [{ id: 'b3' }] });
    // Another metric orders by its own scores: every concise score is 3, so by timestamp.
    const byConcise = await window(`metric=concise/v1&from=${W0}&to=${W2}`);
    expect(byConcise.body.interactions.map((i: { id: string }) => i.id)).toEqual(['a4', 'a2', 'a9', 'a5', 'a1', 'b3']);
    // Outside the default range (the last 24 hours) there is nothing.
    expect((await window('metric=helpful/v1')).body).toEqual({ interactions: [], total: 0 });
  });

  it('names the monitor metrics it has scored', async () => {
    expect((await server.call('GET', `/api/monitors/${monitorId}`)).body.metrics).toEqual(['concise/v1', 'helpful/v1']);
  });

  it('answers 400 naming the parameter for bad input, and 404 for an unknown monitor', async () => {
    for (const [query, field] of [
      ['', 'metric'],
      ['metric=helpful', 'metric'],
      ['metric=helpful/v1&limit=501', 'limit'],
      ['metric=helpful/v1&limit=0', 'limit'],
      ['metric=helpful/v1&offset=-1', 'offset'],
      ['metric=helpful/v1&from=yesterday', 'from'],
      ['metric=helpful/v1&sort=value', 'sort'],
    ] as const) {
      const { status, body } = await window(query);
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
    }
    const missing = await server.call('GET', '/api/monitors/nope/interactions?metric=helpful/v1');
    expect(missing).toMatchObject({ status: 404, body: { message: "no monitor 'nope'" } });
  });

  it('saves interactions as a dataset stored as an upload is, which a run can then judge', async () => {
    const saved = await server.call('POST', '/api/datasets/from-interactions', {
      body: { name: 'low helpful', interaction_ids: ['a2', 'a1', 'a2'] },
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      name: 'low helpful',
      format: 'jsonl',
      row_count: 2,
      columns: ['interaction_id', 'request', 'response', 'retrieved_context', 'expected_response', 'app', 'timestamp'],
    });
    const detail = await server.call('GET', `/api/datasets/${saved.body.id}`);
    expect(detail.body.preview).toEqual([
      {
        interaction_id: 'a2',
        request: 'question a2',
        response: 'answer rate-2',
        retrieved_context: ['Returns take 30 days.', 'Refunds go to the card.'],
        expected_response: null,
        app: 'shop',
        timestamp: '2026-01-01T10:00:10.000Z',
      },
      {
        interaction_id: 'a1',
        request: 'question a1',
        response: 'answer rate-1',
        retrieved_context: null,
        expected_response: null,
        app: 'shop',
        timestamp: '2026-01-01T10:00:59.999Z',
      },
    ]);
    expect((await server.call('GET', '/api/datasets')).body.datasets.map((d: { id: string }) => d.id)).toContain(saved.body.id);

    const run = await server.call('POST', '/api/runs', {
      body: { dataset_id: saved.body.id, config: { judge_model: 'openai:/gpt-test', metrics: [helpful] } },
    });
    expect(run.status).toBe(202);
    expect((await waitForJob(server, run.body.job_id)).status).toBe('completed');
    const results = await server.call('GET', `/api/runs/${run.body.run_id}/results?sort=helpful/v1`);
    expect(results.body.rows.map((r: { results: Record<string, { value: number }> }) => r.results['helpful/v1']!.value)).toEqual([1, 2]);
  });

  it("adds the monitor's score and justification columns when asked", async () => {
    const saved = await server.call('POST', '/api/datasets/from-interactions', {
      body: { name: 'with scores', interaction_ids: ['a9', 'a4'], monitor_id: monitorId },
    });
    expect(saved.status).toBe(201);
    expect(saved.body.columns).toEqual([
      'interaction_id',
      'request',
      'response',
      'retrieved_context',
      'expected_response',
      'app',
      'timestamp',
      'concise/v1/score',
      'concise/v1/justification',
      'helpful/v1/score',
      'helpful/v1/justification',
    ]);
    const { preview } = (await server.call('GET', `/api/datasets/${saved.body.id}`)).body;
    // a9 is an error row of helpful: no score, no justification; concise scored it.
    expect(preview[0]).toMatchObject({
      interaction_id: 'a9',
      'helpful/v1/score': null,
      'helpful/v1/justification': null,
      'concise/v1/score': 3,
      'concise/v1/justification': 'concise a9',
    });
    expect(preview[1]).toMatchObject({ interaction_id: 'a4', 'helpful/v1/score': 4, 'helpful/v1/justification': 'helpful a4' });
    const unknown = await server.call('POST', '/api/datasets/from-interactions', {
      body: { name: 'x', interaction_ids: ['a4'], monitor_id: 'nope' },
    });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'monitor_id', message: "no monitor 'nope'" } });
  });

  it('refuses unknown ids naming them, and stores nothing', async () => {
    const before = (await server.call('GET', '/api/datasets')).body.total;
    const { status, body } = await server.call('POST', '/api/datasets/from-interactions', {
      body: { name: 'typo', interaction_ids: ['a1', 'zz1', 'a2', 'zz2'] },
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ field: 'interaction_ids[1]', message: expect.stringContaining("'zz1', 'zz2'") });
    expect(body.message).not.toContain("'a1'");
    expect((await server.call('GET', '/api/datasets')).body.total).toBe(before);
  });

  it('answers 400 naming the field for a bad body', async () => {
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `id${i}`);
    for (const [body, field] of [
      [{ interaction_ids: ['a1'] }, 'name'],
      [{ name: '  ', interaction_ids: ['a1'] }, 'name'],
      [{ name: 'x', interaction_ids: [] }, 'interaction_ids'],
      [{ name: 'x', interaction_ids: tooMany }, 'interaction_ids'],
      [{ name: 'x', interaction_ids: [''] }, 'interaction_ids[0]'],
      [{ name: 'x', interaction_ids: ['a1'], columns: ['request'] }, 'columns'],
    ] as const) {
      const answer = await server.call('POST', '/api/datasets/from-interactions', { body });
      expect({ field, status: answer.status, got: answer.body.field }).toEqual({ field, status: 400, got: field });
    }
  });

  it('still names the metrics of windows retention rolled up, whose interactions are gone', async () => {
    await applyRetention(server.store, 30 * 86_400_000);
    expect((await server.call('GET', `/api/monitors/${monitorId}`)).body.metrics).toEqual(['concise/v1', 'helpful/v1']);
    expect((await window(`metric=helpful/v1&from=${W0}&to=${W1}`)).body).toEqual({ interactions: [], total: 0 });
    const series = await server.call('GET', `/api/monitors/${monitorId}/series?metric=helpful/v1&from=${W0}&to=${W2}`);
    expect(series.body.points.map((p: { count: number }) => p.count)).toEqual([4, 1]);
  });
});

describe('under auth', () => {
  let server: TestServer;
  let full: string;
  let ingestOnly: string;

  beforeAll(async () => {
    server = await startTestServer({ auth: true });
    const tokens = new ApiTokenRepository(serverDb(server.store));
    full = (await tokens.create('ui')).token;
    ingestOnly = (await tokens.create('app', 'ingest')).token;
  });
  afterAll(() => server.stop());

  it('needs a token for both routes, and one not limited to ingest', async () => {
    const monitor = await server.call('POST', '/api/monitors', {
      token: full,
      body: { name: 'm', sample_rate: 1, metrics: [helpful], judge_model: 'openai:/gpt-test', window: '1h' },
    });
    expect(monitor.status).toBe(201);
    expect(
      (await server.call('POST', '/api/interactions', { token: ingestOnly, body: { interactions: [interaction('t1', W0, 3)] } })).status,
    ).toBe(202);
    const list = `/api/monitors/${monitor.body.id}/interactions?metric=helpful/v1`;
    const save = { body: { name: 'saved', interaction_ids: ['t1'] } };
    expect((await server.call('GET', list)).status).toBe(401);
    expect((await server.call('POST', '/api/datasets/from-interactions', save)).status).toBe(401);
    expect((await server.call('GET', list, { token: ingestOnly })).status).toBe(403);
    expect((await server.call('POST', '/api/datasets/from-interactions', { ...save, token: ingestOnly })).status).toBe(403);
    expect((await server.call('GET', list, { token: full })).status).toBe(200);
    expect(await server.call('POST', '/api/datasets/from-interactions', { ...save, token: full })).toMatchObject({
      status: 201,
      body: { row_count: 1 },
    });
  });
});
