/**
 * Thresholds over HTTP, as `juror eval` has them: given with POST /api/runs (its own `thresholds`
 * or the config's), checked before anything runs (a 400 naming `thresholds.<key>`), and returned
 * with the run by GET /api/runs/:id and the client — each with its value and `passed`, and the run's
 * overall `passed`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JurorClient } from '../../src/client/client.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, waitForJob, type TestServer } from './helpers.js';

let llm: LlmServer;
let server: TestServer;
let datasetId: string;

beforeAll(async () => {
  llm = await startLlmServer();
  server = await startTestServer({ llm });
  // Two of four answers match the expected one: exact_match/v1/mean is 0.5.
  const csv = 'question,answer,expected\nq0,a0,a0\nq1,a1,x\nq2,a2,a2\nq3,a3,x\n';
  datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', csv) })).body.id;
});
afterAll(async () => {
  await server.stop();
  await llm.close();
});
beforeEach(() => {
  llm.reset();
  // Every answer scores 4: quality/v1/mean is 4.
  llm.setOptions({ latencyMs: 0, handler: () => verdict(4) });
});

const quality = { name: 'quality', definition: 'How good the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };
const config = (extra: Record<string, unknown> = {}) => ({
  judge_model: 'openai:/gpt-test',
  col_mapping: { inputs: 'question', predictions: 'answer', targets: 'expected' },
  metrics: [quality, 'exact_match'],
  ...extra,
});

async function counts(): Promise<{ runs: number; jobs: number }> {
  return { runs: (await server.call('GET', '/api/runs')).body.total, jobs: (await server.call('GET', '/api/jobs')).body.total };
}

describe('thresholds of POST /api/runs', () => {
  it("returns each threshold with its value and passed, and the run's passed, once the run is over", async () => {
    const started = await server.call('POST', '/api/runs', {
      body: {
        dataset_id: datasetId,
        config: config({ thresholds: { 'quality/v1/mean': '>= 3.5' } }),
        thresholds: { 'exact_match/v1/mean': '> 0.5' },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');

    const run = (await server.call('GET', `/api/runs/${started.body.run_id}`)).body;
    expect(run.status).toBe('finished');
    expect(run.thresholds).toEqual([
      { key: 'quality/v1/mean', op: '>=', value: 3.5, actual: 4, passed: true },
      { key: 'exact_match/v1/mean', op: '>', value: 0.5, actual: 0.5, passed: false },
    ]);
    expect(run.passed).toBe(false);
  });

  it('passes through the client when every threshold holds (a bare number meaning at least)', async () => {
    const client = new JurorClient({ baseUrl: server.url });
    const { runId, jobId } = await client.evaluate({
      datasetId,
      config: config(),
      thresholds: { 'quality/v1/mean': 4, 'exact_match/v1/mean': '>= 0.5' },
    });
    await client.waitForJob(jobId, { intervalMs: 20 });
    const run = await client.getRun(runId);
    expect(run.thresholds.map((t) => [t.key, t.op, t.value, t.actual, t.passed])).toEqual([
      ['quality/v1/mean', '>=', 4, 4, true],
      ['exact_match/v1/mean', '>=', 0.5, 0.5, true],
    ]);
    expect(run.passed).toBe(true);
  });

  it('has no thresholds and passes when none is given and no metric wholly failed', async () => {
    const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config: config() } });
    await waitForJob(server, started.body.job_id);
    expect((await server.call('GET', `/api/runs/${started.body.run_id}`)).body).toMatchObject({ thresholds: [], passed: true });
  });

  it('answers 400 naming thresholds.<key> for a bad threshold, before anything runs', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string, RegExp]> = [
      [config(), { 'other/v1/mean': '>= 1' }, 'thresholds.other/v1/mean', /does not compute/],
      [config(), { 'quality/v1/mean': 'about 3' }, 'thresholds.quality/v1/mean', /not a comparison/],
      [config(), { 'quality/v1/mean': true }, 'thresholds.quality/v1/mean', /thresholds\.quality\/v1\/mean/],
      [
        config({ thresholds: { 'quality/v1/mean': 3 } }),
        { 'quality/v1/mean': 4 },
        'thresholds.quality/v1/mean',
        /also given in config\.thresholds/,
      ],
    ];
    for (const [runConfig, thresholds, field, message] of cases) {
      const response = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config: runConfig, thresholds } });
      expect({ field, status: response.status, got: response.body.field }).toEqual({ field, status: 400, got: field });
      expect(response.body.message).toMatch(message);
    }
    expect(await counts()).toEqual(before);
    expect(llm.stats.received).toBe(0);
  });
});
