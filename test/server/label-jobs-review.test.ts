/**
 * Where a reviewer's time goes, and what their labels tell: uncertain rows (k samples or two
 * models that disagree, with the reason), agreement per judge version checked by hand (and its
 * history), the fine-tuning export, and the whole loop through JurorClient with a yes/no criterion.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JurorClient } from '../../src/client/client.js';
import { startLlmServer, verdict, type Handler, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, type TestServer } from './helpers.js';
import { answerRow, judged, systemOf, uploadQa, waitForLabelJob } from './label-helpers.js';

let llm: LlmServer;
let server: TestServer;
let datasetId: string;
const ROWS = 30;
const MODEL = 'openai:/gpt-test';
const steady: Handler = (req) => verdict(judged(answerRow(req)), `row ${answerRow(req)} judged`);

beforeAll(async () => {
  llm = await startLlmServer();
  server = await startTestServer({ llm });
  datasetId = await uploadQa(server, ROWS);
});
afterAll(async () => {
  await server.stop();
  await llm.close();
});
beforeEach(() => {
  llm.reset();
  llm.setOptions({ latencyMs: 0, handler: steady });
});

describe('uncertain rows, agreement and the fine-tuning export', () => {
  it('offers the rows whose samples disagree, with why; their labels join the examples; agreement and export follow', async () => {
    const started = await server.call('POST', '/api/label-jobs', {
      body: {
        dataset_id: datasetId,
        prompt: '[uncertain] Is {answer} right for {question}, given {context}? 1 or 0.',
        model: MODEL,
        sample_size: 8,
        seed: 7,
        name: 'qa_check',
        review: true,
      },
    });
    const id = started.body.job_id;
    const job = await waitForLabelJob(server, id, ['awaiting_review']);
    const outside = Array.from({ length: ROWS }, (_, i) => i).filter((i) => !job.sample.includes(i));
    const [flaky1, flaky2, compared] = [outside[2]!, outside[5]!, outside[9]!];

    // Samples at temperature 1 answer rows flaky1 and flaky2 1, 0, 1; every other row the same each time.
    const calls = new Map<number, number>();
    llm.setHandler((req) => {
      const row = answerRow(req);
      if (req.body.temperature === 1 && (row === flaky1 || row === flaky2)) {
        const n = (calls.get(row) ?? 0) + 1;
        calls.set(row, n);
        return verdict(n === 2 ? 0 : 1, `sample ${n} of row ${row}`);
      }
      return steady(req);
    });
    llm.reset();
    const uncertain = await server.call('GET', `/api/label-jobs/${id}/uncertain?k=3&limit=16`);
    expect(uncertain.status, JSON.stringify(uncertain.body)).toBe(200);
    expect(uncertain.body).toMatchObject({ job_id: id, k: 3, candidates: ROWS - 8, calls: (ROWS - 8) * 3 });
    expect(llm.requests).toHaveLength((ROWS - 8) * 3);
    expect(llm.requests.every((r) => r.body.temperature === 1)).toBe(true);
    expect(uncertain.body.rows.map((r: { row: number }) => r.row)).toEqual([flaky1, flaky2]);
    expect(uncertain.body.rows[0]).toMatchObject({
      row: flaky1,
      reason: '2 of 3 samples said 1, 1 said 0',
      disagreement: 1 / 3,
      votes: [
        { label: 1, count: 2 },
        { label: 0, count: 1 },
      ],
      record: { answer: `answer ${flaky1}` },
    });

    // Two judge models that disagree on one row.
    llm.setHandler((req) =>
      req.body.model === 'judge-small' && answerRow(req) === compared
        ? verdict(1 - judged(compared), 'the small model disagrees')
        : steady(req),
    );
    const models = await server.call('GET', `/api/label-jobs/${id}/uncertain?compare_model=openai:/judge-small`);
    expect(models.body.k).toBe(2);
    expect(models.body.rows).toEqual([
      expect.objectContaining({
        row: compared,
        reason: `openai:/gpt-test said ${judged(compared)}, openai:/judge-small said ${1 - judged(compared)}`,
      }),
    ]);
    const withUncertain = await server.call('GET', `/api/label-jobs/${id}`);
    expect(withUncertain.body.uncertain.map((u: { row: number }) => u.row)).toEqual([flaky1, flaky2, compared].sort((a, b) => a - b));
    // In review, each offered row comes with its columns, for the review page.
    for (const u of withUncertain.body.uncertain as Array<{ row: number; record: Record<string, string> }>)
      expect(u.record).toMatchObject({ answer: `answer ${u.row}` });

    // Review: the sample with two flips (one 1→0, one 0→1), and an uncertain row.
    llm.setHandler(steady);
    const sample = job.labels as Array<{ row: number; label: number }>;
    const flipOne = sample.find((l) => l.label === 1)!.row;
    const flipZero = sample.find((l) => l.label === 0)!.row;
    const labels = [
      ...sample.map((l) => ({ row: l.row, label: l.row === flipOne || l.row === flipZero ? 1 - l.label : l.label })),
      { row: flaky1, label: 0, justification: 'Reviewer: wrong' },
    ];
    const outsider = await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: [{ row: outside[0], label: 1 }] } });
    expect(outsider.body).toMatchObject({ status: 400, field: 'labels[0].row' });
    const reviewed = await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels } });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    const done = await waitForLabelJob(server, id, ['completed']);
    expect(done.versions).toEqual([
      expect.objectContaining({ version: 'v1', example_rows: [] }),
      expect.objectContaining({ version: 'v2', example_rows: [...job.sample, flaky1].sort((a: number, b: number) => a - b) }),
    ]);

    // Agreement of v1 on the 8 reviewed sample rows (flaky1 was never labelled by v1), by hand:
    // 6 of 8 agree; the human says 0 on zeros0 - 1 + 1 rows, the judge on zeros0 rows.
    const zeros = sample.filter((l) => l.label === 0).length;
    const ones = 8 - zeros;
    // Confusion (rows: human 0/1, columns: judge 0/1): the flipped 1→0 row is (0,1), the 0→1 row (1,0).
    const matrix = [
      [zeros - 1, 1],
      [1, ones - 1],
    ];
    const po = 6 / 8;
    const pe = ((zeros / 8) * zeros) / 8 + ((ones / 8) * ones) / 8;
    const agreement = await server.call('GET', `/api/label-jobs/${id}/agreement`);
    expect(agreement.status).toBe(200);
    expect(agreement.body).toMatchObject({ job_id: id, judge: 'qa_check', reviewed: 9 });
    expect(agreement.body.versions).toHaveLength(1);
    const v1 = agreement.body.versions[0];
    expect(v1).toMatchObject({ version: 'v1', n: 8, excluded_examples: 0, unlabelled: 1, confusion: { labels: [0, 1], matrix } });
    expect(v1.statistics.accuracy).toBeCloseTo(po, 12);
    expect(v1.statistics.cohen_kappa).toBeCloseTo((po - pe) / (1 - pe), 12);
    // The negative verdict (0) is the positive class: precision = (zeros-1)/zeros, recall = (zeros-1)/zeros.
    expect(v1.statistics.precision).toBeCloseTo((zeros - 1) / zeros, 12);
    expect(v1.statistics.recall).toBeCloseTo((zeros - 1) / zeros, 12);
    expect(v1.notes).toContain('1 reviewed rows have no label by v1');

    const history = await server.call('GET', '/api/judges/qa_check/agreement');
    expect(history.body.series).toEqual([
      expect.objectContaining({ version: 'v1', points: [expect.objectContaining({ n: 8, label_job_id: id, dataset_id: datasetId })] }),
    ]);
    // Looking again without a change adds no point; a new human label does.
    const again = await server.call('GET', `/api/label-jobs/${id}/agreement`);
    expect(again.body.versions[0].computed_at).toBe(v1.computed_at);
    expect((await server.call('GET', '/api/judges/qa_check/agreement')).body.series[0].points).toHaveLength(1);

    // Fine-tuning data: one line per labelled row, the human label winning, the prompt as seen.
    const exported = await server.call('GET', `/api/label-jobs/${id}/export/finetune`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (exported.body as string)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(ROWS);
    const byRow = new Map(lines.map((line) => [answerRowOf(line.messages[1].content), line]));
    for (const line of lines) expect(line.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
    const flipped = byRow.get(flipOne)!;
    expect(JSON.parse(flipped.messages[2].content)).toEqual({
      justification: "A human reviewer labelled this 0, overruling the judge's 1.",
      score: 0,
    });
    expect(flipped.messages[0].content).not.toContain('Example 1:');
    expect(JSON.parse(byRow.get(flaky1)!.messages[2].content)).toEqual({ justification: 'Reviewer: wrong', score: 0 });
    expect(byRow.get(flaky1)!.messages[0].content).not.toContain('Example 1:');
    const llmRow = outside.find((r) => r !== flaky1)!;
    expect(JSON.parse(byRow.get(llmRow)!.messages[2].content)).toEqual({ justification: `row ${llmRow} judged`, score: judged(llmRow) });
    expect(byRow.get(llmRow)!.messages[0].content).toContain('Example 9:');
  });
});

describe('JurorClient', () => {
  it('runs the loop with a yes/no criterion: labelDataset, reviewLabels, waitForLabelJob, downloadDataset, labelAgreement, listLabelJobs, alignJudge, exportFinetune', async () => {
    // The judge answers 1–5: 4 (yes) for odd rows, 2 (no) for even ones.
    llm.setHandler((req) => verdict(answerRow(req) % 2 === 1 ? 4 : 2, `row ${answerRow(req)}`));
    const client = new JurorClient({ baseUrl: server.url });
    const id = await client.labelDataset({
      datasetId,
      prompt: '[client] Is {answer} a good answer to {question}?',
      output: 'yes_no',
      model: MODEL,
      sampleSize: 4,
      review: true,
      waitForCompletion: true,
    });
    const job = await client.getLabelJob(id);
    expect(job.status).toBe('awaiting_review');
    expect(job.labels.map((l) => l.label_text)).toEqual(job.labels.map((l) => (l.row % 2 === 1 ? 'yes' : 'no')));
    const [first, ...rest] = job.labels;
    await client.reviewLabels(id, [
      { row: first!.row, label: first!.label_text === 'yes' ? 'no' : 'yes', justification: 'flipped' },
      ...rest.map((l) => ({ row: l.row, label: l.label_text! })),
    ]);
    const done = await client.waitForLabelJob(id, { until: 'completed', intervalMs: 20 });
    expect(done.status).toBe('completed');

    const csv = parseCsv(await client.downloadDataset(datasetId, 'csv', { labelJob: id }), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(csv[first!.row]).toMatchObject({
      label: first!.label_text === 'yes' ? 'no' : 'yes',
      label_source: 'human',
      label_justification: 'flipped',
    });
    const other = csv.findIndex((_, i) => !job.sample.includes(i));
    expect(csv[other]).toMatchObject({ label: other % 2 === 1 ? 'yes' : 'no', label_source: 'llm', label_judge_version: 'v2' });

    const agreement = await client.labelAgreement(id);
    expect(agreement.versions[0]).toMatchObject({ version: 'v1', n: 4, confusion: { labels: ['no', 'yes'] } });
    expect(agreement.versions[0]!.statistics.accuracy).toBe(0.75);

    const lines = (await client.exportFinetune(id))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const humanLine = lines.find((l) => answerRowOf(l.messages[1].content) === first!.row);
    expect(JSON.parse(humanLine.messages[2].content).score).toBe(first!.label_text === 'yes' ? 1 : 5);
    const llmLine = lines.find((l) => answerRowOf(l.messages[1].content) === other);
    expect(JSON.parse(llmLine.messages[2].content).score).toBe(other % 2 === 1 ? 4 : 2);
    expect(systemOf({ body: { messages: llmLine.messages } } as never)).toContain('a score above 3 counts as yes');

    // The job among the dataset's completed ones; its v1 re-checked against its own human labels.
    expect((await client.listLabelJobs({ dataset_id: datasetId, status: 'completed' })).jobs.map((j) => j.id)).toContain(id);
    const aligned = await client.alignJudge(done.name, { dataset_id: datasetId, version: 'v1' });
    expect(aligned).toMatchObject({ judge: { name: done.name, version: 'v1' }, rows: 4 });
    expect((await client.waitForJob(aligned.job_id, { intervalMs: 20 })).status).toBe('completed');
    const v1 = (await client.judgeAgreement(done.name)).series.find((s) => s.version === 'v1')!;
    expect(v1.points.find((p) => p.run_id === aligned.run_id)).toMatchObject({ n: 4, statistics: { accuracy: 0.75 } });

    await expect(client.getLabelJob('nope')).rejects.toMatchObject({ status: 404 });
    await expect(client.reviewLabels(id, [])).rejects.toMatchObject({ status: 409 });
  });
});

/** The row of the answer in a user message. */
function answerRowOf(user: string): number {
  const match = /answer (\d+)\n/.exec(user);
  return match ? Number(match[1]) : -1;
}
