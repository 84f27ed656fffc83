/**
 * `juror finetune submit | status | cancel` against the scripted fine-tuning server: the uploaded
 * file is exactly `juror export finetune`'s, a success stores a judge version whose model is the
 * fine-tuned one, failures and cancels reach the user with the provider's message, and bad input
 * stops before any request.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { startFinetuneServer, type FinetuneServer } from '../fixtures/finetune-server.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block } from '../server/helpers.js';
import { cliEnv, removeTempDirs, runCli, tempDir } from './run-cli.js';

const ROWS = 12;
const CSV = 'question,answer\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i}`).join('\n') + '\n';
const PROMPT = 'Does {answer} answer {question}? 1 if so, else 0.';
const BASE = 'openai:/gpt-4o-mini-2024-07-18';

let llm: LlmServer;
let ft: FinetuneServer;

beforeAll(async () => {
  [llm, ft] = await Promise.all([startLlmServer(), startFinetuneServer()]);
});
afterAll(async () => {
  await Promise.all([llm.close(), ft.close()]);
  removeTempDirs();
});
beforeEach(() => {
  llm.reset();
  ft.reset();
  // The judge says 0 for every third row, 1 otherwise.
  llm.setHandler((req) => {
    const row = Number((block(req.lastUser, 'answer') ?? 'answer -1').replace('answer ', ''));
    return verdict(row % 3 === 0 ? 0 : 1, `row ${row} judged`);
  });
});

/** A folder with a dataset labelled by a completed label job; returns the job id and the env for `juror finetune`. */
async function labelled(prompt = PROMPT): Promise<{ dir: string; jobId: string; env: NodeJS.ProcessEnv; name: string }> {
  const dir = tempDir('juror-finetune-');
  writeFileSync(join(dir, 'qa.csv'), CSV);
  const label = await runCli(['label', join(dir, 'qa.csv'), '--prompt', prompt, '--model', 'openai:/gpt-test', '--json'], {
    env: cliEnv(llm.url, dir),
    cwd: dir,
  });
  const summary = JSON.parse(label.stdout) as { job_id: string; judge: { name: string } };
  return { dir, jobId: summary.job_id, name: summary.judge.name, env: cliEnv(ft.url, dir, { JUROR_FINETUNE_POLL_MS: '5' }) };
}

async function storedVersion(dir: string, name: string, version: string) {
  const store = await Store.open({ path: join(dir, 'juror.db') });
  try {
    return await store.judges.version(name, version);
  } finally {
    await store.close();
  }
}

describe('juror finetune submit', () => {
  it('uploads exactly the export, follows the job and stores the fine-tuned model as a new judge version', async () => {
    const { dir, jobId, env, name } = await labelled();
    const exported = await runCli(['export', 'finetune', '--label-job', jobId, '--out', join(dir, 'export.jsonl')], { env, cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    ft.setScript({ polls: 3, outcome: 'succeed' });

    const result = await runCli(
      ['finetune', 'submit', '--label-job', jobId.slice(0, 8), '--model', BASE, '--suffix', 'qa', '--epochs', '2'],
      {
        env,
        cwd: dir,
      },
    );
    expect(result.code, result.stderr).toBe(0);

    expect(ft.uploads).toHaveLength(1);
    expect(ft.uploads[0]!.purpose).toBe('fine-tune');
    expect(ft.uploads[0]!.content).toBe(readFileSync(join(dir, 'export.jsonl'), 'utf8'));
    expect(ft.uploads[0]!.content.trim().split('\n')).toHaveLength(ROWS);
    const create = ft.requests.find((r) => r.method === 'POST' && r.path === '/v1/fine_tuning/jobs')!;
    expect(create.json).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: ft.uploads[0]!.id,
      suffix: 'qa',
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2 } } },
    });
    expect(ft.requests.every((r) => r.authorization === 'Bearer test')).toBe(true);

    const [job] = [...ft.jobs.values()];
    const model = `openai:/${job!.fine_tuned_model}`;
    expect(job!.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:/);
    // Every event once, in order.
    for (const message of [
      'Validating training file',
      'Fine-tuning job started',
      'Step 1/3',
      'Step 2/3',
      'The job has successfully completed',
    ])
      expect(result.stderr.split(message).length - 1, message).toBe(1);
    expect(result.stderr.indexOf('Step 1/3')).toBeLessThan(result.stderr.indexOf('Step 2/3'));
    expect(result.stdout).toContain(`model         ${model}`);
    expect(result.stdout).toContain(`juror align --judge ${name}-v2.yaml --data labeled.csv --human-col label`);

    const v1 = await storedVersion(dir, name, 'v1');
    const v2 = await storedVersion(dir, name, 'v2');
    expect(v1!.judge.model).toBe('openai:/gpt-test');
    expect(v2!.judge).toEqual({ ...v1!.judge, version: 'v2', model });
    expect(readFileSync(join(dir, `${name}-v2.yaml`), 'utf8')).toContain(`model: ${model}`);
  });

  it('reports a failed fine-tune with the provider message and exit 1, storing no version', async () => {
    const { dir, jobId, env, name } = await labelled();
    ft.setScript({ polls: 2, outcome: 'fail', error: 'Training file has 12 example(s), but must have at least 50 examples' });
    const result = await runCli(['finetune', 'submit', '--label-job', jobId, '--model', BASE], { env, cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('failed: Training file has 12 example(s), but must have at least 50 examples');
    expect(await storedVersion(dir, name, 'v2')).toBeUndefined();
  });

  it('reports a fine-tune cancelled at the provider with exit 1', async () => {
    const { dir, jobId, env } = await labelled();
    ft.setScript({ polls: 2, outcome: 'cancel' });
    const result = await runCli(['finetune', 'submit', '--label-job', jobId, '--model', BASE, '--json'], { env, cwd: dir });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'cancelled', judge_id: null });
    expect(result.stderr).toContain('Fine-tuning job cancelled');
  });

  it('keeps following through server errors of the provider', async () => {
    const { dir, jobId, env } = await labelled();
    ft.setScript({ polls: 4, serverErrors: 2 });
    const result = await runCli(['finetune', 'submit', '--label-job', jobId, '--model', BASE, '--json'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', judge_version: 'v2' });
  });

  it('refuses bad input with exit 2 before any request', async () => {
    const { dir, jobId, env } = await labelled();
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; says: string }> = [
      { args: ['--label-job', jobId, '--model', BASE], env: cliEnv(undefined, dir), says: 'OPENAI_API_KEY is not set' },
      { args: ['--label-job', jobId, '--model', 'anthropic:/claude-3-5-haiku-latest'], says: "OpenAI's fine-tuning API, not 'anthropic'" },
      { args: ['--label-job', 'ffff0000', '--model', BASE], says: "no label job 'ffff0000'" },
      { args: ['--label-job', jobId, '--model', BASE, '--epochs', '0'], says: '--epochs' },
      {
        args: ['--label-job', jobId, '--model', BASE, '--epochs', 'three'],
        says: '--epochs must be a whole number from 1 to 50, not "three"',
      },
      { args: ['--label-job', jobId, '--model', BASE, '--suffix', 'has spaces'], says: '--suffix' },
    ];
    for (const { args, env: caseEnv, says } of cases) {
      const result = await runCli(['finetune', 'submit', ...args], { env: caseEnv ?? env, cwd: dir });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(says);
    }
    expect(ft.requests).toHaveLength(0);
  });

  it('refuses a label job with no labelled row (exit 2) before any request', async () => {
    llm.setHandler(() => ({ text: 'no verdict here' }));
    const { dir, jobId, env } = await labelled(`[unlabelled] ${PROMPT}`);
    const result = await runCli(['finetune', 'submit', '--label-job', jobId, '--model', BASE], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('no labelled row to fine-tune on');
    expect(ft.requests).toHaveLength(0);
  });
});

