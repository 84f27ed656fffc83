/**
 * The LLM Judge++ review page in a real Chromium against the real `juror serve` and the scripted
 * LLM server: a label job started from the dataset page labels a sample; the person adds the rows
 * the judge is least sure of, flips two labels (one with a justification of their own), reviews
 * all of them together, submits, and sees the job complete — with the flips stored as human
 * labels, sent as few-shot examples in the full job's prompts, and the judge versions side by
 * side with their agreement on the Judges page.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JurorServer } from '../../src/server/app.js';
import type { JudgeAgreementHistory, LabelJob } from '../../src/server/schemas/label-jobs.js';
import { startLlmServer, verdict, type ChatRequest, type LlmServer } from '../fixtures/llm-server.js';
import { block } from '../support/prompts.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

const ROWS = 24;
const SAMPLE = 8;
const MODEL = 'openai:/gpt-test';

/** The judge's steady label of a row: 0 every third row, else 1. */
const judged = (row: number) => (row % 3 === 0 ? 0 : 1);

/** The row a judge request is about, from the answer block of its user message. */
function rowOf(req: ChatRequest): number {
  return Number(/^answer (\d+)$/.exec(block(req.lastUser, 'answer') ?? '')?.[1] ?? -1);
}

describe.skipIf(!HAS_CHROMIUM)('label review page in Chromium', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let datasetId: string;
  /** The row whose samples at temperature 1 disagree. */
  let unsure = -1;
  const samplesOf = new Map<number, number>();

  beforeAll(async () => {
    const dir = tempDir('juror-review-');
    llm = await startLlmServer();
    llm.setHandler((req) => {
      const row = rowOf(req);
      if (row === unsure && req.body.temperature === 1) {
        const n = (samplesOf.get(row) ?? 0) + 1;
        samplesOf.set(row, n);
        return verdict(n === 2 ? 1 - judged(row) : judged(row), `sample ${n} of row ${row}`);
      }
      return verdict(judged(row), `row ${row} judged`);
    });
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
    const csv = ['question,answer', ...Array.from({ length: ROWS }, (_, i) => `"Question ${i}?",answer ${i}`)].join('\n');
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'qa.csv');
    const upload = await fetch(`${juror.url}/api/datasets`, { method: 'POST', body: form });
    expect(upload.status).toBe(201);
    datasetId = ((await upload.json()) as { id: string }).id;
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  const api = async (path: string) => (await (await fetch(`${juror.url}/api${path}`)).json()) as LabelJob;

  it('flips two labels, submits, and sees the job complete with the flips as few-shot examples', async () => {
    // Start the job from the dataset page.
    await page.goto(`${juror.url}/datasets/${datasetId}`);
    const form = page.getByRole('form', { name: 'label this dataset' });
    await form.waitFor();
    await form.locator('textarea[name="criterion"]').fill('Is the answer ');
    await form.getByRole('button', { name: '{answer}' }).click();
    await form.locator('textarea[name="criterion"]').press('End');
    await form.locator('textarea[name="criterion"]').pressSequentially(' right for {question}? 1 if it is, else 0.');
    await form.locator('input[name="label_model"]').fill(MODEL);
    await form.locator('input[name="sample_size"]').fill(String(SAMPLE));
    await form.locator('input[name="label_name"]').fill('qa_right');
    await form.getByRole('button', { name: `Label ${SAMPLE} rows for review` }).click();
    await page.waitForURL(/\/label-jobs\/[0-9a-f]+$/);
    const inReview = page.locator('.label-job-page[data-status="awaiting_review"]');
    await inReview.waitFor({ timeout: 20_000 });
    const jobId = (await inReview.getAttribute('data-job-id'))!;
    const job = await api(`/label-jobs/${jobId}`);
    expect(job.criterion.prompt).toBe('Is the answer {answer} right for {question}? 1 if it is, else 0.');
    const sample: number[] = job.sample;
    expect(sample).toHaveLength(SAMPLE);
    expect(llm.requests).toHaveLength(SAMPLE);

    // The first page: four rows, each with its columns and the judge's label and justification.
    const cards = page.locator('article.review-item');
    expect(await cards.count()).toBe(4);
    const first = cards.first();
    const firstRow = Number(await first.getAttribute('data-row'));
    expect(firstRow).toBe(sample[0]);
    expect(await first.textContent()).toContain(`answer ${firstRow}`);
    expect(await first.textContent()).toContain(`Question ${firstRow}?`);
    expect(await first.locator('.judge-justification').textContent()).toBe(`row ${firstRow} judged`);
    await screenshot(page, 'review-page', { fullPage: true });

    // Where a human's time goes next: the rows whose samples disagree join the review, with why.
    unsure = Array.from({ length: ROWS }, (_, i) => i).find((i) => !sample.includes(i))!;
    await page.getByRole('button', { name: 'Find rows the judge is least sure of' }).click();
    await expect.poll(() => page.locator('.uncertain-finder [role="status"]').textContent()).toContain('1 rows added');
    await expect.poll(() => page.locator('.review-steps .step:not(.final)').count()).toBe(3);

    // Flip the first row of page 1; on page 2 flip its first row and say why.
    await first.locator('button[data-choice="flip"]').click();
    expect(await first.locator('[data-verdict]').textContent()).toBe('changed');
    await page.getByRole('button', { name: 'Next' }).click();
    const second = cards.first();
    const secondRow = Number(await second.getAttribute('data-row'));
    expect(secondRow).toBe(sample[4]);
    await second.locator('button[data-choice="flip"]').click();
    await second.getByLabel(`justification of row ${secondRow}`).fill(`Reviewer: row ${secondRow} is the other way round`);
    await page.getByRole('button', { name: 'Next' }).click();
    const unsureCard = page.locator(`article.review-item[data-row="${unsure}"]`);
    expect(await unsureCard.locator('.badge.unsure').textContent()).toBe(
      `judge unsure: 2 of 3 samples said ${judged(unsure)}, 1 said ${1 - judged(unsure)}`,
    );

    // Review and submit: every row together, the two flips marked.
    await page.getByRole('button', { name: 'Review and submit' }).last().click();
    const summary = page.getByRole('table', { name: 'review and submit' });
    await summary.waitFor();
    expect(await summary.locator('tbody tr').count()).toBe(SAMPLE + 1);
    expect(await summary.locator('[data-verdict="changed"]').count()).toBe(2);
    expect(await page.locator('.review-counts').textContent()).toBe(`${SAMPLE - 1} kept · 2 changed · 0 skipped`);
    await screenshot(page, 'review-submit', { fullPage: true });
    llm.reset();
    await page.getByRole('button', { name: `Submit ${SAMPLE + 1} labels and label every row` }).click();

    // The job completes by itself (the page polls), and shows the labels, agreement and downloads.
    await page.locator('.label-job-page[data-status="completed"]').waitFor({ timeout: 30_000 });
    await page.getByRole('table', { name: 'agreement by judge version' }).waitFor();
    expect(await page.locator('.labels-table tbody tr').count()).toBe(ROWS);
    expect(await page.locator(`.labels-table tr[data-row="${firstRow}"] td:nth-child(3)`).textContent()).toBe('human');
    expect(await page.locator(`.labels-table tr[data-row="${firstRow}"] td:nth-child(2)`).textContent()).toBe(String(1 - judged(firstRow)));
    await screenshot(page, 'label-job-completed', { fullPage: true });

    // The store has the person's labels; the full job's prompts carry them as few-shot examples.
    const done = await api(`/label-jobs/${jobId}?limit=100`);
    const byRow = new Map(done.labels.map((l) => [l.row, l]));
    expect(byRow.get(firstRow)).toMatchObject({ label: 1 - judged(firstRow), source: 'human' });
    expect(byRow.get(secondRow)).toMatchObject({
      label: 1 - judged(secondRow),
      source: 'human',
      justification: `Reviewer: row ${secondRow} is the other way round`,
    });
    expect(byRow.get(unsure)).toMatchObject({ label: judged(unsure), source: 'human' });
    for (const row of sample.filter((r) => r !== firstRow && r !== secondRow))
      expect(byRow.get(row)).toMatchObject({ label: judged(row), source: 'human' });
    expect(done.versions.map((v) => v.version)).toEqual(['v1', 'v2']);
    expect(llm.requests).toHaveLength(ROWS - SAMPLE - 1);
    for (const req of llm.requests) expect(req.text).toContain(`Reviewer: row ${secondRow} is the other way round`);

    // v1's agreement on the reviewed rows it labelled: the 8 sample rows, 6 of them agreeing.
    const v1 = page.locator('.agreement-table [data-stat="accuracy"] td').first();
    expect(await v1.textContent()).toMatch(/^0\.75/);
  });

  it('shows the judge versions side by side with their agreement', async () => {
    await page.goto(`${juror.url}/judges`);
    const card = page.locator('[data-judge="qa_right"]');
    await card.waitFor();
    const table = card.getByRole('table', { name: 'agreement of qa_right by version' });
    await table.waitFor();
    expect(await table.locator('thead th[data-version]').allTextContents()).toEqual([
      expect.stringMatching(/^v1/),
      expect.stringMatching(/^v2/),
    ]);
    const compared = await table.locator('tbody tr', { hasText: 'Rows compared' }).locator('td').allTextContents();
    expect(compared).toEqual(['8', '0']);
    const examples = await table.locator('tbody tr', { hasText: 'Few-shot examples' }).locator('td').allTextContents();
    expect(examples).toEqual(['0', String(SAMPLE + 1)]);
    expect(await table.locator('[data-stat="accuracy"] td').first().textContent()).toMatch(/^0\.75/);
    // One check so far: v1's point on the chart of Cohen's κ over time.
    const chart = card.getByTestId('agreement-chart-qa_right');
    await chart.locator('.recharts-line-dots circle').first().waitFor();
    expect(await chart.locator('.recharts-line-dots circle').count()).toBe(1);
    expect(await chart.getByLabel('statistic over time').inputValue()).toBe('cohen_kappa');

    // Re-check v1 against the label job's human labels: a second point, on the 9 reviewed rows.
    const check = card.getByRole('form', { name: 'check qa_right against human labels' });
    await check.locator('select[name="check_version"]').selectOption('v1');
    await check.getByRole('button', { name: 'Check v1' }).click();
    await expect.poll(() => check.locator('.check-status').textContent(), { timeout: 20_000 }).toBe('Checked on 9 rows');
    await expect.poll(() => chart.locator('.recharts-line-dots circle').count()).toBe(2);
    const history = (await (await fetch(`${juror.url}/api/judges/qa_right/agreement`)).json()) as JudgeAgreementHistory;
    const latest = history.series.find((s) => s.version === 'v1')!.points.at(-1)!;
    expect(latest.n).toBe(SAMPLE + 1);
    expect(latest.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(latest.statistics.accuracy).toBeCloseTo(7 / 9, 12);
    await screenshot(page, 'judges-agreement', { fullPage: true });
  });

  it('re-labels the sample with a revised criterion and a correction, as a new judge version, back in review', async () => {
    const started = await fetch(`${juror.url}/api/label-jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset_id: datasetId,
        prompt: 'Is {answer} right for {question}? 1 or 0.',
        model: MODEL,
        sample_size: 4,
        seed: 3,
        review: true,
      }),
    });
    const { job_id: jobId } = (await started.json()) as { job_id: string };
    await page.goto(`${juror.url}/label-jobs/${jobId}`);
    await page.locator('.label-job-page[data-status="awaiting_review"]').waitFor({ timeout: 20_000 });
    const first = page.locator('article.review-item').first();
    const row = Number(await first.getAttribute('data-row'));
    await first.locator('button[data-choice="flip"]').click();

    llm.reset();
    await page.getByText('Revise the criterion and re-label the sample').click();
    await page.locator('textarea[name="revised_prompt"]').fill('Is {answer} right for {question}? 1 or 0. Be strict.');
    expect(await page.locator('.resample').textContent()).toContain('with your 1 changed labels as few-shot examples');
    await page.getByRole('button', { name: 'Re-label the sample' }).click();
    await expect.poll(() => page.locator('.criterion').textContent(), { timeout: 20_000 }).toContain('v1 → v2');
    await page.locator('.label-job-page[data-status="awaiting_review"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('.criterion-prompt').textContent()).toBe('Is {answer} right for {question}? 1 or 0. Be strict.');
    expect(llm.requests).toHaveLength(4);
    for (const req of llm.requests) expect(req.lastUser + req.text).toContain('Be strict.');
    // The corrected row starts from the person's label, against v2's.
    const corrected = page.locator(`article.review-item[data-row="${row}"]`);
    expect(await corrected.locator('[data-verdict]').textContent()).toBe('changed');
    expect(await corrected.locator('.field-name', { hasText: 'Judge v2 says' }).count()).toBe(1);
    await screenshot(page, 'review-resampled', { fullPage: true });
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
