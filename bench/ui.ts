/**
 * `npx tsx bench/ui.ts [rows]`: how fast the web UI shows a big run. A run of 100,000 rows (three
 * metrics: a 1–5 rubric judge, a yes/no judge, exact_match; 1% error rows) is written straight
 * into a temp SQLite store with Store.createRun + writeBatch (no LLM), `juror serve` serves it,
 * and Debian's Chromium opens its page. Each figure is the median of several cold loads (a fresh
 * browser context each, so nothing is cached), timed from navigation start to the moment the
 * page shows it. Results also go to bench/results/ui.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { aggregate } from '../src/engine/aggregate.js';
import { judgeSystemPrompt, makeGenaiMetric, makeGenaiMetricFromPrompt, Store } from '../src/index.js';
import { startServer } from '../src/server/app.js';
import { HAS_CHROMIUM, CHROMIUM, ensureWebBuilt, launchBrowser, tempDir } from '../test/browser/fixture.js';

const ROOT = resolve(import.meta.dirname, '..');
const ROWS = Number(process.argv[2] ?? 100_000);
const ITERATIONS = 5;
const BATCH = 2_000;

if (!HAS_CHROMIUM) {
  console.error(`bench/ui.ts needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  process.exit(2);
}

const quality = makeGenaiMetric({
  name: 'quality',
  definition: 'How correct and complete the answer is.',
  gradingPrompt: 'Score from 1-5.',
});
const professional = makeGenaiMetricFromPrompt({
  name: 'professional',
  judgePrompt: "Is '{response}' professional?",
  metricMetadata: { score_threshold: 3 },
});

/** Writes the run: every row, three results per row, the aggregates. */
async function createBigRun(store: Store): Promise<string> {
  const run = await store.createRun({
    experiment: 'bench-ui',
    name: `${ROWS.toLocaleString('en-US')} rows`,
    config: { col_mapping: { inputs: 'question', predictions: 'answer', targets: 'expected' } },
    dataset: { name: 'synthetic', hash: 'sha256:bench', rowCount: ROWS, columns: ['question', 'answer', 'expected'] },
    rowCount: ROWS,
    judges: [quality, professional].map((judge) => ({ judge, systemPrompt: judgeSystemPrompt(judge) })),
  });
  const values: Record<string, number[]> = { 'quality/v1': [], 'professional/v1': [], 'exact_match/v1': [] };
  const errors: Record<string, number> = { 'quality/v1': 0, 'professional/v1': 0, 'exact_match/v1': 0 };
  let errorRows = 0;
  for (let start = 0; start < ROWS; start += BATCH) {
    const rows = [];
    const results = [];
    for (let i = start; i < Math.min(ROWS, start + BATCH); i++) {
      const answer = `The answer to question ${i} is ${(i * 7919) % 1000}.`;
      rows.push({
        run_id: run.id,
        row_index: i,
        record: JSON.stringify({
          question: `What is the value of item ${i}? Explain briefly.`,
          answer,
          expected: i % 5 === 0 ? answer : `expected ${i}`,
        }),
        outputs: null,
      });
      const failed = i % 100 === 42;
      if (failed) errorRows++;
      const q = ((i * 31) % 5) + 1;
      const user = `Judge this answer: ${answer}`;
      results.push(
        failed
          ? {
              run_id: run.id,
              row_index: i,
              metric: 'quality/v1',
              value: null,
              score: null,
              label: null,
              justification: null,
              raw: '{"score":7}',
              details: null,
              prompt: user,
              input_tokens: 180,
              output_tokens: 12,
              cost_usd: 0,
              latency_ms: 400,
              error: 'score 7 is not an integer from 1 to 5',
            }
          : {
              run_id: run.id,
              row_index: i,
              metric: 'quality/v1',
              value: q,
              score: String(q),
              label: null,
              justification: `The answer earns a ${q}: it is ${q >= 4 ? 'correct' : 'incomplete'}.`,
              raw: `{"justification":"…","score":${q}}`,
              details: null,
              prompt: user,
              input_tokens: 180,
              output_tokens: 24,
              cost_usd: 0,
              latency_ms: 350,
              error: null,
            },
      );
      const yes = i % 3 !== 0;
      results.push({
        run_id: run.id,
        row_index: i,
        metric: 'professional/v1',
        value: yes ? 1 : 0,
        score: yes ? '4' : '2',
        label: yes ? 'yes' : 'no',
        justification: yes ? 'Professional.' : 'Too casual.',
        raw: null,
        details: null,
        prompt: user,
        input_tokens: 120,
        output_tokens: 10,
        cost_usd: 0,
        latency_ms: 300,
        error: null,
      });
      results.push({
        run_id: run.id,
        row_index: i,
        metric: 'exact_match/v1',
        value: i % 5 === 0 ? 1 : 0,
        score: null,
        label: null,
        justification: null,
        raw: null,
        details: null,
        prompt: null,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        latency_ms: null,
        error: null,
      });
      if (failed) errors['quality/v1']!++;
      else values['quality/v1']!.push(q);
      values['professional/v1']!.push(yes ? 1 : 0);
      values['exact_match/v1']!.push(i % 5 === 0 ? 1 : 0);
    }
    await store.writeBatch(rows, results);
  }
  const metrics: Record<string, number> = {};
  for (const [metric, list] of Object.entries(values)) {
    const aggregations =
      metric === 'professional/v1' ? (['mean', 'variance', 'p90', 'ratio'] as const) : (['mean', 'variance', 'p90'] as const);
    for (const [aggregation, value] of Object.entries(aggregate(list, [...aggregations]))) metrics[`${metric}/${aggregation}`] = value;
  }
  await store.writeSummary(run.id, {
    metrics,
    perMetric: Object.keys(values).map((metric) => ({
      run_id: run.id,
      metric,
      rows_scored: values[metric]!.length,
      error_count: errors[metric]!,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
    })),
    run: { status: 'finished', finished_at: new Date().toISOString(), rows_done: ROWS, error_count: errorRows },
  });
  return run.id;
}

