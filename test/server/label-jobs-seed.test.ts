/**
 * LastMile's AutoEval flow as its docs write it (seed 004): `label_dataset(...)`, then
 * `wait_for_label_dataset_job(id)`, then `download_dataset(id)` gives every row labelled — no review
 * step in between. Review stays one option away (`review: true`): the job then waits for a person
 * with the sample labelled, as the web UI's flow does.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JurorClient } from '../../src/client/client.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, type TestServer } from './helpers.js';
import { answerRow, judged, uploadQa } from './label-helpers.js';

const ROWS = 40;
const MODEL = 'openai:/gpt-test';

let llm: LlmServer;
let server: TestServer;
let client: JurorClient;
let datasetId: string;

beforeAll(async () => {
  llm = await startLlmServer();
  server = await startTestServer({ llm });
  client = new JurorClient({ baseUrl: server.url });
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

/** The downloaded rows, as CSV records. */
async function download(options: { labelJob?: string } = {}): Promise<Array<Record<string, string>>> {
  return parseCsv(await client.downloadDataset(datasetId, 'csv', options), { columns: true }) as Array<Record<string, string>>;
}

describe("LastMile's label → wait → download", () => {
  it('labels every row with no review step: the download has 40 of 40 labels', async () => {
    // As the seed: BuiltinMetrics.FAITHFULNESS, no wait at the start, then wait, then download.
    const jobId = await client.labelDataset({ datasetId, builtin: 'faithfulness', model: MODEL, colMapping: { outputs: 'answer' } });
    const job = await client.waitForLabelJob(jobId, { intervalMs: 20, timeoutMs: 20_000 });
    expect(job).toMatchObject({ status: 'completed', scope: 'all', total: ROWS, judge: { version: 'v1' } });

    const rows = await download();
    expect(rows).toHaveLength(ROWS);
    expect(rows.filter((r) => r.label !== '')).toHaveLength(ROWS);
    rows.forEach((r, i) =>
      expect(r, `row ${i}`).toMatchObject({
        label: String(judged(i)),
        label_source: 'llm',
        label_judge_version: 'v1',
        label_justification: `row ${i} judged`,
      }),
    );
    // Each row judged once: the sample is not judged twice.
    expect(llm.requests).toHaveLength(ROWS);
  });

  it('waitForCompletion resolves once every row is labelled', async () => {
    const jobId = await client.labelDataset({
      datasetId,
      prompt: '[wait] Is {answer} supported by {context}? 1 if so, else 0.',
      model: MODEL,
      waitForCompletion: true,
    });
    expect((await client.getLabelJob(jobId, { limit: 1 })).status).toBe('completed');
  });

  it('with review: true stops at awaiting_review, the sample of 16 labelled and the rest not', async () => {
    const jobId = await client.labelDataset({
      datasetId,
      prompt: '[review] Is {answer} supported by {context}? 1 if so, else 0.',
      model: MODEL,
      review: true,
    });
    const job = await client.waitForLabelJob(jobId, { intervalMs: 20, timeoutMs: 20_000 });
    expect(job).toMatchObject({ status: 'awaiting_review', scope: 'sample', total: 16 });
    expect(llm.requests).toHaveLength(16);

    const rows = await download({ labelJob: jobId });
    expect(rows.filter((r) => r.label !== '').map((r) => Number(r.question!.replace('question ', '')))).toEqual(
      [...job.sample].sort((a, b) => a - b),
    );
  });
});
