/**
 * The LLM Judge++ loop over HTTP against the scripted LLM server: a label job labels a sample of
 * 16 rows, a person reviews it with two flips, the full job's prompts carry the corrected labels
 * as few-shot examples, every row ends labelled (human labels winning), and the download carries
 * the label columns; resample makes a new judge version; cancel; 400s naming fields; 404s.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, STORES, type TestServer } from './helpers.js';
import { answerRow, judged, systemOf, uploadQa, waitForLabelJob } from './label-helpers.js';

const ROWS = 40;
const MODEL = 'openai:/gpt-test';

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let llm: LlmServer;
  let server: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    llm = await startLlmServer();
    server = await startTestServer({ llm, storeKind });
    datasetId = await uploadQa(server, ROWS);
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });
  beforeEach(() => {
    llm.reset();
    llm.setOptions({ latencyMs: 0, handler: (req) => verdict(judged(answerRow(req)), `row ${answerRow(req)} judged`) });
  });

  /** A prompt no other test uses, so that no answer comes from the store's cache. */
  const promptFor = (tag: string) => `[${tag}] Does the answer {answer} to {question} follow from {context}? 1 if it does, else 0.`;

  async function startJob(tag: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { status, body } = await server.call('POST', '/api/label-jobs', {
      body: { dataset_id: datasetId, prompt: promptFor(tag), model: MODEL, review: true, ...extra },
    });
    expect(status, JSON.stringify(body)).toBe(202);
    return body.job_id;
  }

  describe('the label → review → label everything loop', () => {
    it('labels a sample, takes two flips as examples, labels every row, and downloads in dataset order', async () => {
      const id = await startJob('loop');
      const inReview = await waitForLabelJob(server, id, ['awaiting_review']);
      expect(inReview).toMatchObject({
        status: 'awaiting_review',
        scope: 'sample',
        total: 16,
        sample_size: 16,
        judge: { version: 'v1' },
        progress: { phase: 'sample', rows_done: 16 },
      });
      const sample: Array<{
        row: number;
        label: number;
        justification: string;
        source: string;
        judge_version: string;
        record: Record<string, string>;
      }> = inReview.labels;
      expect(sample).toHaveLength(16);
      expect(sample.map((l) => l.row)).toEqual([...sample.map((l) => l.row)].sort((a, b) => a - b));
      for (const item of sample) {
        expect(item).toMatchObject({
          label: judged(item.row),
          source: 'llm',
          judge_version: 'v1',
          justification: `row ${item.row} judged`,
          record: { answer: `answer ${item.row}` },
          labelled_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        });
        expect(Number.isInteger(item.label)).toBe(true);
      }
      expect(llm.requests).toHaveLength(16);

      // Two flips: one with the reviewer's justification, one without; the other 14 kept.
      const [first, second] = sample;
      const review = sample.map((l, i) =>
        i === 0
          ? { row: l.row, label: 1 - l.label, justification: `Reviewer: row ${l.row} is the other way round` }
          : i === 1
            ? { row: l.row, label: 1 - l.label }
            : { row: l.row, label: l.label },
      );
      llm.reset();
      const reviewed = await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: review } });
      expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
      expect(reviewed.body).toMatchObject({ status: 'running', judge: { version: 'v2' } });
      const done = await waitForLabelJob(server, id, ['completed']);
      expect(done).toMatchObject({ scope: 'all', total: ROWS, progress: { phase: 'full', rows_done: ROWS - 16 } });

      // The full job's prompts carry every reviewed row as an example, corrections and justifications included.
      expect(llm.requests).toHaveLength(ROWS - 16);
      const system = systemOf(llm.requests[0]!);
      for (const req of llm.requests) expect(systemOf(req)).toBe(system);
      expect(system).toContain(
        JSON.stringify({ justification: `Reviewer: row ${first!.row} is the other way round`, score: 1 - first!.label }),
      );
      expect(system).toContain(
        JSON.stringify({
          justification: `A human reviewer labelled this ${1 - second!.label}, overruling the judge's ${second!.label}.`,
          score: 1 - second!.label,
        }),
      );
      expect(system).toContain(JSON.stringify({ justification: `row ${sample[2]!.row} judged`, score: sample[2]!.label }));
      expect(system.match(/^Example \d+:$/gm)).toHaveLength(16);
      expect(system).toContain(`answer ${first!.row}`);
      // The reviewed rows are not judged again.
      const judgedRows = llm.requests.map(answerRow);
      for (const item of sample) expect(judgedRows).not.toContain(item.row);

      const all = done.labels as Array<{ row: number; label: number; source: string; judge_version: string | null }>;
      expect(all.map((l) => l.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
      const reviewedRows = new Map(review.map((r) => [r.row, r.label]));
      for (const item of all) {
        if (reviewedRows.has(item.row))
          expect(item).toMatchObject({ source: 'human', label: reviewedRows.get(item.row), judge_version: null });
        else expect(item).toMatchObject({ source: 'llm', label: judged(item.row), judge_version: 'v2' });
      }
      const page = await server.call('GET', `/api/label-jobs/${id}?offset=10&limit=5`);
      expect(page.body).toMatchObject({ offset: 10, limit: 5, total: ROWS });
      expect(page.body.labels.map((l: { row: number }) => l.row)).toEqual([10, 11, 12, 13, 14]);

      const download = await server.call('GET', `/api/datasets/${datasetId}/download?format=csv`);
      expect(download.status).toBe(200);
      const rows = parseCsv(download.body as string, { columns: true }) as Array<Record<string, string>>;
      expect(Object.keys(rows[0]!)).toEqual([
        'question',
        'answer',
        'context',
        'label',
        'label_justification',
        'label_source',
        'label_judge_version',
      ]);
      expect(rows.map((r) => r.question)).toEqual(Array.from({ length: ROWS }, (_, i) => `question ${i}`));
      rows.forEach((r, i) => {
        if (reviewedRows.has(i))
          expect(r).toMatchObject({ label: String(reviewedRows.get(i)), label_source: 'human', label_judge_version: '' });
        else
          expect(r).toMatchObject({
            label: String(judged(i)),
            label_source: 'llm',
            label_judge_version: 'v2',
            label_justification: `row ${i} judged`,
          });
      });
      expect(rows[first!.row]!.label_justification).toBe(`Reviewer: row ${first!.row} is the other way round`);
      const jsonl = await server.call('GET', `/api/datasets/${datasetId}/download?format=jsonl&label_job=${id}`);
      const records = (jsonl.body as string)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(records[first!.row]).toMatchObject({ label: 1 - first!.label, label_source: 'human' });

      // Over: no more review, cancel or resample.
      expect((await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: [] } })).status).toBe(409);
      expect((await server.call('POST', `/api/label-jobs/${id}/cancel`)).status).toBe(409);
    });

    it('accepts a review without labels: the sample keeps its v1 labels and only the other rows are labelled', async () => {
      const id = await startJob('accept', { sample_size: 4 });
      await waitForLabelJob(server, id, ['awaiting_review']);
      llm.reset();
      const reviewed = await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: [] } });
      expect(reviewed.body.judge.version).toBe('v1');
      const done = await waitForLabelJob(server, id, ['completed']);
      expect(llm.requests).toHaveLength(ROWS - 4);
      expect(done.labels.every((l: { source: string; judge_version: string }) => l.source === 'llm' && l.judge_version === 'v1')).toBe(
        true,
      );
    });

    it('downloads the labels of a job still in review (the newest job with labels) until one completes', async () => {
      const fresh = await uploadQa(server, 6, 'fresh.csv');
      const plain = await server.call('GET', `/api/datasets/${fresh}/download?format=csv`);
      expect(plain.body).not.toContain('label');
      const started = await server.call('POST', '/api/label-jobs', {
        body: { dataset_id: fresh, prompt: promptFor('fresh'), model: MODEL, sample_size: 2, review: true },
      });
      const job = await waitForLabelJob(server, started.body.job_id, ['awaiting_review']);
      const rows = parseCsv((await server.call('GET', `/api/datasets/${fresh}/download?format=csv`)).body as string, {
        columns: true,
      }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(6);
      rows.forEach((r, i) => {
        if (job.sample.includes(i)) expect(r).toMatchObject({ label: String(judged(i)), label_source: 'llm', label_judge_version: 'v1' });
        else expect(r).toMatchObject({ label: '', label_source: '', label_judge_version: '' });
      });
    });

    it('labels everything at once with review: false', async () => {
      const id = await startJob('no-review', { review: false, sample_size: 5 });
      const done = await waitForLabelJob(server, id, ['completed']);
      expect(done.labels).toHaveLength(ROWS);
      expect(llm.requests).toHaveLength(ROWS);
    });
  });

  describe('resample', () => {
    it('re-labels the sample with a revised prompt as a new judge version, and back to awaiting_review', async () => {
      const id = await startJob('resample', { sample_size: 6 });
      const first = await waitForLabelJob(server, id, ['awaiting_review']);
      llm.reset();
      const revised = `${promptFor('resample')} Be strict.`;
      const resampled = await server.call('POST', `/api/label-jobs/${id}/resample`, { body: { prompt: revised } });
      expect(resampled.status, JSON.stringify(resampled.body)).toBe(200);
      expect(resampled.body.judge.version).toBe('v2');
      const again = await waitForLabelJob(server, id, ['awaiting_review']);
      expect(again.sample).toEqual(first.sample);
      expect(again.versions.map((v: { version: string }) => v.version)).toEqual(['v1', 'v2']);
      expect(again.criterion.prompt).toBe(revised);
      expect(again.labels.every((l: { judge_version: string }) => l.judge_version === 'v2')).toBe(true);
      expect(llm.requests).toHaveLength(6);
      expect(llm.requests.every((r) => r.lastUser.includes('Be strict.'))).toBe(true);

      // Nothing changed: the same version, nothing called.
      llm.reset();
      const same = await server.call('POST', `/api/label-jobs/${id}/resample`);
      expect(same.body.judge.version).toBe('v2');
      await waitForLabelJob(server, id, ['awaiting_review']);
      expect(llm.requests).toHaveLength(0);

      // Labels given to resample become examples of the next version.
      const row = again.sample[0];
      const withLabels = await server.call('POST', `/api/label-jobs/${id}/resample`, {
        body: { labels: [{ row, label: 1 - judged(row), justification: 'no' }] },
      });
      expect(withLabels.body.judge.version).toBe('v3');
      const third = await waitForLabelJob(server, id, ['awaiting_review']);
      expect(third.versions.at(-1)).toMatchObject({ version: 'v3', example_rows: [row] });
      expect(third.labels[0]).toMatchObject({ row, source: 'human', label: 1 - judged(row), llm: { judge_version: 'v3' } });
      const judges = (await server.call('GET', '/api/judges')).body.judges.find((j: { name: string }) => j.name === third.name);
      expect(judges.versions.map((v: { version: string }) => v.version)).toEqual(['v1', 'v2', 'v3']);
    });
  });

  describe('list', () => {
    it("lists a dataset's jobs newest first, filtered by status, with their current judge version", async () => {
      const own = await uploadQa(server, 4);
      const start = async (tag: string, extra: Record<string, unknown> = {}) => {
        const { status, body } = await server.call('POST', '/api/label-jobs', {
          body: { dataset_id: own, prompt: promptFor(tag), model: MODEL, sample_size: 2, review: true, ...extra },
        });
        expect(status, JSON.stringify(body)).toBe(202);
        return body.job_id as string;
      };
      const older = await start('list-a');
      await waitForLabelJob(server, older, ['awaiting_review']);
      const newer = await start('list-b', { review: false });
      await waitForLabelJob(server, newer, ['completed']);

      const all = await server.call('GET', `/api/label-jobs?dataset_id=${own}`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
      expect(all.body.jobs.map((j: { id: string }) => j.id)).toEqual([newer, older]);
      expect(all.body.jobs[1]).toMatchObject({
        dataset_id: own,
        status: 'awaiting_review',
        judge: { version: 'v1' },
        sample_size: 2,
        versions: 1,
        criterion: { prompt: promptFor('list-a') },
      });

      const completed = await server.call('GET', `/api/label-jobs?dataset_id=${own}&status=completed`);
      expect(completed.body.jobs.map((j: { id: string }) => j.id)).toEqual([newer]);
      const paged = await server.call('GET', `/api/label-jobs?dataset_id=${own}&limit=1&offset=1`);
      expect(paged.body).toMatchObject({ total: 2, jobs: [{ id: older }] });
      expect((await server.call('GET', '/api/label-jobs?status=done')).body).toMatchObject({ status: 400, field: 'status' });
    });
  });

  describe('cancel', () => {
    it('stops a sampling job (labels of finished rows kept) and a job awaiting review', async () => {
      llm.setOptions({ latencyMs: 150 });
      const id = await startJob('cancel', { sample_size: 16 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const cancelled = await server.call('POST', `/api/label-jobs/${id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', error: 'cancelled' });
      expect((await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: [] } })).status).toBe(409);

      llm.setOptions({ latencyMs: 0 });
      const waiting = await startJob('cancel-review', { sample_size: 2 });
      await waitForLabelJob(server, waiting, ['awaiting_review']);
      expect((await server.call('POST', `/api/label-jobs/${waiting}/cancel`)).body).toMatchObject({ status: 'cancelled' });
    });
  });

  describe('bad requests', () => {
    it('answers 400 naming the field, and creates nothing', async () => {
      const post = (body: Record<string, unknown>) =>
        server.call('POST', '/api/label-jobs', { body: { dataset_id: datasetId, model: MODEL, ...body } });
      expect((await post({})).body).toMatchObject({ status: 400, field: 'prompt' });
      expect((await post({ prompt: 'x {answer}', builtin: 'faithfulness' })).body).toMatchObject({ status: 400, field: 'prompt' });
      expect((await post({ prompt: 'x {answer}', output: 'maybe' })).body).toMatchObject({ status: 400, field: 'output' });
      const column = await post({ prompt: 'Is {nope} right?' });
      expect(column.body).toMatchObject({ status: 400, field: 'prompt' });
      expect(column.body.message).toContain('{nope}');
      expect(column.body.hint).toContain('question, answer, context');
      expect((await post({ builtin: 'faithfulness', output: 'yes_no' })).body).toMatchObject({ status: 400, field: 'output' });
      expect((await post({ builtin: 'no_such_judge' })).body).toMatchObject({ status: 400, field: 'builtin' });
      expect((await post({ prompt: 'x {answer}', examples: [{ output: 'a', score: 7, justification: 'j' }] })).body).toMatchObject({
        status: 400,
        field: 'examples[0].score',
      });
      expect((await post({ prompt: 'x {answer}', sample_size: 0 })).body).toMatchObject({ status: 400, field: 'sample_size' });
      expect((await post({ prompt: 'x {answer}', surprise: 1 })).body).toMatchObject({ status: 400, field: 'surprise' });
      const unknown = await post({ dataset_id: 'nope', prompt: 'x {answer}' });
      expect(unknown).toMatchObject({ status: 404, body: { field: 'dataset_id' } });
    });

    it('answers 400 naming model when none is named and the server has no OpenAI key for the default judge model', async () => {
      const keyless = await startTestServer({ storeKind, env: {} });
      try {
        const dataset = await uploadQa(keyless, 4);
        const noModel = await keyless.call('POST', '/api/label-jobs', { body: { dataset_id: dataset, prompt: 'x {answer}' } });
        expect(noModel.body).toMatchObject({ status: 400, field: 'model' });
        expect((await keyless.call('GET', `/api/label-jobs?dataset_id=${dataset}`)).body.jobs).toEqual([]);
      } finally {
        await keyless.stop();
      }
    });

    it('checks review labels against the sample and the output kind', async () => {
      const id = await startJob('review-errors', { sample_size: 3 });
      const job = await waitForLabelJob(server, id, ['awaiting_review']);
      const [a, b] = job.sample as number[];
      const outside = Array.from({ length: ROWS }, (_, i) => i).find((i) => !job.sample.includes(i))!;
      const review = (labels: unknown[], extra: Record<string, unknown> = {}) =>
        server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels, ...extra } });
      expect(
        (
          await review([
            { row: a, label: 1 },
            { row: b, label: 2 },
          ])
        ).body,
      ).toMatchObject({ status: 400, field: 'labels[1].label' });
      expect((await review([{ row: a, label: 'yes' }])).body).toMatchObject({ status: 400, field: 'labels[0].label' });
      expect((await review([{ row: a, label: true }])).body).toMatchObject({ status: 400, field: 'labels[0].label' });
      expect((await review([{ row: outside, label: 1 }])).body).toMatchObject({ status: 400, field: 'labels[0].row' });
      expect(
        (
          await review([
            { row: a, label: 1 },
            { row: a, label: 0 },
          ])
        ).body,
      ).toMatchObject({ status: 400, field: 'labels[1].row' });
      expect((await review([{ row: a, label: 1 }], { prompt: ' ' })).body).toMatchObject({ status: 400, field: 'prompt' });
      expect((await review([{ row: a, label: 1 }], { prompt: 'Is {nope} ok?' })).body).toMatchObject({ status: 400, field: 'prompt' });
      expect((await review([{ row: a }])).body).toMatchObject({ status: 400, field: 'labels[0].label' });
      // Nothing was stored by the refused reviews.
      const after = await server.call('GET', `/api/label-jobs/${id}`);
      expect(after.body).toMatchObject({ status: 'awaiting_review', judge: { version: 'v1' } });
      expect(after.body.labels.every((l: { source: string }) => l.source === 'llm')).toBe(true);
    });

    it('answers 404 for unknown jobs', async () => {
      for (const [method, path] of [
        ['GET', '/api/label-jobs/nope'],
        ['POST', '/api/label-jobs/nope/review'],
        ['POST', '/api/label-jobs/nope/resample'],
        ['POST', '/api/label-jobs/nope/cancel'],
        ['GET', '/api/label-jobs/nope/uncertain'],
        ['GET', '/api/label-jobs/nope/agreement'],
        ['GET', '/api/label-jobs/nope/export/finetune'],
        ['GET', '/api/judges/nope/agreement'],
      ] as const) {
        const response = await server.call(method, path, method === 'POST' && path.endsWith('review') ? { body: { labels: [] } } : {});
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(response.body.error).toBe('not_found');
      }
      expect((await server.call('GET', `/api/datasets/${datasetId}/download?label_job=nope`)).body).toMatchObject({
        status: 404,
        field: 'label_job',
      });
    });
  });
});
