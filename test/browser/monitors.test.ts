/**
 * The Monitors page in a real Chromium against the real `juror serve` and the scripted LLM server: a
 * monitor judges interactions whose timestamps fall in three known past 1-hour windows; the page
 * draws one point per window, shows the alert rule firing in the window whose mean is low, lists a
 * clicked window's interactions lowest score first with their justifications, and saves two of
 * them as a dataset (checked through the API); pausing the monitor stops it.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

const HOUR = 3_600_000;
/** The start of the hour three hours ago, and the two after it: well inside the page's default 24 hours. */
const W3 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const windows = [iso(W3), iso(W3 + HOUR), iso(W3 + 2 * HOUR)];

/**
 * The judge answers the `rate-<n>` in the answer (9 is off the 1–5 scale: an error row), justifying it by
 * the interaction's id; the canary's 1/0 judge answers the `says-<n>` of its row.
 */
function judge(text: string) {
  const says = /says-(\d)/.exec(text);
  if (says) return verdict(Number(says[1]));
  const id = /question (\w+)/.exec(text)?.[1] ?? '?';
  return verdict(Number(/rate-(\d)/.exec(text)?.[1] ?? 3), `because of ${id}`);
}

const at = (window: number, minute: number) => iso(W3 + window * HOUR + minute * 60_000);
const interaction = (id: string, timestamp: string, score: number) => ({
  id,
  app: 'shop',
  timestamp,
  request: `question ${id}`,
  response: `answer rate-${score}`,
});
// Window 0: [4, 1, 2] — mean 7/3 fires `mean < 3`; window 1: [5, 4]; window 2: [3, 5] and an error row.
const INTERACTIONS = [
  interaction('w0a', at(0, 5), 4),
  interaction('w0b', at(0, 10), 1),
  interaction('w0c', at(0, 15), 2),
  interaction('w1a', at(1, 5), 5),
  interaction('w1b', at(1, 6), 4),
  interaction('w2a', at(2, 1), 3),
  interaction('w2b', at(2, 2), 5),
  interaction('w2c', at(2, 3), 9),
];

/** The canary's labelled rows: the people say 1, 1, 0, 0; the judge says 1, 1, 0, 1 — accuracy 3/4. */
const CANARY_CSV = 'question,answer,human\nq0,says-1,1\nq1,says-1,1\nq2,says-0,0\nq3,says-1,0\n';
const CANARY_JUDGE = { name: 'right', judge_prompt: 'Is {answer} right for {question}? 1 or 0.', output: 'binary' };

