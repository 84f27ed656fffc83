/**
 * A jury's verdicts in the row drawer, in a real Chromium against `juror serve`: each model's
 * verdict and justification as stored, and the row's spread; a logprob judge's distribution.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, makeGenaiMetricFromPrompt } from '../../src/index.js';
import type { JurorServer } from '../../src/server/app.js';
import { byModel, startLlmServer, verdict, verdictWithLogprobs, type LlmServer } from '../fixtures/llm-server.js';
import { HAS_CHROMIUM, launchBrowser, newPage, screenshot, startJuror, tempDir } from './fixture.js';

describe.skipIf(!HAS_CHROMIUM)('jury verdicts in the row drawer', () => {
  let llm: LlmServer;
  let juror: JurorServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let runId: string;

  beforeAll(async () => {
    const dir = tempDir('juror-ui-jury-');
    llm = await startLlmServer();
    llm.setHandler(
      byModel({
        'judge-a': () => verdict(1, 'It answers the question.'),
        'judge-b': () => verdict(0, 'It misses the point.'),
        'judge-c': () => verdict(1, 'Correct.'),
        'gpt-test': () => verdictWithLogprobs({ '4': 0.6, '5': 0.4 }, 'Fluent.'),
      }),
    );
    const correct = makeGenaiMetricFromPrompt({
      name: 'correct',
      judgePrompt: 'Is this correct? {response}',
      output: { type: 'binary' },
      models: ['openai:/judge-a', 'openai:/judge-b', 'openai:/judge-c'],
    });
    const fluent = makeGenaiMetricFromPrompt({ name: 'fluent', judgePrompt: 'How fluent is {response}?', scoring: 'logprobs' });
    runId = (
      await evaluate({
        data: [{ response: 'Paris.' }],
        metrics: [correct, fluent],
        judgeModel: 'openai:/gpt-test',
        env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' },
        store: { path: join(dir, 'juror.db') },
      })
    ).runId;
    juror = await startJuror({ dbPath: join(dir, 'juror.db'), env: {} });
    browser = await launchBrowser();
    ({ page, pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await juror?.close();
    await llm?.close();
  });

  it("shows each model's verdict with its justification, the spread, and a logprob score's distribution", async () => {
    await page.goto(`${juror.url}/runs/${runId}`);
    await page.locator('.rows-row[data-row-index="0"]').click();
    const drawer = page.getByRole('dialog', { name: 'row details' });
    const jury = drawer.locator('[data-testid="result-correct/v1"] [data-testid="panel"]');
    await jury.waitFor();
    expect(await jury.locator('summary').textContent()).toBe('Jury verdicts · 33.3% of the verdicts differ from the majority');
    const verdicts = await jury
      .locator('[data-testid="panel-verdict"]')
      .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(verdicts).toEqual([
      ['openai:/judge-a', '1', 'It answers the question.'],
      ['openai:/judge-b', '0', 'It misses the point.'],
      ['openai:/judge-c', '1', 'Correct.'],
    ]);
    const fluent = drawer.locator('[data-testid="result-fluent/v1"] [data-testid="panel"]');
    expect(await fluent.locator('summary').textContent()).toBe('Score distribution · standard deviation 0.49');
    expect(await fluent.locator('[data-testid="panel-verdict"] td').nth(2).textContent()).toBe('Fluent.P(4) = 0.6 · P(5) = 0.4');
    await screenshot(page, 'row-drawer-jury');
    await page.keyboard.press('Escape');
    // α is a coefficient, not a share: one row (1, 0, 1) has α = 1 − 2·2/(2·1·2) = 0.
    const card = page.locator('[data-testid="metric-correct/v1"]');
    expect(await card.textContent()).toContain('jury_alpha0');
    expect(await card.textContent()).toContain('jury_disagreement100%');
    expect(pageErrors).toEqual([]);
  });
});
