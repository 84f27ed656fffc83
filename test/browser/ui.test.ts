/**
 * The web UI in a real Chromium against the real `juror serve` over real HTTP: runs made by
 * real `evaluate()` calls against the scripted OpenAI-compatible server, then read back through
 * the pages and checked against the store. Screenshots of every page go to test-results/ui/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, makeGenaiMetric, makeGenaiMetricFromPrompt, Store, type EvaluateOptions } from '../../src/index.js';
import { startServer, type JurorServer } from '../../src/server/app.js';
import { repositories } from '../../src/server/context.js';
import { startLlmServer, verdict, type ChatRequest, type LlmServer, type Reply } from '../fixtures/llm-server.js';
import { HAS_CHROMIUM, CHROMIUM, ensureWebBuilt, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

if (!HAS_CHROMIUM) {
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (install Debian's package: apt-get install -y chromium)`);
}

const ROWS = 30;
const data = Array.from({ length: ROWS }, (_, i) => ({
  question: `What is item ${i}?`,
  answer: `answer ${i}`,
  expected: i % 4 === 0 ? `answer ${i}` : `expected ${i}`,
}));

const quality = makeGenaiMetric({
  name: 'quality',
  definition: 'Assesses how correct and complete the answer is.',
  gradingPrompt: 'Score from 1-5, where 1 is wrong and 5 is correct and complete.',
  examples: [{ input: 'What is 2+2?', output: '4', score: 5, justification: 'Correct and complete.' }],
});
const professional = makeGenaiMetricFromPrompt({
  name: 'professional',
  judgePrompt: "Is the response '{response}' written in a professional tone?",
  metricMetadata: { score_threshold: 3 },
});

/** The row a judge request is about, read off the answer in it (a re-ask repeats the first message). */
function rowOf(req: ChatRequest): number {
  return Number(/answer (\d+)/.exec(req.text)?.[1] ?? -1);
}
const isProfessional = (req: ChatRequest) => req.text.includes('professional tone');

/** Baseline: quality cycles 1–5, rows 7 and 19 answer a 7 (an error row); professional is "no" every third row. */
function baseline(req: ChatRequest): Reply {
  const i = rowOf(req);
  if (isProfessional(req)) return verdict(i % 3 === 0 ? 2 : 4, i % 3 === 0 ? 'Too casual.' : 'Professional.');
  if (i === 7 || i === 19) return verdict(7, 'off the scale');
  return verdict((i % 5) + 1, `quality of row ${i} is ${(i % 5) + 1}`);
}
/** Candidate: quality one point higher (capped at 5), row 3 an error; professional always yes. */
function candidate(req: ChatRequest): Reply {
  const i = rowOf(req);
  if (isProfessional(req)) return verdict(4, 'Professional.');
  if (i === 3) return verdict(9, 'off the scale');
  const score = Math.min(5, (i % 5) + 2);
  return verdict(score, `quality of row ${i} is ${score}`);
}