/**
 * Milliseconds from navigation start until `selector` is in the page (a cold load in a new
 * context), read in the page by a MutationObserver, so Playwright's polling adds nothing.
 */
async function coldLoad(
  browser: Browser,
  url: string,
  selector: string,
  then?: (page: Page) => Promise<number>,
  count = 1,
): Promise<{ ms: number; thenMs?: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(`(() => {
    const check = () => { if (window.__seen === undefined && document.querySelectorAll(${JSON.stringify(selector)}).length >= ${count}) window.__seen = performance.now(); };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  })()`);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction('window.__seen !== undefined', undefined, { timeout: 60_000, polling: 50 });
    const ms = (await page.evaluate('window.__seen')) as number;
    const thenMs = then ? await then(page) : undefined;
    return { ms, ...(thenMs !== undefined ? { thenMs } : {}) };
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dir = tempDir('juror-bench-ui-');
const dbPath = join(dir, 'juror.db');
const store = await Store.open({ path: dbPath });
const t = performance.now();
const runId = await createBigRun(store);
const writeMs = performance.now() - t;
console.log(
  `wrote a ${ROWS.toLocaleString('en-US')}-row run (${(ROWS * 3).toLocaleString('en-US')} results) in ${(writeMs / 1000).toFixed(1)} s`,
);

const server = await startServer({ store, host: '127.0.0.1', port: 0, webDir: ensureWebBuilt() });
const browser = await launchBrowser();
const base = `${server.url}/runs/${runId}`;
const firstRow = '.rows-row[data-row-index]';
const scenarios: Array<{
  name: string;
  url: string;
  selector: string;
  then?: (page: Page) => Promise<number>;
  thenName?: string;
  count?: number;
}> = [
  {
    name: 'run page: first rows shown',
    url: base,
    selector: firstRow,
    thenName: `then scroll to row ~${(ROWS / 2).toLocaleString('en-US')}: rows shown`,
    then: async (page) => {
      // Jump half-way down the list, then time until a row near the middle is in the page.
      const target = Math.floor(ROWS / 2);
      await page.evaluate(`(() => {
        const near = () => [...document.querySelectorAll('.rows-row[data-row-index]')].some((r) => Math.abs(Number(r.getAttribute('data-row-index')) - ${target}) < 200);
        new MutationObserver((_, o) => { if (near()) { window.__scrolled = performance.now() - window.__scrollStart; o.disconnect(); } }).observe(document.body, { childList: true, subtree: true, attributes: true });
        const scroller = document.querySelector('[data-testid="rows-scroller"]');
        window.__scrollStart = performance.now();
        scroller.scrollTop = scroller.scrollHeight / 2;
      })()`);
      await page.waitForFunction('window.__scrolled !== undefined', undefined, { timeout: 60_000, polling: 50 });
      return (await page.evaluate('window.__scrolled')) as number;
    },
  },
  {
    name: 'run page: every metric card with its histogram',
    url: base,
    selector: '[data-testid^="histogram-"] .recharts-bar-rectangle',
    count: 9,
  },
  { name: 'sorted by quality, highest first: first rows', url: `${base}?sort=-quality%2Fv1`, selector: firstRow },
  { name: 'errors only: first rows', url: `${base}?errors=1`, selector: firstRow },
  { name: 'quality ≤ 2: first rows', url: `${base}?metric=quality%2Fv1&max=2`, selector: firstRow },
];

const report: Array<{ scenario: string; median_ms: number; runs_ms: number[] }> = [];
try {
  // One warm-up load: the server's first queries and Chromium's first start are not what a user waits for twice.
  await coldLoad(browser, base, firstRow);
  for (const s of scenarios) {
    const times: number[] = [];
    const thenTimes: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const r = await coldLoad(browser, s.url, s.selector, s.then, s.count);
      times.push(r.ms);
      if (r.thenMs !== undefined) thenTimes.push(r.thenMs);
    }
    report.push({ scenario: s.name, median_ms: Math.round(median(times)), runs_ms: times.map(Math.round) });
    if (thenTimes.length)
      report.push({ scenario: s.thenName!, median_ms: Math.round(median(thenTimes)), runs_ms: thenTimes.map(Math.round) });
  }
} finally {
  await browser.close();
  await server.close();
  await store.close();
  if (process.env.JUROR_BENCH_KEEP) console.log(`store kept at ${dbPath}`);
  else rmSync(dir, { recursive: true, force: true });
}

console.log(`\nweb UI on a ${ROWS.toLocaleString('en-US')}-row run, median of ${ITERATIONS} cold loads (ms from navigation start):`);
for (const r of report) console.log(`  ${r.scenario.padEnd(52)} ${String(r.median_ms).padStart(6)} ms   (${r.runs_ms.join(', ')})`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/ui.json'),
  JSON.stringify(
    { rows: ROWS, iterations: ITERATIONS, write_ms: Math.round(writeMs), results: report, at: new Date().toISOString() },
    null,
    2,
  ),
);
