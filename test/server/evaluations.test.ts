/**
 * Evaluations started over the API against the scripted LLM server: the run exists when the
 * answer is sent, reaches `completed`, and its results are readable; bad configs are 400s naming
 * the field with nothing created; cancelling stops the run resumably; a provider refusing the
 * run fails the job.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block, fileForm, startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let datasetId: string;
  const ROWS = 12;

  const quality = { name: 'quality', definition: 'How good the answer is.', grading_prompt: 'Score 1-5, 5 being best.' };
  /** A judge no other test uses, so that none of its answers is in the store's answer cache. */
  const uncached = (name: string) => ({ ...quality, name });
  /** Scores by the answer's number: answer i scores (i % 5) + 1, and answer 7 gets an invalid 9. */
  const scoreFor = (output: string) => (output === 'answer 7' ? 9 : (Number(output.replace('answer ', '')) % 5) + 1);

  beforeAll(async () => {
    llm = await startLlmServer();
    server = await startTestServer({ llm, storeKind });
    const csv =
      'question,answer,expected\n' +
      Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i},${i % 3 === 0 ? `answer ${i}` : 'other'}`).join('\n') +
      '\n';
    datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', csv) })).body.id;
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });
  beforeEach(() => {
    llm.reset();
    // The whole conversation: a re-ask's last message quotes the problem, not the row.
    llm.setOptions({ latencyMs: 0, handler: (req) => verdict(scoreFor(block(req.text, 'output') ?? '')) });
  });

  const config = (extra: Record<string, unknown> = {}) => ({
    experiment: 'api',
    judge_model: 'openai:/gpt-test',
    col_mapping: { inputs: 'question', predictions: 'answer', targets: 'expected' },
    metrics: [quality, 'exact_match'],
    ...extra,
  });

  async function counts(): Promise<{ runs: number; jobs: number }> {
    return { runs: (await server.call('GET', '/api/runs')).body.total, jobs: (await server.call('GET', '/api/jobs')).body.total };
  }

  describe('POST /api/runs', () => {
    it('answers 202 with ids at once, the run exists, and the job completes with the results stored', async () => {
      const started = await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config: config({ run_name: 'from-api' }) } });
      expect(started.status).toBe(202);
      expect(started.body).toEqual({ run_id: expect.stringMatching(/^[0-9a-f]{32}$/), job_id: expect.any(String) });
      const { run_id: runId, job_id: jobId } = started.body;
      // The run is there as soon as the answer is.
      expect((await server.call('GET', `/api/runs/${runId}`)).status).toBe(200);

      const job = await waitForJob(server, jobId);
      expect(job).toMatchObject({
        id: jobId,
        kind: 'evaluate',
        status: 'completed',
        error: null,
        run_id: runId,
        progress: { rows_done: ROWS, row_count: ROWS, errors: 1 },
      });
      expect(job.progress.metrics).toEqual(
        expect.arrayContaining([expect.objectContaining({ metric: 'quality/v1', done: ROWS, errors: 1 })]),
      );

      const run = (await server.call('GET', `/api/runs/${runId}`)).body;
      expect(run).toMatchObject({
        name: 'from-api',
        experiment: 'api',
        status: 'finished',
        row_count: ROWS,
        rows_done: ROWS,
        error_count: 1,
        job: { id: jobId, status: 'completed' },
        dataset: { id: datasetId, name: 'qa', format: 'csv', row_count: ROWS, columns: ['question', 'answer', 'expected'] },
        config: { experiment: 'api', data: 'qa.csv', metrics: [quality, 'exact_match'] },
        metric_names: ['exact_match/v1', 'quality/v1'],
      });
      // Stored as the upload names it: the file's place in the server's data directory is not shown.
      expect(run.dataset).not.toHaveProperty('path');
      const expectedScores = Array.from({ length: ROWS }, (_, i) => i)
        .filter((i) => i !== 7)
        .map((i) => (i % 5) + 1);
      expect(run.metrics['quality/v1/mean']).toBeCloseTo(expectedScores.reduce((a, b) => a + b, 0) / expectedScores.length, 10);
      expect(run.metrics['exact_match/v1/mean']).toBeCloseTo(4 / ROWS, 10);
      expect(run.judges[0]).toMatchObject({ metric: 'quality/v1', definition: { grading_prompt: quality.grading_prompt } });
      expect(run.input_tokens).toBeGreaterThan(0);

      const page = (await server.call('GET', `/api/runs/${runId}/results?limit=100`)).body;
      expect(page.total).toBe(ROWS);
      expect(page.rows.map((r: { results: Record<string, { value: number | null }> }) => r.results['quality/v1']!.value)).toEqual(
        Array.from({ length: ROWS }, (_, i) => (i === 7 ? null : (i % 5) + 1)),
      );
      expect(page.rows[7].results['quality/v1'].error).toMatch(/9/);
      expect(
        (await server.call('GET', `/api/runs/${runId}/results?errors_only=true`)).body.rows.map((r: { row_index: number }) => r.row_index),
      ).toEqual([7]);
      const best = (await server.call('GET', `/api/runs/${runId}/results?sort=-quality&limit=2`)).body.rows;
      expect(best.map((r: { row_index: number }) => r.row_index)).toEqual([9, 4]);

      const row = (await server.call('GET', `/api/runs/${runId}/results/3`)).body;
      const judged = row.results.find((r: { metric: string }) => r.metric === 'quality/v1');
      expect(block(judged.prompt.user, 'output')).toBe('answer 3');
      expect(judged.prompt.system).toBe(run.judges[0].system_prompt);
      expect(JSON.parse(judged.raw)).toEqual({ justification: 'score 4', score: 4 });
      // What the judge was sent is what the row shows.
      const sent = llm.requests.find((r) => block(r.lastUser, 'output') === 'answer 3')!;
      expect(sent.lastUser).toBe(judged.prompt.user);
    });

    it('answers 400 naming the config field, as the CLI does, and creates nothing', async () => {
      const before = await counts();
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ ...config(), judge_modle: 'x' }, 'config.judge_modle', /unknown key 'judge_modle'/],
        [
          config({ metrics: [{ name: 'quality', definition: 'd' }] }),
          'config.metrics[0].grading_prompt',
          /config\.metrics\[0\]\.grading_prompt/,
        ],
        [config({ metrics: [{ name: 'q' }] }), 'config.metrics[0]', /neither a rubric judge nor a prompt judge/],
        [config({ metrics: ['no_such_metric'] }), 'config.metrics[0]', /no_such_metric/],
        [config({ col_mapping: { inputs: 'nope' } }), 'config.col_mapping.inputs', /nope/],
        [config({ thresholds: { 'quality/v1/mean': '>= 3', 'other/v1/mean': 1 } }), 'config.thresholds.other/v1/mean', /does not compute/],
        // Without judge_model the server's OPENAI key brings the default judge model; a model whose key is missing is refused.
        [config({ judge_model: 'anthropic:/claude-test' }), 'config.judge_model', /ANTHROPIC_API_KEY/],
        [config({ model_type: 'chat' }), 'config.model_type', /model_type/],
        [config({ data: 'other.csv' }), 'config.data', /not allowed/],
      ];
      for (const [body, field, message] of cases) {
        const response = await server.call('POST', '/api/runs', {
          body: { dataset_id: datasetId, config: JSON.parse(JSON.stringify(body)) },
        });
        expect({ field, status: response.status, got: response.body.field }).toEqual({ field, status: 400, got: field });
        expect(response.body.message).toMatch(message);
      }
      expect(await counts()).toEqual(before);
      expect(llm.stats.received).toBe(0);
    });

    it('answers 404 for an unknown dataset and 400 for a malformed request', async () => {
      expect(await server.call('POST', '/api/runs', { body: { dataset_id: 'nope', config: config() } })).toMatchObject({
        status: 404,
        body: { field: 'dataset_id' },
      });
      expect(await server.call('POST', '/api/runs', { body: { dataset_id: datasetId } })).toMatchObject({
        status: 400,
        body: { field: 'config' },
      });
      expect(await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config: [] } })).toMatchObject({
        status: 400,
        body: { field: 'config' },
      });
      expect(await server.call('POST', '/api/runs', { body: { dataset_id: datasetId, config: {}, extra: 1 } })).toMatchObject({
        status: 400,
        body: { field: 'extra' },
      });
      expect(
        (await server.call('POST', '/api/runs', { body: '{"dataset_id":', headers: { 'content-type': 'application/json' } })).status,
      ).toBe(400);
      expect((await server.call('POST', '/api/runs')).status).toBe(400);
    });
  });

  describe('cancelling', () => {
    it('stops a slow run: the job is cancelled, the run interrupted with its finished rows kept', async () => {
      llm.setOptions({ latencyMs: 150 });
      const { body: started } = await server.call('POST', '/api/runs', {
        body: { dataset_id: datasetId, config: config({ metrics: [uncached('patience')], providers: { openai: { max_concurrency: 2 } } }) },
      });
      // Wait for a first finished row, so the run is well under way.
      for (let i = 0; i < 200; i++) {
        const { body } = await server.call('GET', `/api/jobs/${started.job_id}`);
        if (body.progress?.rows_done > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await server.call('GET', `/api/jobs/${started.job_id}`)).body.progress.cache_hits).toBe(0);
      expect(await server.call('DELETE', `/api/runs/${started.run_id}`)).toMatchObject({
        status: 409,
        body: { hint: expect.stringContaining(`/api/jobs/${started.job_id}/cancel`) },
      });

      const cancelled = await server.call('POST', `/api/jobs/${started.job_id}/cancel`);
      expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', error: expect.stringContaining('interrupted') } });
      const run = (await server.call('GET', `/api/runs/${started.run_id}`)).body;
      expect(run.status).toBe('interrupted');
      expect(run.rows_done).toBeGreaterThan(0);
      expect(run.rows_done).toBeLessThan(ROWS);
      expect((await server.call('GET', `/api/runs/${started.run_id}/results`)).body.total).toBe(run.rows_done);
      // A stopped job cannot be cancelled again; the run can now be deleted.
      expect(await server.call('POST', `/api/jobs/${started.job_id}/cancel`)).toMatchObject({
        status: 409,
        body: { message: expect.stringContaining('cancelled') },
      });
      expect((await server.call('DELETE', `/api/runs/${started.run_id}`)).status).toBe(200);
      expect((await server.call('GET', `/api/jobs/${started.job_id}`)).body.status).toBe('cancelled');
    });

    it('answers 404 for an unknown job', async () => {
      expect((await server.call('GET', '/api/jobs/nope')).status).toBe(404);
      expect((await server.call('POST', '/api/jobs/nope/cancel')).status).toBe(404);
    });
  });

  describe('failures', () => {
    it('fails the job and the run when the provider refuses the run', async () => {
      llm.setHandler(() => ({
        status: 401,
        body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } },
      }));
      const { body: started } = await server.call('POST', '/api/runs', {
        body: { dataset_id: datasetId, config: config({ metrics: [uncached('strict')] }) },
      });
      const job = await waitForJob(server, started.job_id);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/401|API key/i);
      const run = (await server.call('GET', `/api/runs/${started.run_id}`)).body;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/401|API key/i);
    });

    it('lists jobs newest first, by status', async () => {
      const { body } = await server.call('GET', '/api/jobs?limit=100');
      expect(body.total).toBeGreaterThanOrEqual(3);
      expect(body.jobs[0].status).toBe('failed');
      const completed = (await server.call('GET', '/api/jobs?status=completed')).body;
      expect(completed.jobs.every((j: { status: string }) => j.status === 'completed')).toBe(true);
      expect(await server.call('GET', '/api/jobs?status=done')).toMatchObject({ status: 400, body: { field: 'status' } });
    });
  });
});
