/**
 * The compare page in a real Chromium: paired statistics of two runs (GET /api/runs/compare) with
 * their verdict, and the "Judge pairwise" panel starting a pairwise comparison and showing its
 * rates, against the scripted judge answering by the [GOOD] marker of each response.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { pairwiseByMarker, TWO_SYSTEMS_CSV as CSV } from '../support/pairwise.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

describe.skipIf(!HAS_CHROMIUM)('compare page in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let runA: string;
  let runB: string;

  const api = async (method: string, path: string, body?: unknown) =>
    (await (
      await fetch(`${juror.url}/api${path}`, {
        method,
        ...(body instanceof FormData
          ? { body }
          : body
            ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
            : {}),
      })
    ).json()) as Record<string, string>;

  const evaluation = async (datasetId: string, column: string): Promise<string> => {
    const config = { col_mapping: { inputs: 'question', predictions: column, targets: 'expected' }, metrics: ['exact_match'] };
    const started = await api('POST', '/runs', { dataset_id: datasetId, config });
    for (let i = 0; i < 400; i++) {
      if ((await api('GET', `/jobs/${started.job_id}`)).status === 'completed') return started.run_id!;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the evaluation did not complete');
  };

  beforeAll(async () => {
    const dir = tempDir('juror-compare-');
    llm = await startLlmServer({ handler: pairwiseByMarker() });
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    const form = new FormData();
    form.append('file', new Blob([CSV], { type: 'text/csv' }), 'answers.csv');
    const dataset = await api('POST', '/datasets', form);
    runA = await evaluation(dataset.id!, 'out_a');
    runB = await evaluation(dataset.id!, 'out_b');
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  it('shows the paired test and its verdict for each metric', async () => {
    await page.goto(`${juror.url}/compare?runs=${runA},${runB}`);
    const row = page.locator('.paired-table tr[data-metric="exact_match/v1"]');
    await row.waitFor();
    // 1 row only A right, 3 only B: exact McNemar p = 10/16.
    expect(await row.locator('[data-testid="verdict"]').textContent()).toBe('not distinguishable');
    expect(await row.textContent()).toContain('McNemar (exact)');
    expect(await row.textContent()).toContain('0.625');
    expect(pageErrors).toEqual([]);
  });

  it('judges pairwise from the panel and shows the rates', async () => {
    await page.locator('input[name="pairwise-model"]').fill('openai:/gpt-test');
    await page.getByRole('button', { name: 'Judge pairwise' }).click();
    const wins = page.locator('.pairwise-table tr[data-rate="wins"]');
    await wins.waitFor({ timeout: 20_000 });
    expect(await wins.locator('td').textContent()).toMatch(/^50%/);
    expect(await page.locator('.pairwise-table tr[data-rate="consistency"] td').textContent()).toMatch(/^100% \[100%, 100%\]/);
    expect(await page.locator('.pairwise-table tr[data-rate="first_position"] td').textContent()).toMatch(/^50%/);
    expect(llm.requests).toHaveLength(12);
    await screenshot(page, 'compare-pairwise', { fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
