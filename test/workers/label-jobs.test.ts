/**
 * Label jobs on `juror worker` processes (issue #12), against real Postgres and Redis: the server
 * (`juror serve --redis`) runs no job itself, so a label job whose sample pass, review and full pass
 * all end is one its phases ran on the workers — the next phase enqueued by the worker that ended
 * the previous one, or by the server on review.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, STORES, type TestServer } from '../server/helpers.js';
import { answerRow, judged, uploadQa, waitForLabelJob } from '../server/label-helpers.js';

const BIN = resolve(import.meta.dirname, '../../bin/juror.js');
const REDIS = 'redis://127.0.0.1:6379';
const ROWS = 40;

describe('label jobs on juror worker processes', () => {
  let llm: LlmServer;
  let storeUrl: string;
  let store: Store;
  let drop: () => Promise<void>;
  let server: TestServer;
  let queue: string;
  let datasetId: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    llm = await startLlmServer();
    const location = await STORES.find(([name]) => name === 'Postgres')![1]('');
    storeUrl = (location.store as { url: string }).url;
    drop = location.drop;
    store = await Store.open(location.store);
  });
  afterAll(async () => {
    await store.close();
    await drop();
    await llm.close();
  });
  beforeEach(async () => {
    llm.reset();
    llm.setOptions({ latencyMs: 10, handler: (req) => verdict(judged(answerRow(req)), `row ${answerRow(req)} judged`) });
    queue = `test-${randomUUID().slice(0, 8)}`;
    server = await startTestServer({ llm, store, queue: { redisUrl: REDIS, queue } });
    datasetId = await uploadQa(server, ROWS);
    await worker();
    await worker();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
  });

  /** A `juror worker` process; resolves once it takes jobs. */
  async function worker(): Promise<void> {
    const env = {
      ...process.env,
      JUROR_DATABASE_URL: storeUrl,
      JUROR_REDIS_URL: REDIS,
      JUROR_QUEUE: queue,
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'test',
    };
    const child = spawn(process.execPath, [BIN, 'worker', '--lease', '2', '--data-dir', server.dataDir], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    await new Promise<void>((res, rej) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (stderr.includes('taking jobs')) res();
      });
      child.once('exit', () => rej(new Error(`worker exited: ${stderr}`)));
    });
  }

  /** Starts a label job with a prompt of its own (no answer from the store's cache). */
  async function startJob(review: boolean): Promise<string> {
    const prompt = `[${randomUUID().slice(0, 6)}] Does the answer {answer} to {question} follow from {context}? 1 if it does, else 0.`;
    const { status, body } = await server.call('POST', '/api/label-jobs', {
      body: { dataset_id: datasetId, prompt, model: 'openai:/gpt-test', review },
    });
    expect(status, JSON.stringify(body)).toBe(202);
    return body.job_id as string;
  }

  it('runs the sample pass, then after review the full pass, on the workers: every row labelled once', async () => {
    const id = await startJob(true);
    const inReview = await waitForLabelJob(server, id, ['awaiting_review'], 30_000);
    expect(inReview).toMatchObject({ scope: 'sample', progress: { phase: 'sample', rows_done: 16 } });
    const sample = inReview.labels as Array<{ row: number; label: number }>;
    expect(sample).toHaveLength(16);
    const flipped = sample[0]!;
    const review = sample.map((l) => ({ row: l.row, label: l.row === flipped.row ? 1 - l.label : l.label }));
    const reviewed = await server.call('POST', `/api/label-jobs/${id}/review`, { body: { labels: review } });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);

    const done = await waitForLabelJob(server, id, ['completed'], 30_000);
    expect(done).toMatchObject({ scope: 'all', total: ROWS, judge: { version: 'v2' }, progress: { phase: 'full', rows_done: ROWS - 16 } });
    const labels = done.labels as Array<{ row: number; label: number; source: string }>;
    expect(labels.map((l) => l.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(labels.find((l) => l.row === flipped.row)).toMatchObject({ source: 'human', label: 1 - flipped.label });
    // Each row judged once: 16 in the sample, the 24 others in the full pass.
    expect(llm.requests.map(answerRow).sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });

  it('runs a label job without review to the end: the sample pass enqueues the full pass from its worker', async () => {
    const id = await startJob(false);
    const done = await waitForLabelJob(server, id, ['completed'], 30_000);
    expect(done).toMatchObject({ status: 'completed', total: ROWS });
    const labels = done.labels as Array<{ row: number; label: number; source: string }>;
    expect(labels).toHaveLength(ROWS);
    for (const label of labels) expect(label).toMatchObject({ source: 'llm', label: judged(label.row) });
    expect(llm.requests.map(answerRow).sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });
});