describe('juror finetune status and cancel', () => {
  it('reads a submitted fine-tune from the store in a later command, by its id or the provider job id', async () => {
    const { dir, jobId, env, name } = await labelled();
    ft.setScript({ polls: 3 });
    const submitted = await runCli(['finetune', 'submit', '--label-job', jobId, '--model', BASE, '--no-wait', '--json'], { env, cwd: dir });
    expect(submitted.code, submitted.stderr).toBe(0);
    const { id, provider_job_id: providerId, status } = JSON.parse(submitted.stdout) as Record<string, string>;
    expect(status).toBe('validating_files');

    const once = await runCli(['finetune', 'status', providerId!], { env, cwd: dir });
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toContain(`fine-tune ${id} of label job ${jobId}: running`);
    expect(once.stdout).toContain('Fine-tuning job started');

    const waited = await runCli(['finetune', 'status', id!.slice(0, 10), '--wait', '--json'], { env, cwd: dir });
    expect(waited.code, waited.stderr).toBe(0);
    const ended = JSON.parse(waited.stdout) as Record<string, string>;
    expect(ended).toMatchObject({ status: 'succeeded', judge_version: 'v2', judge_file: `${name}-v2.yaml` });
    expect((await storedVersion(dir, name, 'v2'))!.judge.model).toBe(`openai:/${ended.fine_tuned_model}`);
    expect(existsSync(join(dir, `${name}-v2.yaml`))).toBe(true);
  });

  it('cancels a running fine-tune at the provider; status then reports it with exit 1', async () => {
    const { dir, jobId, env } = await labelled();
    ft.setScript({ polls: 100 });
    const submitted = await runCli(['finetune', 'submit', '--label-job', jobId, '--model', BASE, '--no-wait', '--json'], { env, cwd: dir });
    const { id } = JSON.parse(submitted.stdout) as { id: string };
    const cancelled = await runCli(['finetune', 'cancel', id], { env, cwd: dir });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`fine-tune ${id} of label job ${jobId}: cancelled`);
    expect(ft.requests.filter((r) => r.path.endsWith('/cancel'))).toHaveLength(1);

    const status = await runCli(['finetune', 'status', id], { env, cwd: dir });
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(': cancelled');
    const again = await runCli(['finetune', 'cancel', id], { env, cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('has already ended: cancelled');
  });

  it('names an unknown fine-tune', async () => {
    const { dir, env } = await labelled();
    const result = await runCli(['finetune', 'status', 'ftjob-nope'], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no fine-tune 'ftjob-nope'");
    expect(ft.requests).toHaveLength(0);
  });
});
