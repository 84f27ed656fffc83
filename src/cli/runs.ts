/** `juror runs list`, `juror runs show <id>`, and `juror cache stats|clear`: reading the store. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { InputError } from '../errors.js';
import type { RunStatus } from '../store/schema.js';
import { defaultStoreLocation, Store, type StoreLocation } from '../store/store.js';
import { formatDate, formatNumber } from './format.js';
import { EXIT, reportError } from './exit.js';

const STATUSES: RunStatus[] = ['running', 'finished', 'failed', 'interrupted'];

/** The flags of `juror runs list`. */
export interface RunsListFlags {
  experiment?: string;
  status?: string;
  limit: string;
  json?: boolean;
  db?: string;
}
/** The flags of `juror cache stats|clear`. */
export interface CacheFlags {
  db?: string;
  json?: boolean;
  model?: string;
}
/** The flags of `juror runs show`. */
export interface RunsShowFlags {
  rows: string;
  json?: boolean;
  db?: string;
}

/** Opens the store of `--db`, or the default one; an absent SQLite file is an error, not a new store. */
export async function openExisting(db: string | undefined): Promise<Store> {
  const location: StoreLocation = db ? { path: db } : defaultStoreLocation();
  if (location.path && !existsSync(resolve(location.path))) {
    throw new InputError(`no store at ${resolve(location.path)}`, {
      hint: 'run `juror eval <config>` first, or point --db / JUROR_DB at an existing store',
    });
  }
  return Store.open(location);
}

