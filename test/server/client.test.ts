/** JurorClient against a real server, with auth on (and off): every method, and errors carrying status and message. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JurorApiError, JurorClient } from '../../src/client/index.js';
import { ApiTokenRepository } from '../../src/store/api-tokens.js';
import { serverDb } from '../../src/store/server-tables.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, type TestServer } from './helpers.js';

let llm: LlmServer;
let server: TestServer;
let client: JurorClient;
let token: string;

beforeAll(async () => {
  llm = await startLlmServer({ handler: (req) => verdict(req.lastUser.includes('Paris') ? 5 : 2) });
  server = await startTestServer({ llm, auth: true });
  token = (await new ApiTokenRepository(serverDb(server.store)).create('client-test')).token;
  client = new JurorClient({ baseUrl: server.url, token });
});
afterAll(async () => {
  await server.stop();
  await llm.close();
});

const config = {
  experiment: 'client',
  judge_model: 'openai:/gpt-test',
  col_mapping: { inputs: 'question', predictions: 'answer', targets: 'expected' },
  metrics: [
    {
      name: 'correct',
      definition: 'Whether the answer is right.',
      grading_prompt: 'Score 1-5.',
      examples: [{ input: 'Capital of Spain?', output: 'Madrid', score: 5, justification: 'Right.' }],
    },
    'exact_match',
  ],
};

describe('JurorClient', () => {
  it('uploads a file by path, evaluates it, waits for the job and reads the results', async () => {
    const file = join(server.dir, 'capitals.csv');
    writeFileSync(
      file,
      'question,answer,expected\nCapital of France?,Paris,Paris\nCapital of Italy?,Milan,Rome\nCapital of Peru?,Lima,Lima\n',
    );
    const dataset = await client.uploadDataset(file);
    expect(dataset).toMatchObject({
      name: 'capitals',
      original_name: 'capitals.csv',
      row_count: 3,
      columns: ['question', 'answer', 'expected'],
    });
    expect((await client.listDatasets()).datasets.map((d) => d.id)).toContain(dataset.id);
    expect((await client.getDataset(dataset.id)).preview[1]).toEqual({ question: 'Capital of Italy?', answer: 'Milan', expected: 'Rome' });
    expect(await client.downloadDataset(dataset.id, 'jsonl')).toBe(
      [
        '{"question":"Capital of France?","answer":"Paris","expected":"Paris"}',
        '{"question":"Capital of Italy?","answer":"Milan","expected":"Rome"}',
        '{"question":"Capital of Peru?","answer":"Lima","expected":"Lima"}',
        '',
      ].join('\n'),
    );

    const { runId, jobId } = await client.evaluate({ datasetId: dataset.id, config });
    const seen: string[] = [];
    const job = await client.waitForJob(jobId, { intervalMs: 20, timeoutMs: 20_000, onProgress: (j) => seen.push(j.status) });
    expect(job).toMatchObject({ status: 'completed', run_id: runId, progress: { rows_done: 3 } });
    expect(seen.at(-1)).toBe('completed');

    const run = await client.getRun(runId);
    expect(run).toMatchObject({
      id: runId,
      status: 'finished',
      experiment: 'client',
      metrics: { 'correct/v1/mean': 3, 'exact_match/v1/mean': 2 / 3 },
    });
    expect(run.judges[0]!.definition).toMatchObject({ examples: [{ output: 'Madrid' }] });

    const page = await client.getResults(runId, { sort: '-correct', limit: 2 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => [r.row_index, r.results['correct/v1']!.value])).toEqual([
      [0, 5],
      [2, 2],
    ]);
    const low = await client.getResults(runId, { metric: 'correct', max_score: 2 });
    expect(low.rows.map((r) => r.row_index)).toEqual([1, 2]);
    const row = await client.getResultRow(runId, 1);
    expect(row.results.find((r) => r.metric === 'correct/v1')!.prompt.user).toContain('Milan');

    expect((await client.listRuns({ experiment: 'client' })).runs.map((r) => r.id)).toEqual([runId]);
    expect((await client.listExperiments()).map((e) => e.name)).toContain('client');
    expect((await client.listJudges()).find((j) => j.name === 'correct')?.versions).toHaveLength(1);
    expect((await client.listJobs()).jobs[0]!.id).toBe(jobId);

    await client.deleteRun(runId);
    await expect(client.getRun(runId)).rejects.toMatchObject({ status: 404 });
  });

  it('uploads a Blob or named bytes, streams a download, and checks health', async () => {
    const fromBytes = await client.uploadDataset({ name: 'tiny.jsonl', data: '{"a":1}\n{"a":2}\n' }, { name: 'tiny' });
    expect(fromBytes).toMatchObject({ name: 'tiny', format: 'jsonl', row_count: 2 });
    const fromBlob = await client.uploadDataset(new File(['x\n1\n'], 'blob.csv'));
    expect(fromBlob).toMatchObject({ original_name: 'blob.csv', row_count: 1 });
    const stream = await client.downloadDatasetStream(fromBytes.id, 'csv');
    expect(await new Response(stream).text()).toBe('a\n1\n2\n');
    expect(await client.health()).toMatchObject({ status: 'ok', auth: true });
  });

  it('throws JurorApiError with the status, the server message, the field and the hint', async () => {
    const error = await client.getResults('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JurorApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: "GET /api/runs/nope/results: no run 'nope' (HTTP 404)" });

    const { id } = await client.uploadDataset({ name: 'q.csv', data: 'question,answer\nq,a\n' });
    const bad = await client.evaluate({ datasetId: id, config: { ...config, judge_modle: 'x' } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({
      status: 400,
      code: 'bad_request',
      field: 'config.judge_modle',
      hint: expect.stringContaining('known keys'),
    });

    const malformed = await client.uploadDataset({ name: 'bad.csv', data: 'a,b\n1,2\n3,4,5\n' }).catch((e: unknown) => e);
    expect(malformed).toMatchObject({ status: 400, field: 'file', line: 3 });
  });

  it('is refused without a token, and with a revoked one', async () => {
    const anonymous = new JurorClient({ baseUrl: `${server.url}/api/` });
    await expect(anonymous.health()).resolves.toMatchObject({ status: 'ok' });
    await expect(anonymous.listRuns()).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
      hint: expect.stringContaining('juror tokens create'),
    });
    const tokens = new ApiTokenRepository(serverDb(server.store));
    const temporary = await tokens.create('short-lived');
    const revoked = new JurorClient({ baseUrl: server.url, token: temporary.token });
    await expect(revoked.listExperiments()).resolves.toBeInstanceOf(Array);
    await tokens.revoke('short-lived');
    await expect(revoked.listExperiments()).rejects.toMatchObject({ status: 401 });
  });

  it('says when the server cannot be reached, or a job takes too long', async () => {
    const nowhere = new JurorClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(nowhere.listRuns()).rejects.toMatchObject({
      status: 0,
      code: 'network',
      message: expect.stringContaining('cannot reach http://127.0.0.1:9'),
    });
    llm.setOptions({ latencyMs: 2000 });
    try {
      const { id } = await client.uploadDataset({ name: 'slow.csv', data: 'question,answer,expected\nq,slow answer,x\n' });
      const { jobId, runId } = await client.evaluate({ datasetId: id, config });
      await expect(client.waitForJob(jobId, { intervalMs: 10, timeoutMs: 50 })).rejects.toMatchObject({ status: 0, code: 'timeout' });
      const cancelled = await client.cancelJob(jobId);
      expect(cancelled.status).toBe('cancelled');
      expect((await client.getRun(runId)).status).toBe('interrupted');
    } finally {
      llm.setOptions({ latencyMs: 0 });
    }
  });
});

describe('JurorClient without auth', () => {
  it('works with no token when the server needs none', async () => {
    const open = await startTestServer();
    try {
      const anonymous = new JurorClient({ baseUrl: open.url });
      expect(await anonymous.health()).toMatchObject({ auth: false });
      expect(await anonymous.listRuns()).toMatchObject({ runs: [], total: 0 });
    } finally {
      await open.stop();
    }
  });
});
