/**
 * `POST /api/judges/:name/audit` and `GET /api/judges/:name/audits` against the scripted LLM server,
 * on SQLite and Postgres: a stored judge version (the gullible judge of ../audit/scripted-judges.ts)
 * is audited as a job over an uploaded dataset; the audit is stored under the version with the
 * numbers worked by hand in test/cli/audit.test.ts; bad requests are 400/404s naming the field,
 * with no call made and no job created.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { biased, CSV, gullible, PAIR_CSV, resetSamples } from '../audit/scripted-judges.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';

const MODEL = 'openai:/gpt-test';
const JUDGE = {
  name: 'quality',
  definition: 'Assesses whether the answer is correct and useful.',
  grading_prompt: 'Score from 1-5, where 1 is useless and 5 is excellent.',
};
const COLUMNS = { inputs: 'question', outputs: 'answer' };

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    llm = await startLlmServer();
    server = await startTestServer({ llm, storeKind });
    const upload = await server.call('POST', '/api/datasets', { body: fileForm('rows.csv', CSV) });
    expect(upload.status).toBe(201);
    datasetId = upload.body.id;
    // The judge is stored as v1 by an evaluation that uses it (its answers to the originals are cached).
    llm.setHandler(gullible);
    const run = await server.call('POST', '/api/runs', {
      body: { dataset_id: datasetId, config: { judge_model: MODEL, col_mapping: COLUMNS, metrics: [JUDGE] } },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    expect((await waitForJob(server, run.body.job_id)).status).toBe('completed');
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });
  beforeEach(() => {
    llm.reset();
    llm.setHandler(gullible);
    resetSamples();
  });

  const audit = (body: Record<string, unknown>, name = 'quality') =>
    server.call('POST', `/api/judges/${name}/audit`, {
      body: { dataset_id: datasetId, judge_model: MODEL, col_mapping: COLUMNS, ...body },
    });

  it('audits the stored version as a job and stores the numbers under it', async () => {
    const started = await audit({ samples: 3, human_col: 'human' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ judge: { name: 'quality', version: 'v1' }, rows: 5 });
    const job = await waitForJob(server, started.body.job_id);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'completed', kind: 'audit', run_id: started.body.run_id });

    const history = await server.call('GET', '/api/judges/quality/audits');
    expect(history.status).toBe(200);
    expect(history.body.audits).toHaveLength(1);
    const [stored] = history.body.audits;
    expect(stored).toMatchObject({ version: 'v1', judge_id: started.body.judge.id, dataset_id: datasetId, run_id: started.body.run_id });
    expect(stored).toMatchObject({ suite: 'juror-bias-probes', suite_version: 'v1', n: 5 });
    // As worked by hand in test/cli/audit.test.ts.
    expect(stored.summary.verbosity_shift.value).toBeCloseTo(1.1, 10);
    expect(stored.summary.authority_shift.value).toBeCloseTo(4 / 15, 10);
    expect(stored.summary.injection_flip_rate.value).toBeCloseTo(0.75, 10);
    expect(stored.summary.consistency_alpha.value).toBeCloseTo(30 / 31, 10);
    expect(stored.summary.consistency_change_rate.value).toBeCloseTo(0.2, 10);
    expect(stored.report.human_agreement.statistics.accuracy).toBe(0.8);
    // 23 × 5 copies at temperature 0 (the originals come from the cache), then 3 × 5 samples.
    expect(llm.requests).toHaveLength(23 * 5 + 15);

    // The human agreement is in the version's agreement history too, with the audit's run.
    const agreement = await server.call('GET', '/api/judges/quality/agreement');
    const points = agreement.body.series.flatMap((s: { points: Array<{ run_id: string }> }) => s.points);
    expect(points.map((p: { run_id: string }) => p.run_id)).toContain(started.body.run_id);
  });

  it('runs only the probes asked for, asking again with the cache off', async () => {
    const started = await audit({ probes: ['injection'], cache: false });
    expect(started.status).toBe(202);
    expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');
    const { body } = await server.call('GET', '/api/judges/quality/audits');
    const last = body.audits[body.audits.length - 1];
    expect(last.summary).toMatchObject({ verbosity_shift: null, consistency_alpha: null });
    expect(last.summary.injection_flip_rate.value).toBeCloseTo(0.75, 10);
    // The same prompts as the first audit, asked again: 5 originals and 16 attacks × 5.
    expect(llm.requests).toHaveLength(17 * 5);
  });

  it("audits a pairwise judge's position as a job: both orders of each pair", async () => {
    llm.setHandler(biased);
    const upload = await server.call('POST', '/api/datasets', { body: fileForm('pairs.csv', PAIR_CSV) });
    const pairColumns = { inputs: 'question', response_a: 'answer_a', response_b: 'answer_b' };
    const judge = { name: 'better', judge_prompt: 'Question: {inputs}\nWhich answer is better?\nA: {response_a}\nB: {response_b}' };
    const run = await server.call('POST', '/api/runs', {
      body: { dataset_id: upload.body.id, config: { judge_model: MODEL, col_mapping: pairColumns, metrics: [judge] } },
    });
    expect((await waitForJob(server, run.body.job_id)).status).toBe('completed');
    llm.reset();
    const started = await server.call('POST', '/api/judges/better/audit', {
      body: { dataset_id: upload.body.id, judge_model: MODEL, col_mapping: pairColumns },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');
    const { body } = await server.call('GET', '/api/judges/better/audits');
    // As worked by hand in test/cli/audit.test.ts: the close pairs answer A in both orders.
    expect(body.audits[0].report.probes).toEqual(['position']);
    expect(body.audits[0].summary).toMatchObject({
      position_consistency: { value: 0.5 },
      first_position: { value: 0.75 },
      injection_flip_rate: null,
    });
    // The first order of each pair was judged by the run that stored the judge: only the swapped orders are asked.
    expect(llm.requests).toHaveLength(4);
  });

  it('refuses bad requests naming the field, before any call or job', async () => {
    const jobsBefore = (await server.call('GET', '/api/jobs?kind=audit')).body.total;
    const cases: Array<[Record<string, unknown>, number, string | undefined, string]> = [
      [{ dataset_id: 'nope' }, 404, 'dataset_id', "no dataset 'nope'"],
      [{ human_col: 'verdict' }, 400, 'human_col', "names column 'verdict'"],
      [{ version: 'v9' }, 404, 'version', "has no version 'v9'"],
      [{ rows: 501 }, 400, undefined, 'rows'],
      [{ probes: ['mirror'] }, 400, undefined, 'probes'],
      [{ probes: ['position'] }, 400, 'probes', 'the position probe is for pairwise judges'],
      [{ col_mapping: { outputs: 'missing' } }, 400, 'col_mapping', "names column 'missing'"],
    ];
    for (const [body, status, field, message] of cases) {
      const response = await audit(body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      if (field) expect(response.body.error?.field ?? response.body.field, JSON.stringify(response.body)).toBe(field);
      expect(JSON.stringify(response.body)).toContain(message);
    }
    expect((await server.call('GET', '/api/judges/nobody/audits')).status).toBe(404);
    expect(llm.requests).toHaveLength(0);
    expect((await server.call('GET', '/api/jobs?kind=audit')).body.total).toBe(jobsBefore);
  });
});
