/**
 * Distilling from the label job page in a real Chromium against the real `juror serve`: the
 * Distill button starts the job and the page shows the version it made with its cross-validated
 * agreement; the Judges page shows it beside the LLM versions of the judge.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from '../browser/fixture.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block } from '../server/helpers.js';
import { generateRows, ruleOf } from './generated.js';

describe.skipIf(!HAS_CHROMIUM)('distilling from the label job page in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let labelJobId: string;
  let judgeName: string;

  beforeAll(async () => {
    const dir = tempDir('juror-distill-ui-');
    llm = await startLlmServer({ handler: (req) => verdict(ruleOf(block(req.lastUser, 'answer') ?? '') ?? 0) });
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    const rows = generateRows({ rows: 120, seed: 31 });
    const csv = ['question,answer', ...rows.map((r) => `${r.question},${r.answer}`)].join('\n');
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'answers.csv');
    const upload = (await (await fetch(`${juror.url}/api/datasets`, { method: 'POST', body: form })).json()) as { id: string };
    const started = await fetch(`${juror.url}/api/label-jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset_id: upload.id,
        prompt: 'Is {answer} on a supported topic? 1 if so, else 0.',
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
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  it('distils the judge from its page and shows the version with its agreement, there and on the Judges page', async () => {
    await page.goto(`${juror.url}/label-jobs/${labelJobId}`);
    const form = page.getByRole('form', { name: 'distill the judge' });
    await form.waitFor();
    expect(await form.locator('input[name="name"]').inputValue()).toBe(judgeName);
    await form.locator('input[name="folds"]').fill('3');
    await form.getByRole('button', { name: 'Distill' }).click();
    // The judge's LLM version is v1: the distilled one is v2.
    const row = page.locator(`section.distill tr[data-distilled="${judgeName}/v2"]`);
    await row.waitFor({ timeout: 30_000 });
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('v2 distilled');
    expect(text).toContain('120');
    expect(text).toMatch(/\d+(\.\d)?% · κ 0\.\d+ \[/);
    await screenshot(page, 'distill-section', { fullPage: true });

    await page.goto(`${juror.url}/judges`);
    const card = page.locator(`article[data-judge="${judgeName}"]`);
    await card.locator(`tr[data-distilled="${judgeName}/v2"]`).waitFor({ timeout: 20_000 });
    expect(await card.getByRole('tab').allTextContents()).toEqual(['v1']);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