describe.skipIf(!HAS_CHROMIUM)('web UI in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let store: Store;
  let dir: string;
  let runA: string;
  let runB: string;

  const options = (extra: Partial<EvaluateOptions>): EvaluateOptions => ({
    data,
    colMapping: { inputs: 'question', predictions: 'answer', targets: 'expected' },
    metrics: [quality, professional, 'exact_match'],
    judgeModel: 'openai:/gpt-test',
    env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' },
    store: { path: join(dir, 'juror.db') },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    cache: false,
    experiment: 'qa',
    ...extra,
  });

  beforeAll(async () => {
    ensureWebBuilt();
    dir = tempDir('juror-ui-');
    llm = await startLlmServer();
    llm.setHandler(baseline);
    runA = (await evaluate(options({ runName: 'baseline' }))).runId;
    llm.setHandler(candidate);
    runB = (await evaluate(options({ runName: 'candidate' }))).runId;
    llm.setHandler(baseline);
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    store = juror.store;
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  const open = async (path: string) => {
    await page.goto(`${juror.url}${path}`);
  };
  const text = (selector: string) => page.locator(selector).first().textContent({ timeout: 10_000 });
  /** A value as the UI prints a 1–5 score: at most two decimals, trailing zeros dropped. */
  const twoDecimals = (v: number) => String(Number(v.toFixed(2)));

  it('lists the runs with status, headline metrics, rows, errors and cost', async () => {
    await open('/');
    const rowA = page.locator(`tr[data-run-id="${runA}"]`);
    const rowB = page.locator(`tr[data-run-id="${runB}"]`);
    await rowA.waitFor();
    await rowB.waitFor();
    const a = await store.getRun(runA);
    expect(await rowA.locator('.run-link').textContent()).toBe('baseline');
    expect(await rowA.locator('[data-status]').getAttribute('data-status')).toBe('finished');
    expect(await rowA.textContent()).toContain(twoDecimals(a.metrics['quality/v1/mean']!));
    expect(await rowA.textContent()).toContain(`${(a.metrics['professional/v1/ratio']! * 100).toFixed(1).replace(/\.0$/, '')}%`);
    expect(a.error_count).toBe(2);
    expect(await rowA.locator('td').nth(6).textContent()).toBe('2');
    expect(await page.locator('.sidebar-item', { hasText: 'qa' }).textContent()).toContain('2');
    await screenshot(page, 'runs');
  });

  it("shows a run's metric cards and rows as the store has them", async () => {
    await open(`/runs/${runA}`);
    const a = await store.getRun(runA);
    for (const key of ['quality/v1/mean', 'professional/v1/ratio', 'exact_match/v1/mean']) {
      const metric = key.slice(0, key.lastIndexOf('/'));
      const value = page.locator(`[data-testid="metric-${metric}"] [data-testid="metric-value"]`);
      await value.waitFor();
      expect(Number(await value.getAttribute('data-value'))).toBeCloseTo(a.metrics[key]!, 12);
    }
    // On its own scale: quality out of 5, professional and exact_match as percentages.
    expect(await text('[data-testid="metric-quality/v1"] [data-testid="metric-value"]')).toBe(
      `${twoDecimals(a.metrics['quality/v1/mean']!)} / 5`,
    );
    expect(await text('[data-testid="metric-professional/v1"] [data-testid="metric-value"]')).toMatch(/^\d+(\.\d)?%$/);
    expect(await text('[data-testid="metric-quality/v1"] .error-pill')).toBe('2 errors');
    // The histogram counts every scored row, one bar per score.
    const histogram = page.locator('[data-testid="histogram-quality/v1"]');
    await histogram.waitFor();
    expect(await histogram.getAttribute('data-total')).toBe('28');
    await expect.poll(() => histogram.locator('.recharts-bar-rectangle').count()).toBe(5);

    await expect.poll(() => text('[data-testid="rows-total"]')).toBe(`${ROWS} rows`);
    const results = await store.results(runA, { from: 0, to: 4 });
    for (const r of results.filter((x) => x.metric === 'quality/v1')) {
      const cell = page.locator(`.rows-row[data-row-index="${r.row_index}"] [data-metric="quality/v1"]`);
      expect(await cell.textContent()).toBe(String(r.value));
      expect(await cell.locator('.score-chip').getAttribute('title')).toBe(r.justification);
    }
    expect(await text('.rows-row[data-row-index="0"] [role="cell"]:nth-child(2)')).toBe('What is item 0?');
    await page.locator('[data-testid="histogram-professional/v1"]').waitFor();
    await screenshot(page, 'run', { fullPage: true });
  });

  it('filters to error rows and to low scores', async () => {
    await open(`/runs/${runA}`);
    await page.locator('.rows-row').first().waitFor();
    await page.getByLabel('Errors only').check();
    await expect.poll(() => text('[data-testid="rows-total"]')).toBe('2 rows');
    await expect
      .poll(() => page.locator('.rows-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-index'))))
      .toEqual(['7', '19']);
    expect(await page.locator('.rows-row.has-error').count()).toBe(2);
    expect(page.url()).toContain('errors=1');
    await screenshot(page, 'run-errors');

    await page.getByLabel('Errors only').uncheck();
    await page.locator('select[name="metric"]').selectOption('quality/v1');
    await page.getByLabel('Low scores').check();
    // On a 1–5 scale, "low" starts as ≤ 2.
    expect(await page.locator('input[name="max_score"]').inputValue()).toBe('2');
    const all = await store.results(runA, { from: 0, to: ROWS - 1 });
    const low = all.filter((r) => r.metric === 'quality/v1' && r.value !== null && r.value <= 2).length;
    await expect.poll(() => text('[data-testid="rows-total"]')).toBe(`${low} rows`);
    expect(await page.locator('select[name="metric"]').inputValue()).toBe('quality/v1');
  });

  it('sorts by a metric from its column header', async () => {
    await open(`/runs/${runA}`);
    await page.locator('.rows-row').first().waitFor();
    await page.locator('.sort-header', { hasText: 'quality' }).click();
    await expect.poll(() => page.url()).toContain('sort=-quality%2Fv1');
    await expect.poll(() => text('.rows-row [data-metric="quality/v1"]')).toBe('5');
    await page.locator('.sort-header', { hasText: 'quality' }).click();
    await expect.poll(() => text('.rows-row [data-metric="quality/v1"]')).toBe('1');
  });

  it('opens a row in a drawer with the judge prompt as sent and the raw answer', async () => {
    await open(`/runs/${runA}`);
    await page.locator('.rows-row[data-row-index="7"]').click();
    const drawer = page.getByRole('dialog', { name: 'row details' });
    await drawer.waitFor();
    const section = drawer.locator('[data-testid="result-quality/v1"]');
    await section.waitFor();
    const a = await store.getRun(runA);
    const stored = (await store.results(runA, { from: 7, to: 7 })).find((r) => r.metric === 'quality/v1')!;
    const system = a.judges.find((j) => j.metric === 'quality/v1')!.systemPrompt;
    expect(await section.locator('[data-testid="prompt-system"]').textContent()).toBe(system);
    expect(await section.locator('[data-testid="prompt-user"]').textContent()).toBe(stored.prompt);
    expect(stored.prompt).toContain('answer 7');
    expect(await section.locator('[data-testid="raw-answer"]').textContent()).toBe(stored.raw);
    expect(await section.locator('.error-box').textContent()).toBe(stored.error);
    expect(await drawer.textContent()).toContain('What is item 7?');
    expect(page.url()).toContain('row=7');
    await screenshot(page, 'run-row-drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('compares two runs: metric deltas and the rows that changed most', async () => {
    await open('/');
    await page.getByLabel('select baseline').check();
    await page.getByLabel('select candidate').check();
    await page.getByRole('button', { name: /^Compare/ }).click();
    await page.locator('.compare-table').waitFor();
    expect(decodeURIComponent(page.url())).toContain(`/compare?runs=${runA},${runB}`);
    const [a, b] = [await store.getRun(runA), await store.getRun(runB)];
    const delta = b.metrics['quality/v1/mean']! - a.metrics['quality/v1/mean']!;
    expect(delta).toBeGreaterThan(0);
    const qualityDelta = page.locator('tr[data-metric="quality/v1"] [data-testid="delta"]');
    expect(await qualityDelta.textContent()).toBe(`+${twoDecimals(delta)}`);
    expect(await qualityDelta.getAttribute('class')).toContain('delta-better');
    const pro = b.metrics['professional/v1/ratio']! - a.metrics['professional/v1/ratio']!;
    expect(await text('tr[data-metric="professional/v1"] [data-testid="delta"]')).toBe(`+${(pro * 100).toFixed(1).replace(/\.0$/, '')} pt`);
    // Rows matched by index: row 3 failed in the candidate, rows 7 and 19 recovered; they lead the list.
    const changed = page.locator('.changes-table tbody tr');
    await changed.first().waitFor();
    // professional/v1: every third row went from no to yes.
    await page.locator('select[name="compare-metric"]').selectOption('professional/v1');
    await expect.poll(() => changed.first().getAttribute('data-row-index')).toBe('0');
    expect(await changed.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-index')))).toEqual([
      '0',
      '3',
      '6',
      '9',
      '12',
      '15',
      '18',
      '21',
      '24',
      '27',
    ]);
    await page.locator('select[name="compare-metric"]').selectOption('quality/v1');
    await expect.poll(() => changed.first().getAttribute('data-row-index')).not.toBe('0');
    const firstThree = await changed.evaluateAll((rows) => rows.slice(0, 3).map((r) => r.getAttribute('data-row-index')));
    expect(firstThree.sort()).toEqual(['19', '3', '7']);
    await screenshot(page, 'compare', { fullPage: true });
  });

  it('uploads a CSV, previews it, shows a config error at its field, then evaluates it', async () => {
    const csv = ['question,answer', ...Array.from({ length: 25 }, (_, i) => `"Upload question ${i}?",answer ${i}`)].join('\n');
    const file = join(dir, 'upload.csv');
    writeFileSync(file, csv);
    await open('/datasets');
    await page.locator('input[type="file"]').setInputFiles(file);
    expect(await page.locator('input[name="name"]').inputValue()).toBe('upload');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('.preview-table').waitFor();
    expect(page.url()).toMatch(/\/datasets\/[^/]+$/);
    expect(await page.locator('.preview-table tbody tr').count()).toBe(20);
    expect(await text('.preview-table tbody tr:first-child td:nth-child(2)')).toBe('Upload question 0?');
    expect(await page.locator('.preview-table thead th').allTextContents()).toEqual(['#', 'question', 'answer']);
    await screenshot(page, 'dataset', { fullPage: true });

    // A rubric judge without a grading prompt: the 400 names the field and the form marks it.
    await page.locator('input[name="judge_model"]').fill('openai:/gpt-test');
    await page.locator('textarea[name="definition"]').fill('Whether the answer answers the question.');
    await page.locator('textarea[name="grading_prompt"]').fill('');
    await page.getByRole('button', { name: /^Evaluate/ }).click();
    const bad = page.locator('.control.has-error textarea[name="grading_prompt"]');
    await bad.waitFor();
    expect(await text('.evaluate-form .error-box')).toContain('config.metrics[0].grading_prompt');
    await screenshot(page, 'dataset-config-error', { fullPage: true });

    // Judge calls wait for the test's signal, so the run is seen running first.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    llm.setHandler(async (req) => {
      await gate;
      return baseline(req);
    });
    await page.locator('textarea[name="grading_prompt"]').fill('Score from 1-5, where 5 answers the question.');
    await page.getByRole('button', { name: /^Evaluate/ }).click();
    await page.waitForURL(/\/runs\/[0-9a-f]+/);
    const running = page.locator('.run-page[data-status="running"]');
    await running.waitFor();
    const runId = (await running.getAttribute('data-run-id'))!;
    await page.locator('.job-progress [role="progressbar"]').first().waitFor();
    expect(await page.locator('.job-progress').textContent()).toContain('0 / 25');
    expect(await page.getByRole('button', { name: 'Stop' }).isVisible()).toBe(true);
    await screenshot(page, 'run-running');
    await open('/');
    const listed = page.locator(`tr[data-run-id="${runId}"]`);
    await listed.locator('[data-status="running"]').waitFor();
    expect(await listed.locator('[role="progressbar"]').count()).toBe(1);
    await screenshot(page, 'runs-running');
    release();
    // The list polls while a run is running: it turns finished by itself.
    await listed.locator('[data-status="finished"]').waitFor({ timeout: 20_000 });
    await listed.locator('.run-link').click();
    const run = page.locator('.run-page[data-status="finished"]');
    await run.waitFor();
    const stored = await store.getRun(runId);
    expect(stored.row_count).toBe(25);
    expect(
      Number(await page.locator('[data-testid="metric-quality/v1"] [data-testid="metric-value"]').getAttribute('data-value')),
    ).toBeCloseTo(stored.metrics['quality/v1/mean']!, 12);
    await expect.poll(() => text('[data-testid="rows-total"]')).toBe('25 rows');
    await screenshot(page, 'run-from-upload');
    await open('/datasets');
    await page.locator('.datasets-table').waitFor();
    await screenshot(page, 'datasets');
  });

  it('shows each judge with its rubric, few-shot examples and versions', async () => {
    await open('/judges');
    const card = page.locator('[data-judge="quality"]');
    await card.waitFor();
    // The upload's quality judge is another definition under the same name and version: two tabs, the newest shown.
    expect(await card.locator('.version-tab').count()).toBe(2);
    expect(await card.textContent()).toContain('Whether the answer answers the question.');
    await card.locator('.version-tab').first().click();
    expect(await card.textContent()).toContain('Assesses how correct and complete the answer is.');
    expect(await card.locator('.examples-table tbody tr').count()).toBe(1);
    expect(await card.locator('.examples-table').textContent()).toContain('Correct and complete.');
    expect(await page.locator('[data-judge="professional"]').textContent()).toContain('professional tone');
    await screenshot(page, 'judges', { fullPage: true });
  });

  it('asks for an API token on a 401 and sends it as a bearer token', async () => {
    const { token } = await repositories(store).tokens.create('ui-test');
    const secured = await startServer({ store, host: '127.0.0.1', port: 0, auth: true, webDir: ensureWebBuilt() });
    try {
      const { page: authPage } = await newPage(browser);
      await authPage.goto(secured.url);
      const dialog = authPage.getByRole('form', { name: 'API token' });
      await dialog.waitFor();
      await screenshot(authPage, 'token-dialog');
      await authPage.locator('input[name="token"]').fill(token);
      await authPage.getByRole('button', { name: 'Save token' }).click();
      await authPage.locator(`tr[data-run-id="${runA}"]`).waitFor();
      expect(await authPage.evaluate('localStorage.getItem("juror.token")')).toBe(token);
      await authPage.context().close();
    } finally {
      await secured.close();
    }
  });

  it("draws a gauge with the run's served range and direction: a lower-is-better yes/no judge at 90% yes is poor, its interval the engine's", async () => {
    const rambling = makeGenaiMetricFromPrompt({
      name: 'rambling',
      judgePrompt: "Does the response '{response}' ramble?",
      output: { type: 'yes_no', threshold: 3 },
      greaterIsBetter: false,
    });
    // Yes (4) on every row but every tenth: ratio 0.9, which reads as good were higher better.
    llm.setHandler((req) => verdict(rowOf(req) % 10 === 0 ? 1 : 4, 'rambles'));
    const { runId } = await evaluate(options({ metrics: [rambling], experiment: 'tone', runName: 'rambling' }));
    llm.setHandler(baseline);
    const served = (await store.getRun(runId)).metric_info;
    const info = JSON.parse(served!) as Array<{ key: string; direction: string; ci: { low: number; high: number } }>;
    expect(info[0]).toMatchObject({ key: 'rambling/v1', direction: 'lower' });

    await open(`/runs/${runId}`);
    const card = page.locator('[data-testid="metric-rambling/v1"]');
    const value = card.locator('[data-testid="metric-value"]');
    await value.waitFor();
    expect(await value.textContent()).toBe('90%');
    expect(await value.getAttribute('class')).toContain('tone-poor');
    expect(await card.textContent()).toContain('lower is better');
    const percent = (v: number) => `${(v * 100).toFixed(1).replace(/\.0+$/, '')}%`;
    expect(await card.textContent()).toContain(`95% CI ${percent(info[0]!.ci.low)} – ${percent(info[0]!.ci.high)}`);
    // The gauge runs 0%–100% and its arc is coloured poor.
    const gauge = card.locator('svg.gauge');
    expect(await gauge.locator('.gauge-tick').allTextContents()).toEqual(['0%', '100%']);
    expect(await gauge.locator('.gauge-value').getAttribute('stroke')).toBe('var(--poor)');

    // The page draws what the run serves, not what it could infer: served as higher-is-better, the same 90% is good.
    await store.db
      .updateTable('runs')
      .set({ metric_info: JSON.stringify([{ ...info[0], direction: 'higher' }]) })
      .where('id', '=', runId)
      .execute();
    await open(`/runs/${runId}`);
    await value.waitFor();
    expect(await value.getAttribute('class')).toContain('tone-good');
    expect(await card.textContent()).toContain('higher is better');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