/** Opens the store of `--db`, runs `fn` with it, closes it, and turns errors into exit codes. */
async function withStore(db: string | undefined, fn: (store: Store) => Promise<number>): Promise<number> {
  try {
    const store = await openExisting(db);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

/** Prints the cache's entries per model. */
export function cacheStatsCommand(flags: CacheFlags): Promise<number> {
  return withStore(flags.db, async (store) => {
    const stats = await store.cacheStats();
    if (flags.json) {
      process.stdout.write(JSON.stringify(stats) + '\n');
      return EXIT.ok;
    }
    const table = new Table({ head: ['model', 'answers', 'size'], style: { head: [], border: [] } });
    for (const s of stats) table.push([s.model, String(s.entries), `${(s.bytes / 1024).toFixed(1)} KiB`]);
    process.stdout.write(stats.length ? table.toString() + '\n' : `the cache in ${store.where} is empty\n`);
    return EXIT.ok;
  });
}

/** Empties the cache. */
export function cacheClearCommand(flags: CacheFlags): Promise<number> {
  return withStore(flags.db, async (store) => {
    const removed = await store.cacheClear(flags.model);
    process.stdout.write(`removed ${removed} cached answers${flags.model ? ` of ${flags.model}` : ''} from ${store.where}\n`);
    return EXIT.ok;
  });
}

/** Prints runs, newest first, with up to three headline metrics each. */
export async function runsListCommand(flags: RunsListFlags): Promise<number> {
  try {
    if (flags.status && !STATUSES.includes(flags.status as RunStatus)) {
      throw new InputError(`unknown status '${flags.status}'`, { where: { field: '--status' }, hint: `use one of ${STATUSES.join(', ')}` });
    }
    const store = await openExisting(flags.db);
    try {
      const runs = await store.listRuns({
        ...(flags.experiment ? { experiment: flags.experiment } : {}),
        ...(flags.status ? { status: flags.status as RunStatus } : {}),
        limit: count(flags.limit, '--limit', 1),
      });
      if (flags.json) {
        process.stdout.write(
          JSON.stringify(
            runs.map((r) => ({
              id: r.id,
              experiment: r.experiment,
              name: r.name,
              status: r.status,
              started_at: r.started_at,
              rows: r.row_count,
              errors: r.error_count,
              cost_usd: r.cost_usd,
              metrics: r.metrics,
            })),
          ) + '\n',
        );
        return EXIT.ok;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs in ${store.where}\n`);
        return EXIT.ok;
      }
      const table = new Table({
        head: ['id', 'experiment', 'name', 'status', 'date', 'rows', 'headline metrics'],
        style: { head: [], border: [] },
      });
      for (const run of runs) {
        table.push([
          run.id.slice(0, 12),
          run.experiment,
          run.name,
          run.status,
          formatDate(run.started_at),
          `${run.rows_done}/${run.row_count}`,
          headline(run.metrics),
        ]);
      }
      process.stdout.write(table.toString() + '\n');
      return EXIT.ok;
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

/** Prints a run's metrics, per-metric counts and first rows. */
export async function runsShowCommand(idOrPrefix: string, flags: RunsShowFlags): Promise<number> {
  try {
    const store = await openExisting(flags.db);
    try {
      const run = await store.getRun(await store.findRunId(idOrPrefix));
      const limit = count(flags.rows, '--rows', 0);
      const rows = await store.rows(run.id, { limit });
      const results = rows.length ? await store.results(run.id, { from: rows[0]!.row_index, to: rows[rows.length - 1]!.row_index }) : [];
      if (flags.json) {
        process.stdout.write(
          JSON.stringify({
            ...run,
            config: JSON.parse(run.config) as unknown,
            dataset: JSON.parse(run.dataset) as unknown,
            rows: rows.map((row) => ({
              row_index: row.row_index,
              record: JSON.parse(row.record) as unknown,
              outputs: row.outputs,
              model_error: row.model_error,
              results: results.filter((r) => r.row_index === row.row_index).map(({ run_id: _run, row_index: _row, ...rest }) => rest),
            })),
          }) + '\n',
        );
        return EXIT.ok;
      }
      const lines = [
        `run ${run.id} (${run.name}) in experiment '${run.experiment}'`,
        `status ${run.status}, started ${formatDate(run.started_at)}, finished ${formatDate(run.finished_at) || '—'}, rows ${run.rows_done}/${run.row_count}, errors ${run.error_count}, tokens ${run.input_tokens + run.output_tokens}, $${run.cost_usd.toFixed(4)}`,
      ];
      if (run.error) lines.push(`error: ${run.error}`);
      const metrics = new Table({ head: ['metric', 'value'], style: { head: [], border: [] } });
      for (const [key, value] of Object.entries(run.metrics)) metrics.push([key, formatNumber(value)]);
      const counts = new Table({ head: ['metric', 'rows scored', 'errors', 'tokens', 'cost'], style: { head: [], border: [] } });
      for (const m of run.perMetric)
        counts.push([
          m.metric,
          String(m.rows_scored),
          String(m.error_count),
          String(m.input_tokens + m.output_tokens),
          `$${m.cost_usd.toFixed(4)}`,
        ]);
      lines.push(metrics.toString(), counts.toString());
      for (const row of rows) {
        lines.push(`\nrow ${row.row_index}: ${truncate(row.record, 160)}`);
        if (row.outputs !== null) lines.push(`  outputs: ${truncate(row.outputs, 160)}`);
        if (row.model_error) lines.push(`  model error: ${row.model_error}`);
        for (const r of results.filter((x) => x.row_index === row.row_index)) {
          lines.push(
            r.error
              ? `  ${r.metric}: ERROR ${r.error}${r.raw ? ` — raw answer: ${truncate(r.raw, 120)}` : ''}`
              : `  ${r.metric}: ${formatNumber(r.value ?? NaN)}${r.label ? ` (${r.label})` : ''}${r.justification ? ` — ${truncate(r.justification, 140)}` : ''}`,
          );
        }
      }
      process.stdout.write(lines.join('\n') + '\n');
      return EXIT.ok;
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

/** The flags of `juror runs compare`. */
export interface RunsCompareFlags {
  json?: boolean;
  db?: string;
  seed: string;
  resamples: string;
}

/** Compares two runs of one dataset metric by metric: paired difference, interval, test and verdict. */
export function runsCompareCommand(runA: string, runB: string, flags: RunsCompareFlags): Promise<number> {
  return withStore(flags.db, async (store) => {
    const { compareRuns } = await import('../compare/runs.js');
    const report = await compareRuns(store, await store.findRunId(runA), await store.findRunId(runB), {
      seed: count(flags.seed, '--seed', 0),
      resamples: count(flags.resamples, '--resamples', 1),
    });
    if (flags.json) {
      process.stdout.write(JSON.stringify(report) + '\n');
      return EXIT.ok;
    }
    const table = new Table({
      head: ['metric', 'pairs', 'mean A', 'mean B', 'B − A [95% CI]', 'test', 'p', 'verdict'],
      style: { head: [], border: [] },
    });
    const num = (value: number | null) => (value === null ? '—' : formatNumber(value));
    for (const m of report.metrics) {
      table.push([
        m.metric,
        String(m.n),
        num(m.mean_a),
        num(m.mean_b),
        m.difference === null ? '—' : `${formatNumber(m.difference)} [${m.interval!.map(formatNumber).join(', ')}]`,
        m.method ? `${m.test} (${m.method})` : m.test,
        m.p === null ? '—' : m.p < 0.0001 ? m.p.toExponential(2) : formatNumber(m.p),
        m.verdict,
      ]);
    }
    const lines = [
      `A: ${report.a.id} (${report.a.name})  B: ${report.b.id} (${report.b.name})  dataset ${report.dataset.name ?? report.dataset.hash}`,
      report.metrics.length ? table.toString() : 'the runs share no metric',
      `verdicts: p < ${report.alpha} in the paired test (McNemar for 1/0 and yes/no, Wilcoxon signed-rank otherwise); intervals: paired bootstrap, ${report.resamples} resamples, seed ${report.seed}`,
    ];
    if (report.only_in_a.length) lines.push(`only in A: ${report.only_in_a.join(', ')}`);
    if (report.only_in_b.length) lines.push(`only in B: ${report.only_in_b.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT.ok;
  });
}

/** A whole-number flag, at least `min`; anything else is an input error naming the flag. */
function count(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new InputError(`${flag} ${text} is not a whole number of at least ${min}`, { where: { field: flag }, hint: `e.g. ${flag} 20` });
  }
  return value;
}

function headline(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .filter(([key]) => key.endsWith('/mean') || key.endsWith('/ratio'))
    .slice(0, 3)
    .map(([key, value]) => `${key}=${formatNumber(value)}`)
    .join('  ');
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
