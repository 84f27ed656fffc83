/**
 * `POST /api/label-jobs/:id/finetune` and `GET /api/finetunes/:id` against the scripted fine-tuning
 * server (which forwards judge calls to the scripted LLM server, as OpenAI serves both), on SQLite
 * and Postgres: the upload is the label job's export, a success stores the judge version whose
 * model is the fine-tuned one (and align then judges with that model), failures and cancels keep
 * the provider's message, bad input never reaches the provider, and a restarted server resumes
 * following without uploading again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JurorClient } from '../../src/client/client.js';
import { startServer } from '../../src/server/app.js';
import { Store } from '../../src/store/store.js';
import { startFinetuneServer, type FinetuneServer } from '../fixtures/finetune-server.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, STORES, waitForJob, type TestServer } from './helpers.js';
import { answerRow, judged, waitForLabelJob } from './label-helpers.js';

const ROWS = 12;
const BASE = 'openai:/gpt-4o-mini-2024-07-18';
/** Rows whose `human` label agrees with the scripted judge except on rows 1 and 2. */
const CSV =
  'question,answer,human\n' +
  Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i},${i === 1 || i === 2 ? 1 - judged(i) : judged(i)}`).join('\n') +
  '\n';

let llm: LlmServer;
let ft: FinetuneServer;

beforeAll(async () => {
  llm = await startLlmServer();
  ft = await startFinetuneServer({ forward: llm.url });
});
afterAll(async () => {
  await ft.close();
  await llm.close();
});
beforeEach(() => {
  llm.reset();
  ft.reset();
  llm.setOptions({ latencyMs: 0, handler: (req) => verdict(judged(answerRow(req)), `row ${answerRow(req)} judged`) });
});

/** Polls a fine-tune until its status is one of `statuses`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForFinetune(server: { call: TestServer['call'] }, id: string, statuses: string[], timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await server.call('GET', `/api/finetunes/${id}`);
    if (statuses.includes(body.status) && (body.status !== 'succeeded' || body.judge.version)) return body;
    if (Date.now() > deadline) throw new Error(`fine-tune ${id} still ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let server: TestServer;
  let datasetId: string;
  const env: Record<string, string | undefined> = {};

  beforeAll(async () => {
    Object.assign(env, { OPENAI_BASE_URL: ft.url, OPENAI_API_KEY: 'test', JUROR_FINETUNE_POLL_MS: '5' });
    server = await startTestServer({ storeKind, env });
    const upload = await server.call('POST', '/api/datasets', { body: fileForm('qa.csv', CSV) });
    datasetId = upload.body.id;
  });
  afterAll(() => server.stop());

  /** A completed label job of the dataset (a prompt of its own, so no answer comes from the cache). */
  async function labelJob(tag: string): Promise<{ id: string; name: string }> {
    const { body } = await server.call('POST', '/api/label-jobs', {
      body: { dataset_id: datasetId, prompt: `[${tag}] Does {answer} answer {question}? 1 if so, else 0.`, model: 'openai:/gpt-test' },
    });
    const done = await waitForLabelJob(server, body.job_id, ['completed']);
    llm.reset();
    return { id: done.id, name: done.name };
  }

  it('uploads the export, follows the job, stores the fine-tuned model as a judge version, and align judges with it', async () => {
    const job = await labelJob('success');
    ft.setScript({ polls: 3 });
    const started = await server.call('POST', `/api/label-jobs/${job.id}/finetune`, { body: { model: BASE, suffix: 'qa', epochs: 3 } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.status).toBe('pending');

    const done = await waitForFinetune(server, started.body.id, ['succeeded', 'failed', 'cancelled']);
    const [providerJob] = [...ft.jobs.values()];
    const model = `openai:/${providerJob!.fine_tuned_model}`;
    expect(done).toMatchObject({
      status: 'succeeded',
      label_job_id: job.id,
      base_model: BASE,
      examples: ROWS,
      provider_job_id: providerJob!.id,
      model,
      judge: { name: job.name, base_version: 'v1', version: 'v2' },
      error: null,
      job_id: started.body.job_id,
    });
    expect(done.events.map((e: { message: string }) => e.message)).toContain('The job has successfully completed');
    expect((await waitForJob(server, started.body.job_id)).status).toBe('completed');

    const exported = await server.call('GET', `/api/label-jobs/${job.id}/export/finetune`);
    expect(ft.uploads.map((u) => u.content)).toEqual([exported.body]);
    expect(ft.jobs.size).toBe(1);

    const judges = (await server.call('GET', '/api/judges')).body.judges.find((j: { name: string }) => j.name === job.name);
    const [v1, v2] = judges.versions;
    expect(v2).toMatchObject({ version: 'v2', definition: { ...v1.definition, version: 'v2', model } });

    const listed = await server.call('GET', `/api/label-jobs/${job.id}/finetunes`);
    expect(listed.body.finetunes.map((f: { id: string }) => f.id)).toEqual([started.body.id]);

    // The new version's agreement is measured by the normal align, calling the fine-tuned model.
    const align = await server.call('POST', `/api/judges/${job.name}/align`, {
      body: { dataset_id: datasetId, human_col: 'human', version: 'v2' },
    });
    expect(align.status, JSON.stringify(align.body)).toBe(202);
    await waitForJob(server, align.body.job_id);
    expect(llm.requests).toHaveLength(ROWS);
    expect(new Set(llm.requests.map((r) => r.body.model))).toEqual(new Set([providerJob!.fine_tuned_model]));
    const history = await server.call('GET', `/api/judges/${job.name}/agreement`);
    expect(JSON.stringify(history.body)).toContain('"v2"');
  });

  it('is started, followed, listed and cancelled through JurorClient', async () => {
    const job = await labelJob('client');
    ft.setScript({ polls: 100_000 });
    const client = new JurorClient({ baseUrl: server.url });
    const started = await client.finetuneJudge(job.id, { model: BASE, suffix: 'client' });
    await waitForFinetune(server, started.id, ['running']);
    expect(await client.getFinetune(started.id)).toMatchObject({ status: 'running', job_id: started.job_id, judge: { name: job.name } });
    expect((await client.listFinetunes(job.id)).map((f) => f.id)).toEqual([started.id]);
    expect(await client.cancelFinetune(started.id)).toMatchObject({ status: 'cancelled' });
    await expect(client.finetuneJudge(job.id, { model: 'google:/gemini-2.0-flash' })).rejects.toMatchObject({ status: 400 });
  });

  it("reports a failed fine-tune with the provider's message, on the fine-tune and on its job", async () => {
    const job = await labelJob('fail');
    ft.setScript({ polls: 2, outcome: 'fail', error: 'Training file has 12 example(s), but must have at least 50 examples' });
    const started = await server.call('POST', `/api/label-jobs/${job.id}/finetune`, { body: { model: BASE } });
    const done = await waitForFinetune(server, started.body.id, ['succeeded', 'failed', 'cancelled']);
    expect(done).toMatchObject({
      status: 'failed',
      error: 'Training file has 12 example(s), but must have at least 50 examples',
      judge: { version: null },
    });
    const ended = await waitForJob(server, started.body.job_id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toContain('Training file has 12 example(s), but must have at least 50 examples');
  });

  it('cancels a running fine-tune at the provider and the job following it', async () => {
    const job = await labelJob('cancel');
    ft.setScript({ polls: 100_000 });
    const started = await server.call('POST', `/api/label-jobs/${job.id}/finetune`, { body: { model: BASE } });
    await waitForFinetune(server, started.body.id, ['running']);
    const cancelled = await server.call('POST', `/api/finetunes/${started.body.id}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect([...ft.jobs.values()][0]!.status).toBe('cancelled');
    expect((await waitForJob(server, started.body.job_id)).status).toBe('cancelled');
    const again = await server.call('POST', `/api/finetunes/${started.body.id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('refuses bad input before any request to the provider', async () => {
    const job = await labelJob('bad');
    const post = (id: string, body: unknown) => server.call('POST', `/api/label-jobs/${id}/finetune`, { body });
    expect((await post('ffff0000', { model: BASE })).body).toMatchObject({ status: 404, message: "no label job 'ffff0000'" });
    expect((await post(job.id, { model: 'anthropic:/claude-3-5-haiku-latest' })).body).toMatchObject({ status: 400, field: 'model' });
    expect((await post(job.id, { model: BASE, epochs: 0 })).body).toMatchObject({ status: 400, field: 'epochs' });
    expect((await post(job.id, { model: BASE, suffix: 'has spaces' })).body).toMatchObject({ status: 400, field: 'suffix' });
    expect((await post(job.id, { model: BASE, extra: 1 })).body).toMatchObject({ status: 400, field: 'extra' });
    const key = env.OPENAI_API_KEY;
    const base = env.OPENAI_BASE_URL;
    delete env.OPENAI_API_KEY;
    delete env.OPENAI_BASE_URL;
    try {
      expect((await post(job.id, { model: BASE })).body).toMatchObject({
        status: 400,
        message: expect.stringContaining('OPENAI_API_KEY is not set'),
      });
    } finally {
      Object.assign(env, { OPENAI_API_KEY: key, OPENAI_BASE_URL: base });
    }
    expect((await server.call('GET', '/api/finetunes/nope')).status).toBe(404);
    expect((await server.call('GET', `/api/label-jobs/${job.id}/finetunes`)).body).toEqual({ finetunes: [] });
    expect(ft.requests).toHaveLength(0);
  });
});

describe('a server restarted while a fine-tune runs', () => {
  it('resumes following it from the store, uploading and creating nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'juror-finetune-restart-'));
    const store = await Store.open({ path: join(dir, 'juror.db') });
    const env = { OPENAI_BASE_URL: ft.url, OPENAI_API_KEY: 'test', JUROR_FINETUNE_POLL_MS: '5' };
    const start = async () => {
      const server = await startServer({ store, dataDir: join(dir, 'datasets'), port: 0, webDir: false, checkResponses: true, env });
      const call: TestServer['call'] = async (method, path, init = {}) => {
        const isForm = init.body instanceof FormData;
        const response = await fetch(server.url + path, {
          method,
          ...(init.body === undefined
            ? {}
            : isForm
              ? { body: init.body as FormData }
              : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : text, headers: response.headers };
      };
      return { server, call };
    };
    try {
      const first = await start();
      const upload = await first.call('POST', '/api/datasets', { body: fileForm('qa.csv', CSV) });
      const labelJob = await first.call('POST', '/api/label-jobs', {
        body: {
          dataset_id: upload.body.id,
          prompt: '[restart] Does {answer} answer {question}? 1 if so, else 0.',
          model: 'openai:/gpt-test',
        },
      });
      await waitForLabelJob(first as unknown as TestServer, labelJob.body.job_id, ['completed']);
      ft.setScript({ polls: 100_000 });
      const started = await first.call('POST', `/api/label-jobs/${labelJob.body.job_id}/finetune`, { body: { model: BASE } });
      await waitForFinetune(first, started.body.id, ['running']);
      await first.server.close();
      // Stopped mid-training; the provider's job ends a few reads after the restart.
      const providerJob = [...ft.jobs.values()][0]!;
      expect(providerJob.status).toBe('running');
      providerJob.script.polls = providerJob.reads + 3;

      const second = await start();
      try {
        const done = await waitForFinetune(second, started.body.id, ['succeeded', 'failed', 'cancelled']);
        expect(done).toMatchObject({ status: 'succeeded', judge: { version: 'v2' } });
        expect(ft.uploads).toHaveLength(1);
        expect(ft.requests.filter((r) => r.method === 'POST' && r.path === '/v1/fine_tuning/jobs')).toHaveLength(1);
        expect((await waitForJob(second as unknown as TestServer, started.body.job_id)).status).toBe('completed');
      } finally {
        await second.server.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
