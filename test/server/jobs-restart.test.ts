/**
 * The job system across a restart (issue #12): a server stopped (close()) in the middle of an
 * evaluation or of a label job's full pass, then started again on the same store, finishes the work
 * — same run, every row scored or labelled once, provider calls at most rows + the concurrency seen
 * at the scripted server. Cancel is the same for both kinds, and a job whose handler throws fails
 * once with its message and is not run again by the next start.
 */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/engine/scheduler.js';
import { labelDb } from '../../src/store/label-tables.js';
import type { StoreLocation } from '../../src/store/store.js';
import { startLlmServer, verdict, type Reply, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';
import { answerRow, judged, qaCsv, waitForLabelJob } from './label-helpers.js';

const ROWS = 24;
const ROW_INDEXES = Array.from({ length: ROWS }, (_, i) => i);
const MODEL = 'openai:/gpt-test';

/** Polls `read` until `done` holds for what it returns. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let dir: string;
  let location: { store: StoreLocation; drop(): Promise<void> };
  let server: TestServer | undefined;
  /** While shut, calls after the first `answered` wait (a run stopped in the middle, deterministically). */
  let gate: { answered: number; open(): void } | undefined;

  /** A server over the one store and data directory of this suite (a restart is another call). */
  /** Servers of the current test, counted from 1: each sends its own key, so the scripted server tells their calls apart. */
  let serial = 0;
  const serve = async () =>
    (server = await startTestServer({
      llm,
      storeKind,
      store: location.store,
      dataDir: join(dir, 'datasets'),
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: `server-${++serial}` },
    }));
  /** The dataset rows the n-th server of the test asked the judge about, in order. */
  const rowsAskedBy = (n: number) => llm.requests.filter((r) => r.headers.authorization === `Bearer server-${n}`).map((r) => answerRow(r));
  const stopServer = async () => {
    await server?.stop();
    server = undefined;
  };
  /** Answers the first `n` calls, then holds every other one until the gate opens. */
  const holdAfter = (n: number, reply: (req: Parameters<Parameters<LlmServer['setHandler']>[0]>[0]) => Reply) => {
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    const state = { answered: 0, open: release };
    gate = state;
    llm.setHandler(async (req) => {
      if (state.answered++ >= n) await opened;
      return reply(req);
    });
  };

  beforeAll(async () => {
    llm = await startLlmServer();
    dir = mkdtempSync(join(tmpdir(), 'juror-jobs-'));
    location = await STORES.find(([name]) => name === storeKind)![1](dir);
  });
  afterAll(async () => {
    await location.drop();
    rmSync(dir, { recursive: true, force: true });
    await llm.close();
  });
  beforeEach(() => {
    llm.reset();
    serial = 0;
  });
  afterEach(async () => {
    gate?.open();
    gate = undefined;
    await stopServer();
  });

  const upload = async (s: TestServer, name: string) =>
    (await s.call('POST', '/api/datasets', { body: fileForm(name, qaCsv(ROWS)) })).body.id as string;
  const judge = (name: string) => ({ name, definition: 'Whether the answer follows.', grading_prompt: 'Score 1-5, 5 being best.' });

  it('resumes an evaluation stopped with its server: same run, every row scored once, calls ≤ rows + concurrency', async () => {
    const a = await serve();
    const datasetId = await upload(a, 'eval.csv');
    holdAfter(8, () => verdict(4));
    const config = {
      experiment: 'restart',
      judge_model: MODEL,
      col_mapping: { inputs: 'question', predictions: 'answer' },
      metrics: [judge('restart_eval')],
      providers: { openai: { max_concurrency: 3 } },
    };
    const started = await a.call('POST', '/api/runs', { body: { dataset_id: datasetId, config } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const { run_id: runId, job_id: jobId } = started.body;
    await until(
      () => a.call('GET', `/api/jobs/${jobId}`),
      (r) => r.body.progress?.rows_done >= 8,
      'eight rows scored',
    );

    await stopServer();
    gate!.open();
    const b = await serve();
    // Queued again by the stop, so the restart took it up rather than marking it failed.
    const job = await waitForJob(b, jobId);
    expect(job).toMatchObject({
      id: jobId,
      kind: 'evaluate',
      status: 'completed',
      run_id: runId,
      error: null,
      progress: { rows_done: ROWS, row_count: ROWS },
    });
    const run = (await b.call('GET', `/api/runs/${runId}`)).body;
    expect(run).toMatchObject({ status: 'finished', rows_done: ROWS, error_count: 0 });
    const results = await b.store.results(runId, { from: 0, to: ROWS * 2 });
    expect(results.map((r) => r.row_index).sort((x, y) => x - y)).toEqual(ROW_INDEXES);
    expect((await b.call('GET', '/api/runs?experiment=restart')).body.total).toBe(1);
    // The restarted server asked only for rows not scored before the stop, each once.
    const resumed = rowsAskedBy(2);
    expect(new Set(resumed).size).toBe(resumed.length);
    expect(resumed.length).toBeLessThanOrEqual(ROWS - 8);
    expect(llm.stats.received).toBeLessThanOrEqual(ROWS + 3);
  });

  it('resumes a label job stopped in its full pass: it completes with every row labelled once, calls ≤ rows + concurrency', async () => {
    const a = await serve();
    const datasetId = await upload(a, 'label.csv');
    // The sample (4) and 6 rows of the full pass are answered before the stop.
    holdAfter(10, (req) => verdict(judged(answerRow(req))));
    const created = await a.call('POST', '/api/label-jobs', {
      body: { dataset_id: datasetId, prompt: '[restart] Does {answer} answer {question}? 1 or 0.', model: MODEL, sample_size: 4 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.job_id;
    await until(
      () => a.call('GET', `/api/label-jobs/${id}`),
      (r) => r.body.progress?.phase === 'full' && r.body.progress.rows_done >= 6,
      'six rows of the full pass',
    );
    await stopServer();
    gate!.open();
    const b = await serve();
    const done = await waitForLabelJob(b, id, ['completed']);
    expect(done).toMatchObject({ status: 'completed', error: null, total: ROWS });
    const labels = await labelDb(b.store)
      .selectFrom('labels')
      .select(['row_index', 'label', 'run_id'])
      .where('label_job_id', '=', id)
      .where('source', '=', 'llm')
      .execute();
    expect(labels.map((l) => Number(l.row_index)).sort((x, y) => x - y)).toEqual(ROW_INDEXES);
    expect(labels.every((l) => l.label === judged(Number(l.row_index)))).toBe(true);
    // The sample, the full pass until the stop, and its rest after the restart: one run each.
    expect(done.runs.map((r: { phase: string }) => r.phase)).toEqual(['sample', 'full', 'full']);
    const resumedRun = done.runs[2].run_id;
    const labelledAfter = labels.filter((l) => l.run_id === resumedRun).map((l) => Number(l.row_index));
    expect(labelledAfter.length).toBeLessThanOrEqual(ROWS - 10);
    // The restarted server asked only for the rows without a label, each once.
    expect(rowsAskedBy(2).sort((x, y) => x - y)).toEqual(labelledAfter.sort((x, y) => x - y));
    expect((await b.call('GET', '/api/jobs?kind=label&status=completed&limit=10')).body.total).toBe(2);
    expect(llm.stats.received).toBeLessThanOrEqual(ROWS + DEFAULT_LIMITS.maxConcurrency);
  });

  it('resumes an align check stopped with its server: same run, the agreement stored once over every labelled row', async () => {
    const a = await serve();
    const human = 'question,answer,human\n' + ROW_INDEXES.map((i) => `question ${i},answer ${i},${judged(i)}`).join('\n') + '\n';
    const datasetId = (await a.call('POST', '/api/datasets', { body: fileForm('human.csv', human) })).body.id;
    llm.setHandler((req) => verdict(judged(answerRow(req))));
    const metric = { name: 'restart_align', judge_prompt: 'Is {answer} right for {question}? 1 or 0.', output: 'binary' };
    const stored = await a.call('POST', '/api/runs', {
      body: { dataset_id: datasetId, config: { judge_model: MODEL, metrics: [metric] } },
    });
    expect((await waitForJob(a, stored.body.job_id)).status).toBe('completed');
    llm.reset();

    holdAfter(6, (req) => verdict(judged(answerRow(req))));
    const started = await a.call('POST', '/api/judges/restart_align/align', {
      body: { dataset_id: datasetId, judge_model: MODEL, human_col: 'human', cache: false },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await until(
      () => a.call('GET', `/api/jobs/${started.body.job_id}`),
      (r) => r.body.progress?.rows_done >= 6,
      'six rows judged',
    );

    await stopServer();
    gate!.open();
    const b = await serve();
    expect(await waitForJob(b, started.body.job_id)).toMatchObject({ kind: 'align', status: 'completed', run_id: started.body.run_id });
    const points = (await b.call('GET', '/api/judges/restart_align/agreement')).body.series[0].points;
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ n: ROWS, run_id: started.body.run_id, statistics: { accuracy: 1 } });
    // The restarted server asked only for rows not judged before the stop, each once.
    const resumed = rowsAskedBy(2);
    expect(new Set(resumed).size).toBe(resumed.length);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.length).toBeLessThanOrEqual(ROWS - 6);
  });

  it('cancels an evaluation and a label pass alike: cancelled with the same error, 409 the second time, not resumed by a restart', async () => {
    const a = await serve();
    const datasetId = await upload(a, 'cancel.csv');
    holdAfter(0, (req) => verdict(judged(answerRow(req))));
    const run = (
      await a.call('POST', '/api/runs', {
        body: {
          dataset_id: datasetId,
          config: { judge_model: MODEL, col_mapping: { inputs: 'question', predictions: 'answer' }, metrics: [judge('cancel_eval')] },
        },
      })
    ).body;
    const label = (
      await a.call('POST', '/api/label-jobs', {
        body: { dataset_id: datasetId, prompt: '[cancel-both] Is {answer} right? 1 or 0.', model: MODEL, sample_size: 4 },
      })
    ).body;
    const pass = await until(
      () => a.call('GET', `/api/jobs?kind=label&status=running`),
      (r) => r.body.jobs.some((j: { id: string; status: string }) => j.status === 'running'),
      'the label pass running',
    );
    const passId = pass.body.jobs[0].id;

    const stopped = await Promise.all([run.job_id, passId].map((jobId) => a.call('POST', `/api/jobs/${jobId}/cancel`)));
    for (const response of stopped) expect(response).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect(stopped[0]!.body.error).toBe(stopped[1]!.body.error);
    expect(stopped[0]!.body.error).toContain('cancelled');
    for (const jobId of [run.job_id, passId]) expect((await a.call('POST', `/api/jobs/${jobId}/cancel`)).status).toBe(409);
    expect((await a.call('GET', `/api/label-jobs/${label.job_id}`)).body).toMatchObject({ status: 'cancelled', error: 'cancelled' });
    expect((await a.call('GET', `/api/runs/${run.run_id}`)).body.status).toBe('interrupted');

    await stopServer();
    gate!.open();
    llm.reset();
    const b = await serve();
    expect((await b.call('GET', `/api/jobs/${run.job_id}`)).body.status).toBe('cancelled');
    expect((await b.call('GET', `/api/jobs/${passId}`)).body.status).toBe('cancelled');
    expect((await b.call('GET', `/api/label-jobs/${label.job_id}`)).body.status).toBe('cancelled');
    expect(llm.stats.received).toBe(0);
  });

  it('fails a job whose handler throws, with its message, once: the next start does not run it again', async () => {
    const a = await serve();
    const datasetId = await upload(a, 'gone.csv');
    // The label pass cannot read its dataset's file.
    unlinkSync(join(dir, 'datasets', `${datasetId}.csv`));
    const created = await a.call('POST', '/api/label-jobs', {
      body: { dataset_id: datasetId, prompt: '[gone] Is {answer} right? 1 or 0.', model: MODEL, sample_size: 4 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const [pass] = (
      await until(
        () => a.call('GET', '/api/jobs?kind=label&status=failed'),
        (r) => r.body.jobs.length > 0,
        'the pass failed',
      )
    ).body.jobs;
    expect(pass.error).toMatch(/gone\.csv|no such file|ENOENT/i);
    const [job] = (await a.call('GET', `/api/label-jobs?dataset_id=${datasetId}`)).body.jobs;
    expect(job).toMatchObject({ id: created.body.job_id, status: 'failed', error: pass.error });

    await stopServer();
    const b = await serve();
    expect((await b.call('GET', `/api/jobs/${pass.id}`)).body).toMatchObject({
      status: 'failed',
      error: pass.error,
      updated_at: pass.updated_at,
    });
    expect((await b.call('GET', '/api/jobs?status=running')).body.total).toBe(0);
    expect(llm.stats.received).toBe(0);
  });
});
