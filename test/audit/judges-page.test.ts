/**
 * The Judges page in a real Chromium against the real `juror serve`: a judge version audited over
 * the API (the gullible scripted judge of ./scripted-judges.ts) shows its audit numbers beside its
 * agreement with human labels, with the values worked by hand in test/cli/audit.test.ts.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from '../browser/fixture.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { CSV, gullible } from './scripted-judges.js';

const MODEL = 'openai:/gpt-test';
const COLUMNS = { inputs: 'question', outputs: 'answer' };

describe.skipIf(!HAS_CHROMIUM)('audits on the Judges page in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${juror.url}${path}`, {
      method,
      ...(body instanceof FormData
        ? { body }
        : body !== undefined
          ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
          : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const settled = async (jobId: string) => {
    for (;;) {
      const { body } = await call('GET', `/api/jobs/${jobId}`);
      if (body.status !== 'queued' && body.status !== 'running') return body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    const dir = tempDir('juror-audit-ui-');
    llm = await startLlmServer({ handler: gullible });
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    const form = new FormData();
    form.append('file', new Blob([CSV], { type: 'text/csv' }), 'rows.csv');
    const upload = await call('POST', '/api/datasets', form);
    expect(upload.status).toBe(201);
    const judge = {
      name: 'quality',
      definition: 'Assesses whether the answer is correct and useful.',
      grading_prompt: 'Score from 1-5, where 1 is useless and 5 is excellent.',
    };
    const run = await call('POST', '/api/runs', {
      dataset_id: upload.body.id,
      config: { judge_model: MODEL, col_mapping: COLUMNS, metrics: [judge] },
    });
    expect(run.status).toBe(202);
    expect((await settled(run.body.job_id)).status).toBe('completed');
    const audit = await call('POST', '/api/judges/quality/audit', {
      dataset_id: upload.body.id,
      judge_model: MODEL,
      col_mapping: COLUMNS,
      probes: ['injection', 'consistency'],
      samples: 3,
      human_col: 'human',
    });
    expect(audit.status, JSON.stringify(audit.body)).toBe(202);
    expect((await settled(audit.body.job_id)).status).toBe('completed');
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  it("shows the version's audit numbers beside its agreement", async () => {
    await page.goto(`${juror.url}/judges`);
    const table = page.getByRole('table', { name: 'agreement of quality by version' });
    await table.waitFor();
    const row = (name: string) => table.locator('tr', { has: page.locator('th', { hasText: name }) }).locator('td');
    // 36 of 48 attacks flipped a verdict; α across 3 samples 30/31 = 0.968; 1 row of 5 changed.
    await expect.poll(() => row('Injection: flip rate').textContent()).toMatch(/^0\.75 \[/);
    expect(await row('Self-consistency: α').textContent()).toMatch(/^0\.968 \[/);
    expect(await row('Verdicts changing').textContent()).toMatch(/^0\.2 \[/);
    // Probes that did not run (verbosity) or do not apply (position) have no row.
    expect(await table.locator('th', { hasText: /Verbosity|Position/ }).count()).toBe(0);
    expect(await row('Audited').textContent()).toContain('5 rows (juror-bias-probes v1)');
    // The human agreement the audit measured is beside it: accuracy 4 of 5.
    expect(await table.locator('tr[data-stat="accuracy"] td').textContent()).toMatch(/^0\.8/);
    await screenshot(page, 'judges-audit', { fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('audits a version from the page: a wrong column is named at its field, then every probe runs and joins the table', async () => {
    const form = page.getByRole('form', { name: 'audit quality for biases' });
    await form.locator('input[name="audit_model"]').fill(MODEL);
    await form.locator('input[name="audit_mapping"]').fill('inputs=question, outputs=nope');
    await form.getByRole('button', { name: 'Audit v1' }).click();
    await form.locator('.field-error', { hasText: "names column 'nope'" }).waitFor();
    await form.locator('input[name="audit_mapping"]').fill('inputs=question, outputs=answer');
    await form.getByRole('button', { name: 'Audit v1' }).click();
    await form.locator('.audit-status', { hasText: 'Audit completed on 5 rows' }).waitFor({ timeout: 60_000 });
    const table = page.getByRole('table', { name: 'agreement of quality by version' });
    const row = (name: string) => table.locator('tr', { has: page.locator('th', { hasText: name }) }).locator('td');
    // The verbosity and authority shifts worked by hand in test/cli/audit.test.ts: 1.1 and 4/15.
    await expect.poll(() => row('Verbosity: score shift').textContent()).toMatch(/^\+1\.1 \[/);
    expect(await row('Authority: score shift').textContent()).toMatch(/^\+0\.267 \[/);
    await screenshot(page, 'judges-audit-form', { fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
