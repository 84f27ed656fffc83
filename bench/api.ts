/**
 * `npx tsx bench/api.ts [rows]`: the results API on a large run. Writes a run of 100,000 rows
 * (two metrics: a 1–5 judge with 1% error rows, and exact_match) straight into a fresh SQLite
 * store with Store.writeBatch (no LLM), serves it in-process, and times results pages over HTTP:
 * the median of 20 requests each, the first (uncached counts) reported apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGenaiMetric } from '../src/judges/definition.js';
import { judgeSystemPrompt } from '../src/judges/prompt.js';
import { startServer } from '../src/server/app.js';
import { Store, type ResultRecord, type RowRecord } from '../src/store/store.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const REPEATS = 20;
const TARGET_MS = 50;

const dir = mkdtempSync(join(tmpdir(), 'juror-bench-api-'));
const store = await Store.open({ path: join(dir, 'juror.db') });
try {
  const quality = makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5.' });
  const run = await store.createRun({
    experiment: 'bench',
    config: {},
    dataset: { name: 'bench', hash: 'sha256:0', rowCount: ROWS },
    rowCount: ROWS,
    judges: [{ judge: quality, systemPrompt: judgeSystemPrompt(quality) }],
  });
  const writeStart = performance.now();
  for (let start = 0; start < ROWS; start += 5000) {
    const rows: RowRecord[] = [];
    const results: ResultRecord[] = [];
    for (let i = start; i < Math.min(ROWS, start + 5000); i++) {
      rows.push({
        run_id: run.id,
        row_index: i,
        record: JSON.stringify({ inputs: `question ${i}`, outputs: `answer ${i}`, targets: `answer ${i % 3 ? i : 0}` }),
        outputs: null,
        model_latency_ms: null,
        model_input_tokens: null,
        model_output_tokens: null,
        model_error: null,
      });
      const failed = i % 100 === 0;
      const score = ((i * 7919) % 5) + 1;
      results.push({
        run_id: run.id,
        row_index: i,
        metric: 'quality/v1',
        value: failed ? null : score,
        score: failed ? null : String(score),
        label: null,
        justification: failed
          ? null
          : `The answer to question ${i} is mostly right, with a detail missing; ${'it explains its reasoning. '.repeat(3)}`,
        raw: failed ? 'not json' : JSON.stringify({ justification: 'fine', score }),
        details: null,
        prompt: `Grade the quality of this output.\n\nInput:\nquestion ${i}\n\nOutput:\nanswer ${i}\n`.repeat(4),
        input_tokens: 180,
        output_tokens: 40,
        cost_usd: 0.00005,
        latency_ms: 420,
        error: failed ? 'the judge answered 9, not an integer from 1 to 5' : null,
      });
      results.push({
        run_id: run.id,
        row_index: i,
        metric: 'exact_match/v1',
        value: i % 3 ? 0 : 1,
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
    }
    await store.writeBatch(rows, results);
  }
  await store.writeSummary(run.id, {
    metrics: { 'quality/v1/mean': 3 },
    perMetric: [],
    run: { status: 'finished', finished_at: new Date().toISOString(), rows_done: ROWS },
  });
  const writeSeconds = (performance.now() - writeStart) / 1000;
  console.log(
    `wrote ${ROWS.toLocaleString('en')} rows × 2 metrics in ${writeSeconds.toFixed(1)} s (${Math.round(ROWS / writeSeconds).toLocaleString('en')} rows/s, with the 0003 indexes)`,
  );

  const server = await startServer({ store, port: 0, webDir: false });
  try {
    const scenarios: Array<[string, string]> = [
      ['sort=-quality (the target)', `limit=100&sort=-quality/v1`],
      ['sort=quality', `limit=100&sort=quality/v1`],
      ['dataset order', `limit=100`],
      ['dataset order, offset 90,000', `limit=100&offset=90000`],
      ['sort=-quality, offset 50,000', `limit=100&offset=50000&sort=-quality/v1`],
      ['max_score=1', `limit=100&metric=quality/v1&max_score=1`],
      ['errors_only', `limit=100&errors_only=true`],
      ['max_score=2 sorted by exact_match', `limit=100&metric=quality/v1&max_score=2&sort=-exact_match/v1`],
    ];
    console.log(`\nGET /api/runs/:id/results over HTTP, ${REPEATS} requests each (target: median < ${TARGET_MS} ms)`);
    let target = 0;
    for (const [label, query] of scenarios) {
      const times: number[] = [];
      let total = 0;
      let bytes = 0;
      for (let i = 0; i < REPEATS + 1; i++) {
        const started = performance.now();
        const response = await fetch(`${server.url}/api/runs/${run.id}/results?${query}`);
        const text = await response.text();
        times.push(performance.now() - started);
        if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status} ${text}`);
        const body = JSON.parse(text) as { total: number; rows: unknown[] };
        total = body.total;
        bytes = text.length;
      }
      const first = times.shift()!;
      const median = medianOf(times);
      if (label.includes('target')) target = median;
      console.log(
        `  ${label.padEnd(36)} median ${median.toFixed(1).padStart(6)} ms   first ${first.toFixed(1).padStart(6)} ms   total ${String(total).padStart(6)}   ${(bytes / 1024).toFixed(0)} KiB`,
      );
    }
    const rowTimes: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      await (await fetch(`${server.url}/api/runs/${run.id}/results/${(i * 4999) % ROWS}`)).text();
      rowTimes.push(performance.now() - started);
    }
    console.log(`  ${'one row (results/:row)'.padEnd(36)} median ${medianOf(rowTimes).toFixed(1).padStart(6)} ms`);
    // A running run's counts change, so they are not reused: the cost of counting on every page.
    await store.updateRun(run.id, { status: 'running' });
    const live: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      await (await fetch(`${server.url}/api/runs/${run.id}/results?limit=100&sort=-quality/v1`)).text();
      live.push(performance.now() - started);
    }
    await store.updateRun(run.id, { status: 'finished' });
    console.log(
      `  ${'sort=-quality while running'.padEnd(36)} median ${medianOf(live).toFixed(1).padStart(6)} ms   (counted on every request)`,
    );
    console.log(
      `\n${target < TARGET_MS ? 'PASS' : 'FAIL'}  sort=-quality, limit=100 on ${ROWS.toLocaleString('en')} rows: median ${target.toFixed(1)} ms (target < ${TARGET_MS} ms)`,
    );
    if (target >= TARGET_MS) process.exitCode = 1;
  } finally {
    await server.close();
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/** The median of timings (the upper one of an even count). */
function medianOf(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
