/**
 * Distilling over HTTP: a label job labelled by the scripted LLM judge, then POST
 * /api/label-jobs/:id/distill (a job of kind distill), its versions and reports listed for the
 * label job and for the Judges page, and through JurorClient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { JurorClient } from '../../src/client/client.js';
import { runCli } from '../cli/run-cli.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block, fileForm, startTestServer, waitForJob, type TestServer } from '../server/helpers.js';
import { waitForLabelJob } from '../server/label-helpers.js';
import { generateRows, ruleOf } from './generated.js';

let llm: LlmServer;
let server: TestServer;
let labelJobId: string;
let datasetId: string;

beforeAll(async () => {
  llm = await startLlmServer({ handler: (req) => verdict(ruleOf(block(req.lastUser, 'answer') ?? '') ?? 0) });
  server = await startTestServer({ llm });
  const rows = generateRows({ rows: 240, seed: 21 });
  const csv = 'question,answer\n' + rows.map((r) => `${r.question},${r.answer}`).join('\n') + '\n';
  const upload = await server.call('POST', '/api/datasets', { body: fileForm('answers.csv', csv) });
  expect(upload.status).toBe(201);
  datasetId = upload.body.id;
  const created = await server.call('POST', '/api/label-jobs', {
    body: {
      dataset_id: upload.body.id,
      prompt: 'Is the {answer} about a topic the policy supports? 1 if it is, 0 if not.',
      output: 'binary',
      model: 'openai:/gpt-test',
    },
  });
  expect(created.status).toBe(202);
  labelJobId = created.body.job_id;
  await waitForLabelJob(server, labelJobId, ['completed'], 60_000);
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await llm?.close();
});

describe('POST /api/label-jobs/:id/distill', () => {
  it("trains on the job's labels as a job, and lists the version with its report", async () => {
    const calls = llm.requests.length;
    const started = await server.call('POST', `/api/label-jobs/${labelJobId}/distill`, { body: { name: 'on-topic', folds: 4 } });
    expect(started.status).toBe(202);
    expect(started.body.name).toBe('on-topic');
    const job = await waitForJob(server, started.body.job_id, 60_000);
    expect(job).toMatchObject({ kind: 'distill', status: 'completed' });
    const listed = await server.call('GET', `/api/label-jobs/${labelJobId}/distilled`);
    expect(listed.status).toBe(200);
    expect(listed.body.versions).toHaveLength(1);
    const [version] = listed.body.versions;
    expect(version).toMatchObject({ name: 'on-topic', version: 'v1', kind: 'distilled', source: { label_job_id: labelJobId } });
    expect(version.report.rows).toBe(240);
    expect(version.report.folds).toBe(4);
    // Every label is the LLM judge's, which follows the rule exactly: the distilled judge learns it.
    expect(version.report.agreement.llm.statistics.accuracy).toBeGreaterThan(0.9);
    expect(version.report.agreement.human).toBeUndefined();
    // Training calls no provider.
    expect(llm.requests.length).toBe(calls);

    const client = new JurorClient({ baseUrl: server.url });
    expect((await client.distilledJudges()).versions.map((v) => `${v.name} ${v.version}`)).toEqual(['on-topic v1']);
    const again = await client.distillLabelJob(labelJobId, { name: 'on-topic', folds: 3 });
    await waitForJob(server, again.job_id, 60_000);
    expect((await client.distilledJudges(labelJobId)).versions.map((v) => v.version)).toEqual(['v1', 'v2']);
  }, 120_000);

  it('juror distill --label-job reads the same labels (the job named by a prefix of its id)', async () => {
    const result = await runCli(
      ['distill', '--label-job', labelJobId.slice(0, 8), '--name', 'cli-topic', '--folds', '3', '--db', join(server.dir, 'juror.db')],
      {
        env: {},
        cwd: server.dir,
      },
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('distilled judge cli-topic v1 stored (240 rows, ngrams features over answer');
    expect(result.stdout).toMatch(/vs LLM judge labels +n=240 /);
  }, 60_000);

  it('is a 404 for an unknown label job and a 400 naming a bad field', async () => {
    expect((await server.call('POST', '/api/label-jobs/nope/distill', { body: {} })).status).toBe(404);
    const bad = await server.call('POST', `/api/label-jobs/${labelJobId}/distill`, { body: { folds: 1 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('folds');
  });
});

describe('a reviewed label job', () => {
  it("learns a person's labels where given, and reports agreement with them and with the LLM judge apart", async () => {
    const created = await server.call('POST', '/api/label-jobs', {
      body: {
        dataset_id: datasetId,
        prompt: 'Is the {answer} about a topic the policy supports? 1 if it is, 0 if not.',
        output: 'binary',
        model: 'openai:/gpt-test',
        review: true,
      },
    });
    const id = created.body.job_id as string;
    const inReview = await waitForLabelJob(server, id, ['awaiting_review'], 60_000);
    const sample = inReview.labels as Array<{ row: number; label: number }>;
    expect(sample).toHaveLength(16);
    // The person disagrees with the judge on two rows of the sample.
    const review = sample.map((l, i) => ({ row: l.row, label: i < 2 ? 1 - l.label : l.label }));
    expect((await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: review } })).status).toBe(200);
    await waitForLabelJob(server, id, ['completed'], 60_000);
    const started = await server.call('POST', `/api/label-jobs/${id}/distill`, { body: { folds: 3 } });
    expect(started.body.name).toBe(inReview.name);
    expect((await waitForJob(server, started.body.job_id, 60_000)).status).toBe('completed');
    const [version] = (await server.call('GET', `/api/label-jobs/${id}/distilled`)).body.versions;
    expect(version.report.rows).toBe(240);
    expect(version.report.agreement.human.n).toBe(16);
    // Every row has an LLM label of the final judge but the 16 the person labelled, which v2 did not label again.
    expect(version.report.agreement.llm.n).toBe(240 - 16);
  }, 120_000);
});
