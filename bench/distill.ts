/**
 * `npm run bench -- distill` (issue #15 §4): training a distilled judge on 10,000 labelled rows
 * with n-gram features (5-fold cross-validation and the final fit, as `juror distill` does), and
 * scoring with it in a run: `evaluate()` over 50,000 rows with `{ metric: distilled }` into a
 * SQLite store (every result written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distillAndStore } from '../src/distill/stored.js';
import { evaluate } from '../src/engine/evaluate.js';
import { builtInMetric } from '../src/metrics/builtin.js';
import { Store } from '../src/store/store.js';
import { generateRows } from '../test/distill/generated.js';

type Line = (name: string, figure: string, target: string, ok: boolean) => void;

/** Runs the scenarios and prints each figure with `line`. */
export async function distillBenchmark(line: Line): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'juror-bench-distill-'));
  const store = await Store.open({ path: join(dir, 'juror.db') });
  try {
    const labelled = generateRows({ rows: 10_000, noise: 0.1, seed: 1 });
    const started = performance.now();
    const stored = await distillAndStore(
      store,
      {
        rows: labelled.map((r) => ({ record: r, label: r.label, llm: r.rule })),
        columns: ['question', 'answer'],
        output: { type: 'binary' },
        source: { bench: true },
      },
      { name: 'bench', folds: 5 },
    );
    const seconds = (performance.now() - started) / 1000;
    const { report } = stored;
    line(
      'distill: train 10,000 rows, n-grams, 5-fold CV',
      `${seconds.toFixed(1)} s (CV accuracy ${(100 * report.accuracy).toFixed(1)}%, ${report.features.used} features)`,
      '< 30 s',
      seconds < 30,
    );
    const bytes = JSON.stringify(stored.definition).length;
    line('distill: stored definition', `${(bytes / 1024).toFixed(0)} KiB of JSON`, 'small', true);

    const rows = generateRows({ rows: 50_000, seed: 2 }).map((r) => ({ question: r.question, answer: r.answer }));
    const metric = () => builtInMetric('distilled', { judge: 'bench', version: stored.version });
    // A first, short run warms the code up.
    await evaluate({ data: rows.slice(0, 2000), metrics: [metric()], store, collectTable: false, env: {} });
    const inference = performance.now();
    const result = await evaluate({ data: rows, metrics: [metric()], store, collectTable: false, env: {} });
    const perSecond = rows.length / ((performance.now() - inference) / 1000);
    line(
      'distill: inference in a run (50,000 rows, stored)',
      `${Math.round(perSecond).toLocaleString('en-US')} rows/s (mean ${result.metrics[`bench/${stored.version}/mean`]?.toFixed(3)})`,
      '>= 5,000 rows/s',
      perSecond >= 5000,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