describe.skipIf(!HAS_CHROMIUM)('Monitors page in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let monitorId: string;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${juror.url}/api${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return response.json();
  };
  const until = async (what: string, probe: () => Promise<boolean>) => {
    const deadline = Date.now() + 30_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    const dir = tempDir('juror-monitors-ui-');
    llm = await startLlmServer({ handler: (req) => judge(req.text) });
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    monitorId = (
      await api('POST', '/monitors', {
        name: 'shop-helpful',
        app: 'shop',
        sample_rate: 1,
        judge_model: 'openai:/gpt-test',
        window: '1h',
        metrics: [{ name: 'helpful', definition: 'How helpful the answer is.', grading_prompt: 'Score 1-5, 5 being best.' }],
        alerts: [{ metric: 'helpful/v1/mean', op: '<', value: 3, min_count: 2 }],
      })
    ).id;
    await api('POST', '/interactions', { interactions: INTERACTIONS });
    await until('8 judged', async () => (await api('GET', `/monitors/${monitorId}`)).judged >= 8);
    await until('the alert', async () => (await api('GET', `/monitors/${monitorId}/alerts`)).alerts.length >= 1);

    // A canary of a stored judge (stored by evaluating the labelled dataset), checked twice.
    const form = new FormData();
    form.append('file', new Blob([CANARY_CSV], { type: 'text/csv' }), 'labelled.csv');
    const datasetId = ((await (await fetch(`${juror.url}/api/datasets`, { method: 'POST', body: form })).json()) as { id: string }).id;
    const run = await api('POST', '/runs', { dataset_id: datasetId, config: { judge_model: 'openai:/gpt-test', metrics: [CANARY_JUDGE] } });
    await until('the judge stored', async () => (await api('GET', `/jobs/${run.job_id}`)).status === 'completed');
    const canaryId = (
      await api('POST', '/canaries', {
        name: 'nightly',
        judge: 'right',
        dataset: datasetId,
        human_col: 'human',
        judge_model: 'openai:/gpt-test',
        every: '1d',
        alert: { statistic: 'accuracy', op: '<', value: 0.8 },
      })
    ).id;
    const points = async () => (await api('GET', `/canaries/${canaryId}`)).points.length as number;
    await until('the first check', async () => (await points()) >= 1);
    await api('POST', `/canaries/${canaryId}/run`);
    await until('the second check', async () => (await points()) >= 2);
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  it('lists the monitor with its status, sample rate and window, from the nav', async () => {
    await page.goto(`${juror.url}/`);
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Monitors' }).click();
    const row = page.locator(`tr[data-monitor-id="${monitorId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    // Name, status, app, sample rate, window, metrics, judged.
    expect(cells.slice(1, 7)).toEqual(['active', 'shop', '100%', '1h', 'helpful/v1', '8']);
    expect(cells[0]).toMatch(/^shop-helpful\b/);
    // The canary: its alert firing (accuracy 0.75 < 0.8), and its two checks over time.
    const canary = page.locator('section[aria-label="canaries"] [data-canary="nightly"]');
    await canary.waitFor();
    expect(await canary.locator('.badge[data-state]').getAttribute('data-state')).toBe('firing');
    expect(await canary.textContent()).toContain('right v1 · every 1d · alert when accuracy < 0.8');
    expect(await canary.locator('[data-testid="canary-nightly"]').getAttribute('data-points')).toBe('2');
    expect(await canary.locator('.recharts-line-dots').first().locator('circle').count()).toBe(2);
    await screenshot(page, 'monitors-list');
    await row.getByRole('link', { name: 'shop-helpful' }).click();
    await page.waitForURL(`**/monitors/${monitorId}`);
  });

  it('draws one point per window and shows the alert rule firing in the low window', async () => {
    const chart = page.locator('[data-testid="chart-helpful/v1"]');
    await chart.waitFor();
    expect(await chart.getAttribute('data-windows')).toBe('3');
    expect(await chart.locator('.window-button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-start')))).toEqual(
      windows,
    );
    // The mean line has a dot per window.
    await chart.locator('.recharts-line-dots').first().waitFor();
    expect(await chart.locator('.recharts-line-dots').first().locator('circle').count()).toBe(3);

    const rule = page.locator('table.alert-rules tr[data-rule="0"]');
    expect(await rule.getAttribute('data-state')).toBe('firing');
    expect(await rule.locator('.badge').textContent()).toBe('firing');
    const events = page.locator('table.alert-events tbody tr');
    expect(await events.count()).toBe(1);
    expect(await events.first().getAttribute('data-state')).toBe('firing');
    expect(await events.first().locator('td').nth(3).textContent()).toBe('2.333');
  });

  it("lists a clicked window's interactions lowest first, with their justifications", async () => {
    await page.locator(`[data-testid="chart-helpful/v1"] .window-button[data-start="${windows[2]}"]`).click();
    const list = page.locator(`section[aria-label="window interactions"][data-window="${windows[2]}"]`);
    await list.locator('tbody tr').first().waitFor();
    expect(await list.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-interaction-id')))).toEqual([
      'w2a',
      'w2b',
      'w2c',
    ]);
    expect(await list.locator('tbody tr').first().locator('td').nth(2).textContent()).toBe('because of w2a');
    expect(await list.locator('tbody tr').nth(2).locator('.score-chip').textContent()).toBe('error');

    await page.locator(`[data-testid="chart-helpful/v1"] .window-button[data-start="${windows[0]}"]`).click();
    const low = page.locator(`section[aria-label="window interactions"][data-window="${windows[0]}"]`);
    await low.locator('tbody tr').first().waitFor();
    const rows = low.locator('tbody tr');
    expect(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-interaction-id')))).toEqual(['w0b', 'w0c', 'w0a']);
    expect(await rows.evaluateAll((r) => r.map((row) => row.querySelectorAll('td')[2]!.textContent))).toEqual([
      'because of w0b',
      'because of w0c',
      'because of w0a',
    ]);
    expect(await rows.evaluateAll((r) => r.map((row) => row.querySelector('.score-chip')!.textContent))).toEqual(['1', '2', '4']);
  });

  it('selects a window by clicking its volume bar on the chart', async () => {
    await page.locator('[data-testid="chart-helpful/v1"] .recharts-bar-rectangle').nth(1).click();
    const middle = page.locator(`section[aria-label="window interactions"][data-window="${windows[1]}"]`);
    await middle.locator('tbody tr').first().waitFor();
    expect(await middle.locator('tbody tr').evaluateAll((r) => r.map((row) => row.getAttribute('data-interaction-id')))).toEqual([
      'w1b',
      'w1a',
    ]);
    await page.locator(`[data-testid="chart-helpful/v1"] .window-button[data-start="${windows[0]}"]`).click();
    await page.locator(`section[aria-label="window interactions"][data-window="${windows[0]}"] tbody tr`).first().waitFor();
  });

  it('saves the two lowest as a dataset and links to it', async () => {
    const low = page.locator(`section[aria-label="window interactions"][data-window="${windows[0]}"]`);
    await low.getByRole('checkbox', { name: 'select interaction w0b' }).check();
    await low.getByRole('checkbox', { name: 'select interaction w0c' }).check();
    await low.getByRole('button', { name: 'Save as dataset (2)' }).click();
    const form = low.getByRole('form', { name: 'save as dataset' });
    await form.locator('input[name="name"]').fill('lowest helpful');
    await form.getByRole('button', { name: 'Save 2 as dataset' }).click();
    const link = low.getByRole('status').getByRole('link', { name: 'lowest helpful' });
    await link.waitFor();
    await screenshot(page, 'monitor-window', { fullPage: true });
    const datasetId = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);

    const dataset = await api('GET', `/datasets/${datasetId}`);
    expect(dataset).toMatchObject({ name: 'lowest helpful', row_count: 2 });
    // With the monitor's scores (ticked by default) beside each row.
    expect(dataset.preview.map((r: Record<string, unknown>) => [r.interaction_id, r.response, r['helpful/v1/score']])).toEqual([
      ['w0b', 'answer rate-1', 1],
      ['w0c', 'answer rate-2', 2],
    ]);
    expect(dataset.preview[0]['helpful/v1/justification']).toBe('because of w0b');
    await link.click();
    await page.waitForURL(`**/datasets/${datasetId}`);
  });

  it('pauses the monitor from its page', async () => {
    await page.goto(`${juror.url}/monitors/${monitorId}`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect((await api('GET', `/monitors/${monitorId}`)).status).toBe('paused');
    expect(pageErrors).toEqual([]);
  });
});
