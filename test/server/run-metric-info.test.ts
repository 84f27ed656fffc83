/**
 * GET /api/runs/:id serves each metric's info as the engine knows it — kind, range, direction,
 * headline aggregation and the 95% interval of the headline — for a fresh run, and the same info,
 * derived from the judges, config and aggregates it stored, for a run stored before the engine
 * wrote it (no metric_info), so that the UI never guesses from a metric's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, waitForJob, type TestServer } from './helpers.js';

let llm: LlmServer;
let server: TestServer;
let runId: string;

// Scores by answer: alpha → 5, bravo → 2, else 4 (words, which block boundaries' hex cannot contain). The yes/no judges say yes above 3.
const SCORES: Record<string, number> = { alpha: 5, bravo: 2 };
const config = {
  judge_model: 'openai:/gpt-test',
  col_mapping: { predictions: 'response', targets: 'expected_response' },
  metrics: [
    { name: 'quality', definition: 'How good the response is.', grading_prompt: 'Score 1-5, 5 being best.' },
    { name: 'rambling', judge_prompt: 'Does this response ramble? {response}', output: 'yes_no', greater_is_better: false },
    {
      name: 'chunk_ok',
      judge_prompt: 'Is this chunk relevant to {request}? {retrieved_context}',
      metric_metadata: { assessment_type: 'RETRIEVAL' },
    },
    'exact_match',
  ],
};

beforeAll(async () => {
  llm = await startLlmServer({
    handler: (req) => verdict(Object.entries(SCORES).find(([answer]) => req.lastUser.includes(answer))?.[1] ?? 4),
  });
  server = await startTestServer({ llm });
  const csv =
    'request,response,expected_response,retrieved_context\nq0,alpha,alpha,"[""c0""]"\nq1,bravo,x,"[""bravo chunk"",""c1""]"\nq2,charlie,charlie,"[""c2""]"\nq3,delta,x,"[""c3""]"\n';
  const datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('rag.csv', csv) })).body.id;
  const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');
  runId = started.body.run_id;
});
afterAll(async () => {
  await server.stop();
  await llm.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Info = any;
const byKey = (infos: Info[]) => Object.fromEntries(infos.map((i: Info) => [i.key, i]));
const Z = 1.959963984540054;
/** Wilson's 95% interval of k yes in n, worked independently of the engine's code. */
function wilson(k: number, n: number): [number, number] {
  const p = k / n;
  const centre = (p + (Z * Z) / (2 * n)) / (1 + (Z * Z) / n);
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / (1 + (Z * Z) / n);
  return [centre - half, centre + half];
}

function expectInterval(ci: Info, [low, high]: [number, number]): void {
  expect(ci.level).toBe(0.95);
  expect(ci.low).toBeCloseTo(low, 9);
  expect(ci.high).toBeCloseTo(high, 9);
}

describe('metric info of GET /api/runs/:id', () => {
  it('describes a fresh run, metric by metric', async () => {
    const run = (await server.call('GET', `/api/runs/${runId}`)).body;
    const info = byKey(run.metric_info);
    expect(Object.keys(info).sort()).toEqual(['chunk_ok/v1', 'exact_match/v1', 'quality/v1', 'rambling/v1']);

    // quality: 5, 2, 4, 4 on 1–5 → mean 3.75; sample variance 4.75/3; half 1.96·√(4.75/3/4) = 1.2331
    const quality = info['quality/v1'];
    expect(quality).toMatchObject({
      name: 'quality',
      version: 'v1',
      source: 'judge',
      kind: 'scale',
      direction: 'higher',
      range: { min: 1, max: 5 },
      discrete: [1, 2, 3, 4, 5],
      labels: null,
      headline: 'mean',
      description: 'How good the response is.',
    });
    expect(run.metrics['quality/v1/mean']).toBe(3.75);
    expectInterval(quality.ci, [3.75 - Z * Math.sqrt(4.75 / 3 / 4), 3.75 + Z * Math.sqrt(4.75 / 3 / 4)]);

    // rambling: yes, no, yes, yes → ratio 0.75; lower is better
    const rambling = info['rambling/v1'];
    expect(rambling).toMatchObject({
      source: 'judge',
      kind: 'yes_no',
      direction: 'lower',
      range: { min: 0, max: 1 },
      discrete: [0, 1],
      labels: { 0: 'no', 1: 'yes' },
      headline: 'ratio',
    });
    expect(run.metrics['rambling/v1/ratio']).toBe(0.75);
    expectInterval(rambling.ci, wilson(3, 4));

    // chunk_ok (RETRIEVAL): per row the share of chunks judged yes: 1, 0.5 (the bravo chunk scores 2), 1, 1
    const chunks = info['chunk_ok/v1'];
    expect(chunks).toMatchObject({
      source: 'judge',
      kind: 'share',
      direction: 'higher',
      range: { min: 0, max: 1 },
      discrete: null,
      labels: null,
      headline: 'mean',
    });
    expect(run.metrics['chunk_ok/v1/mean']).toBe(0.875);
    // sample variance of [1, .5, 1, 1]: 0.1875/3; the normal interval clipped at 1
    expectInterval(chunks.ci, [0.875 - Z * Math.sqrt(0.1875 / 3 / 4), 1]);

    // exact_match: 1, 0, 1, 0 → mean 0.5, a share of 1s (Wilson)
    const exact = info['exact_match/v1'];
    expect(exact).toMatchObject({
      source: 'heuristic',
      kind: 'binary',
      direction: 'higher',
      range: { min: 0, max: 1 },
      discrete: [0, 1],
      labels: null,
      headline: 'mean',
      aggregations: ['mean', 'variance', 'p90'],
      description: null,
    });
    expectInterval(exact.ci, wilson(2, 4));
  });

  it('serves the same info for a run stored before the engine wrote it, from its judges, config and aggregates', async () => {
    const fresh = (await server.call('GET', `/api/runs/${runId}`)).body.metric_info;
    await server.store.db.updateTable('runs').set({ metric_info: null }).where('id', '=', runId).execute();
    const old = (await server.call('GET', `/api/runs/${runId}`)).body.metric_info;
    expect(old.map((i: Info) => ({ ...i, ci: null }))).toEqual(expect.arrayContaining(fresh.map((i: Info) => ({ ...i, ci: null }))));
    expect(old).toHaveLength(fresh.length);
    for (const info of fresh) expectInterval(byKey(old)[info.key].ci, [info.ci.low, info.ci.high]);
    // The runs list serves it too.
    const listed = (await server.call('GET', '/api/runs')).body.runs.find((r: Info) => r.id === runId);
    expect(byKey(listed.metric_info)['rambling/v1']).toMatchObject({ kind: 'yes_no', direction: 'lower', headline: 'ratio' });
  });

  it('describes a stored metric it cannot rebuild by its aggregates alone: no direction, no range, still shown', async () => {
    await server.store.db
      .updateTable('runs')
      .set({ metric_info: null, config: JSON.stringify({ metrics: ['no_longer_a_metric'] }) })
      .where('id', '=', runId)
      .execute();
    const exact = byKey((await server.call('GET', `/api/runs/${runId}`)).body.metric_info)['exact_match/v1'];
    expect(exact).toMatchObject({
      kind: 'number',
      direction: null,
      range: null,
      headline: 'mean',
      aggregations: ['mean', 'p90', 'variance'],
    });
    // mean 0.5 with population variance 0.25 over 4 rows: 0.5 ± 1.96·√(0.25·4/3/4)
    expectInterval(exact.ci, [0.5 - Z * Math.sqrt(1 / 12), 0.5 + Z * Math.sqrt(1 / 12)]);
  });
});
