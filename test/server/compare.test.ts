/**
 * Comparing runs over HTTP, on SQLite and Postgres: `GET /api/runs/compare` (paired statistics per
 * metric) and `POST /api/runs/compare/pairwise` (a pairwise judge over each row's two outputs, a
 * job of kind pairwise, read back with `GET /api/runs/compare/pairwise/:id`), against the scripted
 * LLM server answering by the [GOOD] marker of each response.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JurorClient } from '../../src/client/client.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { pairwiseByMarker, TWO_SYSTEMS_CSV as CSV } from '../support/pairwise.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';

const MODEL = 'openai:/gpt-test';

const PAIRWISE_JUDGE = {
  name: 'better_answer',
  judge_prompt: 'Question: {question}\nWhich answer is better?\nA: {response_a}\nB: {response_b}',
};

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let runA: string;
  let runB: string;

  const evaluation = async (datasetId: string, column: string): Promise<string> => {
    const started = await server.call('POST', '/api/runs', {
      body: {
        dataset_id: datasetId,
        config: { col_mapping: { inputs: 'question', predictions: column, targets: 'expected' }, metrics: ['exact_match'] },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');
    return started.body.run_id as string;
  };

  beforeAll(async () => {
    llm = await startLlmServer();
    server = await startTestServer({ llm, storeKind });
    const upload = await server.call('POST', '/api/datasets', { body: fileForm('answers.csv', CSV) });
    expect(upload.status).toBe(201);
    runA = await evaluation(upload.body.id, 'out_a');
    runB = await evaluation(upload.body.id, 'out_b');
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });
  beforeEach(() => {
    llm.reset();
    llm.setHandler(pairwiseByMarker());
  });

  describe('GET /api/runs/compare', () => {
    it('pairs the rows and tests exact_match with McNemar: 1 row only A right, 3 only B, exact p = 10/16', async () => {
      const { status, body } = await server.call('GET', `/api/runs/compare?a=${runA}&b=${runB}`);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.a.id).toBe(runA);
      const exact = body.metrics.find((m: { metric: string }) => m.metric === 'exact_match/v1');
      // p = 2·P(X ≤ 1), X ~ Bin(4, ½) = 2·(1 + 4)/16 = 0.625: not distinguishable on six rows.
      expect(exact).toMatchObject({ n: 6, test: 'mcnemar', method: 'exact', statistic: 1, verdict: 'not distinguishable' });
      expect(exact.mean_a).toBeCloseTo(2 / 6, 14);
      expect(exact.mean_b).toBeCloseTo(4 / 6, 14);
      expect(exact.difference).toBeCloseTo(1 / 3, 14);
      expect(exact.p).toBeCloseTo(0.625, 14);
      expect(exact.interval[0]).toBeLessThan(1 / 3);
      expect(exact.interval[1]).toBeGreaterThan(1 / 3);
    });

    it('is a 404 naming an unknown run, and a 400 without b', async () => {
      const missing = await server.call('GET', `/api/runs/compare?a=${runA}&b=nope`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ field: 'b', message: "no run 'nope'" });
      const noB = await server.call('GET', `/api/runs/compare?a=${runA}`);
      expect(noB.status).toBe(400);
      expect(noB.body.field).toBe('b');
    });
  });

  describe('POST /api/runs/compare/pairwise', () => {
    it('judges both orders of each row as a job; the report: B wins 3/6, loses 1/6, ties 2/6, consistent, no position preference', async () => {
      const started = await server.call('POST', '/api/runs/compare/pairwise', {
        body: { a: runA, b: runB, judge: PAIRWISE_JUDGE, judge_model: MODEL },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      expect(started.body).toMatchObject({ judge: { name: 'better_answer', version: 'v1' }, pairs: 6, skipped: 0 });
      let result = await server.call('GET', `/api/runs/compare/pairwise/${started.body.job_id}`);
      expect(result.status).toBe(200);
      await waitForJob(server, started.body.job_id);
      result = await server.call('GET', `/api/runs/compare/pairwise/${started.body.job_id}`);
      expect(result.body.status, JSON.stringify(result.body)).toBe('completed');
      const { summary, pairs, judging_run: judgingRun } = result.body.report;
      expect(judgingRun).toBe(started.body.run_id);
      expect(summary).toMatchObject({ pairs: 6, judged: 6, errors: 0, decisive: 8 });
      expect(summary.wins.value).toBeCloseTo(3 / 6, 14);
      expect(summary.losses.value).toBeCloseTo(1 / 6, 14);
      expect(summary.ties.value).toBeCloseTo(2 / 6, 14);
      expect(summary.consistency.value).toBe(1);
      expect(summary.first_position.value).toBe(0.5);
      expect(pairs.map((p: { winner: string }) => p.winner)).toEqual(['tie', 'b', 'b', 'b', 'a', 'tie']);
      // Two calls per row, each showing the row's question.
      expect(llm.requests).toHaveLength(12);
      expect(llm.requests.every((r) => r.lastUser.includes('Question: <data-'))).toBe(true);
      const run = await server.call('GET', `/api/runs/${judgingRun}`);
      expect(run.body).toMatchObject({ experiment: 'pairwise', row_count: 12, status: 'finished' });
    });

    it('refuses a judge of one response with a 400 on judge, and starts nothing', async () => {
      const refused = await server.call('POST', '/api/runs/compare/pairwise', {
        body: { a: runA, b: runB, judge: { name: 'polite', judge_prompt: 'Is {response} polite?' }, judge_model: MODEL },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ field: 'judge', message: expect.stringContaining("judge 'polite' is not a pairwise judge") });
      const jobs = await server.call('GET', '/api/jobs?kind=pairwise');
      expect(jobs.body.jobs.every((j: { status: string }) => j.status === 'completed')).toBe(true);
    });

    it('names a bad inline definition and an unknown stored judge', async () => {
      const half = await server.call('POST', '/api/runs/compare/pairwise', {
        body: { a: runA, b: runB, judge: { name: 'half', judge_prompt: 'Is {response_a} good?' } },
      });
      expect(half.status).toBe(400);
      expect(half.body).toMatchObject({ field: 'judge.judge_prompt', message: expect.stringContaining('but not {response_b}') });
      const unknown = await server.call('POST', '/api/runs/compare/pairwise', { body: { a: runA, b: runB, judge: 'no_such_judge' } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.field).toBe('judge');
    });

    it('GET of a job that is not a pairwise comparison is a 404', async () => {
      const jobs = await server.call('GET', '/api/jobs?kind=evaluate');
      const other = await server.call('GET', `/api/runs/compare/pairwise/${jobs.body.jobs[0].id}`);
      expect(other.status).toBe(404);
    });
  });
  describe('JurorClient', () => {
    it('compareRuns, comparePairwise and getPairwiseComparison give what the routes give', async () => {
      const client = new JurorClient({ baseUrl: server.url });
      const stats = await client.compareRuns(runA, runB, { seed: 3 });
      expect(stats.seed).toBe(3);
      expect(stats.metrics.map((m) => m.metric)).toContain('exact_match/v1');
      const started = await client.comparePairwise({ a: runA, b: runB, judge: PAIRWISE_JUDGE, judge_model: MODEL });
      await client.waitForJob(started.job_id);
      const result = await client.getPairwiseComparison(started.job_id);
      expect(result.status).toBe('completed');
      expect(result.report!.summary.wins.value).toBeCloseTo(0.5, 14);
    });
  });
});

describe('a pairwise job across a restart', () => {
  it('a server stopped mid-comparison resumes the job on start: same judging run, answered orders not asked again', async () => {
    const llm = await startLlmServer();
    const first = await startTestServer({ llm });
    let second: TestServer | undefined;
    try {
      const upload = await first.call('POST', '/api/datasets', { body: fileForm('answers.csv', CSV) });
      const runs: string[] = [];
      for (const column of ['out_a', 'out_b']) {
        const config = { col_mapping: { inputs: 'question', predictions: column, targets: 'expected' }, metrics: ['exact_match'] };
        const started = await first.call('POST', '/api/runs', { body: { dataset_id: upload.body.id, config } });
        await waitForJob(first, started.body.job_id);
        runs.push(started.body.run_id);
      }
      // The first 4 calls are answered; the others hang until the server stops.
      let answered = 0;
      llm.setHandler((req) => (answered++ < 4 ? pairwiseByMarker()(req) : { hang: true }));
      const started = await first.call('POST', '/api/runs/compare/pairwise', {
        body: { a: runs[0], b: runs[1], judge: PAIRWISE_JUDGE, judge_model: MODEL },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const deadline = Date.now() + 20_000;
      while (llm.requests.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(llm.requests.length).toBeGreaterThanOrEqual(5);
      await first.close();

      llm.reset();
      llm.setHandler(pairwiseByMarker());
      second = await startTestServer({ llm, store: { path: join(first.dir, 'juror.db') }, dataDir: join(first.dir, 'datasets') });
      expect((await waitForJob(second, started.body.job_id)).status).toBe('completed');
      const result = await second.call('GET', `/api/runs/compare/pairwise/${started.body.job_id}`);
      expect(result.body.report.judging_run).toBe(started.body.run_id);
      expect(result.body.report.summary).toMatchObject({ pairs: 6, judged: 6, errors: 0 });
      expect(result.body.report.summary.wins.value).toBeCloseTo(0.5, 14);
      // 12 orders in all; the 4 answered before the stop are kept (resumed run, cached answers): not asked of the provider again.
      expect(llm.requests.length).toBeLessThanOrEqual(8);
      const run = await second.call('GET', `/api/runs/${started.body.run_id}`);
      expect(run.body).toMatchObject({ row_count: 12, rows_done: 12, status: 'finished' });
    } finally {
      await second?.close();
      await first.stop();
      await llm.close();
    }
  });
});
