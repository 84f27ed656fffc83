/**
 * `POST /api/judges/:name/align` against the scripted LLM server, on SQLite and Postgres: a stored
 * judge version is checked against a dataset's human labels — a column of the upload, or the
 * labels people gave in a label job of it — judging only the labelled rows; the agreement lands in
 * the judge's history with the run; bad requests are 400/404s naming the field, with no call made.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';
import { answerRow, judged, uploadQa, waitForLabelJob } from './label-helpers.js';

const MODEL = 'openai:/gpt-test';
const ROWS = 12;

/** Human labels of rows 0–11: empty for rows 10 and 11; rows 1 and 3 disagree with the judge. */
const HUMAN = Array.from({ length: ROWS }, (_, i) =>
  i >= 10 ? '' : i === 1 || i === 3 ? String(1 - judged(i)) : judged(i) === 1 ? 'yes' : 'no',
);
const HUMAN_CSV = 'question,answer,human\n' + HUMAN.map((h, i) => `question ${i},answer ${i},${h}`).join('\n') + '\n';

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    llm = await startLlmServer();
    server = await startTestServer({ llm, storeKind });
    const upload = await server.call('POST', '/api/datasets', { body: fileForm('human.csv', HUMAN_CSV) });
    expect(upload.status).toBe(201);
    datasetId = upload.body.id;
    // A stored judge: used once by an evaluation, as v1.
    llm.setHandler((req) => verdict(judged(answerRow(req)), `row ${answerRow(req)}`));
    const run = await server.call('POST', '/api/runs', {
      body: {
        dataset_id: datasetId,
        config: {
          judge_model: MODEL,
          metrics: [{ name: 'qa_align', judge_prompt: 'Is {answer} right for {question}? 1 or 0.', output: 'binary' }],
        },
      },
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
    llm.setHandler((req) => verdict(judged(answerRow(req)), `row ${answerRow(req)}`));
  });

  const align = (body: Record<string, unknown>, name = 'qa_align') =>
    server.call('POST', `/api/judges/${name}/align`, { body: { dataset_id: datasetId, judge_model: MODEL, ...body } });

  it('judges the rows with a label in human_col and stores the agreement under the version, with its run', async () => {
    const started = await align({ human_col: 'human' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ judge: { name: 'qa_align', version: 'v1' }, rows: 10 });
    const job = await waitForJob(server, started.body.job_id);
    expect(job.status, JSON.stringify(job)).toBe('completed');
    // The evaluation asked the judge about these rows already: its answers come from the cache.
    expect(llm.requests).toHaveLength(0);
    expect(job.progress).toMatchObject({ rows_done: 10, cache_hits: 10 });

    const run = await server.call('GET', `/api/runs/${started.body.run_id}`);
    expect(run.body).toMatchObject({ experiment: 'align', status: 'finished', row_count: 10 });

    const history = await server.call('GET', '/api/judges/qa_align/agreement');
    const point = history.body.series[0].points.at(-1);
    expect(point).toMatchObject({ n: 10, run_id: started.body.run_id, dataset_id: datasetId, label_job_id: null });
    // 8 of 10 agree; the judge says 0 on rows 0, 3, 6, 9 and the person on 0, 1, 6, 9.
    expect(point.statistics.accuracy).toBeCloseTo(0.8, 12);
    const po = 0.8;
    const pe = 0.4 * 0.4 + 0.6 * 0.6;
    expect(point.statistics.cohen_kappa).toBeCloseTo((po - pe) / (1 - pe), 12);

    // A re-check asks the judge model again, and is a second point: the history of re-checks over time.
    const again = await align({ human_col: 'human', cache: false });
    expect((await waitForJob(server, again.body.job_id)).status).toBe('completed');
    expect(llm.requests.map(answerRow).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const grown = await server.call('GET', '/api/judges/qa_align/agreement');
    expect(grown.body.series[0].points.map((p: { run_id: string }) => p.run_id).slice(-2)).toEqual([
      started.body.run_id,
      again.body.run_id,
    ]);
  });

  it('compares with the labels people gave in a label job of the dataset', async () => {
    const plain = await uploadQa(server, 9, 'plain.csv');
    const none = await server.call('POST', '/api/judges/qa_align/align', { body: { dataset_id: plain, judge_model: MODEL } });
    expect(none.body).toMatchObject({
      status: 400,
      field: 'human_col',
      message: expect.stringContaining("no label job of judge 'qa_align'"),
    });

    const job = await server.call('POST', '/api/label-jobs', {
      body: { dataset_id: plain, prompt: '[align] Is {answer} right for {question}? 1 or 0.', model: MODEL, sample_size: 4, review: true },
    });
    const inReview = await waitForLabelJob(server, job.body.job_id, ['awaiting_review']);
    const sample: Array<{ row: number; label: number }> = inReview.labels;
    const flipped = sample[0]!.row;
    const reviewed = await server.call('POST', `/api/label-jobs/${job.body.job_id}/review`, {
      body: { labels: sample.map((l) => ({ row: l.row, label: l.row === flipped ? 1 - l.label : l.label })) },
    });
    expect(reviewed.status).toBe(200);
    await waitForLabelJob(server, job.body.job_id, ['completed']);

    llm.reset();
    expect(
      (
        await server.call('POST', '/api/judges/qa_align/align', {
          body: { dataset_id: datasetId, label_job: job.body.job_id, judge_model: MODEL },
        })
      ).body,
    ).toMatchObject({ status: 400, field: 'label_job' });
    const started = await server.call('POST', '/api/judges/qa_align/align', {
      body: { dataset_id: plain, label_job: job.body.job_id, judge_model: MODEL, cache: false },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.rows).toBe(4);
    expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');
    expect(llm.requests.map(answerRow).sort((a, b) => a - b)).toEqual(sample.map((l) => l.row));
    const history = await server.call('GET', '/api/judges/qa_align/agreement');
    const point = history.body.series[0].points.find((p: { run_id: string }) => p.run_id === started.body.run_id);
    expect(point).toMatchObject({ n: 4, dataset_id: plain });
    expect(point.statistics.accuracy).toBeCloseTo(3 / 4, 12);

    // Every reviewed row is a few-shot example of the job's v2: nothing fair to compare it on.
    const leaky = await server.call('POST', `/api/judges/${inReview.name}/align`, { body: { dataset_id: plain } });
    expect(leaky.body).toMatchObject({ status: 400, field: 'version', message: expect.stringContaining('few-shot example of') });

    // The label job's own judge is compared with its own labels by default.
    const own = await server.call('POST', `/api/judges/${inReview.name}/align`, { body: { dataset_id: plain, version: 'v1' } });
    expect(own.status, JSON.stringify(own.body)).toBe(202);
    expect(own.body).toMatchObject({ judge: { version: 'v1' }, rows: 4 });
    expect((await waitForJob(server, own.body.job_id)).status).toBe('completed');
  });

  it('answers 404 and 400 naming the field, before any call and without a run', async () => {
    const runsBefore = (await server.call('GET', '/api/runs?experiment=align')).body.total;
    expect((await align({ human_col: 'human' }, 'nope')).body).toMatchObject({ status: 404, field: 'name' });
    expect((await align({ human_col: 'human', version: 'v9' })).body).toMatchObject({
      status: 404,
      field: 'version',
      hint: expect.stringContaining('v1'),
    });
    expect((await align({ human_col: 'missing' })).body).toMatchObject({
      status: 400,
      field: 'human_col',
      hint: expect.stringContaining('question, answer, human'),
    });
    expect((await align({ human_col: 'human', dataset_id: 'nope' })).body).toMatchObject({ status: 404, field: 'dataset_id' });
    // A label that cannot be read: the line of the file.
    const bad = await server.call('POST', '/api/datasets', {
      body: fileForm('bad.csv', 'question,answer,human\nq0,answer 0,yes\nq1,answer 1,maybe\n'),
    });
    const badLabel = await align({ human_col: 'human', dataset_id: bad.body.id });
    expect(badLabel.body).toMatchObject({ status: 400, field: 'human_col', line: 3, message: expect.stringContaining('bad.csv:3') });
    expect((await align({ human_col: 'human', seed: -1 })).body).toMatchObject({ status: 400, field: 'seed' });
    expect(llm.requests).toHaveLength(0);
    expect((await server.call('GET', '/api/runs?experiment=align')).body.total).toBe(runsBefore);
  });
});
