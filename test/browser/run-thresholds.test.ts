/**
 * The run page shows the run's CI gate in a real Chromium: each threshold given with POST /api/runs,
 * met or missed with the run's value, as GET /api/runs/:id reports it.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

describe.skipIf(!HAS_CHROMIUM)('run thresholds in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    const dir = tempDir('juror-thresholds-');
    llm = await startLlmServer({ handler: () => verdict(4) });
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  it('shows each threshold met or missed, with the value', async () => {
    const form = new FormData();
    form.append('file', new Blob(['question,answer,expected\nq0,a0,a0\nq1,a1,x\n'], { type: 'text/csv' }), 'qa.csv');
    const datasetId = ((await (await fetch(`${juror.url}/api/datasets`, { method: 'POST', body: form })).json()) as { id: string }).id;
    const config = {
      judge_model: 'openai:/gpt-test',
      col_mapping: { inputs: 'question', predictions: 'answer', targets: 'expected' },
      metrics: [{ name: 'quality', definition: 'How good the answer is.', grading_prompt: 'Score 1-5.' }, 'exact_match'],
    };
    const started = await fetch(`${juror.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset_id: datasetId, config, thresholds: { 'quality/v1/mean': '>= 3.5', 'exact_match/v1/mean': '> 0.5' } }),
    });
    const { run_id: runId } = (await started.json()) as { run_id: string };

    await page.goto(`${juror.url}/runs/${runId}`);
    await page.locator('.run-page[data-status="finished"]').waitFor({ timeout: 20_000 });
    const met = page.locator('.threshold[data-key="quality/v1/mean"]');
    const missed = page.locator('.threshold[data-key="exact_match/v1/mean"]');
    expect(await met.getAttribute('data-passed')).toBe('true');
    expect(await met.textContent()).toBe('met (4)');
    expect(await missed.getAttribute('data-passed')).toBe('false');
    expect(await missed.textContent()).toBe('missed (0.5)');
    await screenshot(page, 'run-thresholds');
    expect(pageErrors).toEqual([]);
  });
});
