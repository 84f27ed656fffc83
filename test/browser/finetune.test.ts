/**
 * The label job page's Fine-tune section in a real Chromium against the real `juror serve` and the
 * scripted fine-tuning server (which forwards judge calls to the scripted LLM server): a refused
 * base model is marked on its field, a fine-tune started from the page is followed to the judge
 * version it made, and a running one is cancelled from the page.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import { startFinetuneServer, type FinetuneServer } from '../fixtures/finetune-server.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block } from '../support/prompts.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

const ROWS = 12;

describe.skipIf(!HAS_CHROMIUM)('fine-tune section of the label job page in Chromium', () => {
  let llm: LlmServer;
  let ft: FinetuneServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let labelJobId: string;
  let judgeName: string;

  beforeAll(async () => {
    const dir = tempDir('juror-finetune-ui-');
    llm = await startLlmServer();
    llm.setHandler((req) => {
      const row = Number(/^answer (\d+)$/.exec(block(req.lastUser, 'answer') ?? '')?.[1] ?? -1);
      return verdict(row % 3 === 0 ? 0 : 1, `row ${row} judged`);
    });
    ft = await startFinetuneServer({ forward: llm.url });
    juror = await startJuror({
      dbPath: join(dir, 'juror.db'),
      env: { OPENAI_BASE_URL: ft.url, OPENAI_API_KEY: 'test', JUROR_FINETUNE_POLL_MS: '5' },
    });
    const csv = ['question,answer', ...Array.from({ length: ROWS }, (_, i) => `"Question ${i}?",answer ${i}`)].join('\n');
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'qa.csv');
    const upload = (await (await fetch(`${juror.url}/api/datasets`, { method: 'POST', body: form })).json()) as { id: string };
    const started = await fetch(`${juror.url}/api/label-jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset_id: upload.id,
        prompt: 'Is {answer} right for {question}? 1 if so, else 0.',
        model: 'openai:/gpt-test',
      }),
    });
    labelJobId = ((await started.json()) as { job_id: string }).job_id;
    for (;;) {
      const job = (await (await fetch(`${juror.url}/api/label-jobs/${labelJobId}?limit=1`)).json()) as { status: string; name: string };
      judgeName = job.name;
      if (job.status === 'completed') break;
      if (job.status === 'failed') throw new Error('the label job failed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await ft?.close();
    await llm?.close();
  });

  it('marks a refused base model on its field, without asking the provider', async () => {
    await page.goto(`${juror.url}/label-jobs/${labelJobId}`);
    const form = page.getByRole('form', { name: 'fine-tune the judge' });
    await form.waitFor();
    await form.locator('input[name="model"]').fill('anthropic:/claude-3-5-haiku-latest');
    await form.getByRole('button', { name: 'Fine-tune at OpenAI' }).click();
    await expect.poll(() => form.locator('.field-error').textContent()).toContain("OpenAI's fine-tuning API, not 'anthropic'");
    expect(ft.requests).toHaveLength(0);
  });

  it('starts a fine-tune and follows it to the judge version it made', async () => {
    ft.setScript({ polls: 3 });
    await page.goto(`${juror.url}/label-jobs/${labelJobId}`);
    const form = page.getByRole('form', { name: 'fine-tune the judge' });
    await form.locator('input[name="suffix"]').fill('ui');
    await form.locator('input[name="epochs"]').fill('2');
    await form.getByRole('button', { name: 'Fine-tune at OpenAI' }).click();
    const row = page.locator('.finetunes-table tr[data-status="succeeded"]');
    await row.waitFor({ timeout: 20_000 });
    const [job] = [...ft.jobs.values()];
    expect(await row.textContent()).toContain(`${judgeName} v2`);
    expect(await row.textContent()).toContain(`openai:/${job!.fine_tuned_model}`);
    expect(await row.textContent()).toContain(job!.id);
    expect(ft.uploads[0]!.content.trim().split('\n')).toHaveLength(ROWS);
    expect(ft.requests.find((r) => r.path === '/v1/fine_tuning/jobs')!.json).toMatchObject({ suffix: 'ui' });
    await screenshot(page, 'finetune-section', { fullPage: true });
  });

  it('cancels a running fine-tune from the page', async () => {
    ft.setScript({ polls: 100_000 });
    await page.goto(`${juror.url}/label-jobs/${labelJobId}`);
    const form = page.getByRole('form', { name: 'fine-tune the judge' });
    await form.getByRole('button', { name: 'Fine-tune at OpenAI' }).click();
    const running = page.locator('.finetunes-table tr[data-status="running"]');
    await running.waitFor({ timeout: 20_000 });
    await running.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.finetunes-table tr[data-status="cancelled"]').waitFor();
    expect([...ft.jobs.values()].at(-1)!.status).toBe('cancelled');
    expect(pageErrors).toEqual([]);
  });
});
