/**
 * `juror compare <a> <b> --judge pairwise.yaml` and `POST /api/runs/compare/pairwise`: a pairwise
 * judge reads each row's two outputs — run A's and run B's, rows paired by index as the results
 * table keys them — in both orders (judges/pairwise.ts), and the report gives B's win, loss and tie
 * rates with intervals, the consistency under swap and the first-position preference. The
 * judging is itself a stored run (experiment `pairwise`), so every prompt and answer is kept and
 * the report can be rebuilt from it.
 */
import { Columns, cellText } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';
import type { EvaluateOptions, EvaluationResult } from '../engine/evaluate.js';
import { ConfigError, InputError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import {
  judgePairs,
  storedPairVerdicts,
  summarizePairs,
  type OrderVerdict,
  type PairVerdict,
  type PairwiseSummary,
  type ResponsePair,
} from '../judges/pairwise.js';
import { judgeToConfig } from '../judges/serialize.js';
import type { RunDetails, Store } from '../store/store.js';
import { sameDatasetRuns } from './runs.js';

/** Rows read per query. */
const PAGE = 1000;

/** The two runs' outputs, paired by row. */
export interface RunPairs {
  runA: RunDetails;
  runB: RunDetails;
  pairs: ResponsePair[];
  /** Rows left out: an output missing in either run (the model under test failed). */
  skipped: number;
  /** Run A's column mapping, so that the judge's other variables (`{inputs}`) resolve as in the run. */
  colMapping: Record<string, string>;
}

/** A pair in the report: its verdict in each order and the outcome. */
export interface ReportedPair {
  id: string;
  winner: PairVerdict['winner'];
  consistent: boolean | null;
  a_first: OrderVerdict;
  b_first: OrderVerdict;
}

/** What pairwise judging of two runs found. */
export interface PairwiseComparison {
  a: { id: string; name: string };
  b: { id: string; name: string };
  judge: { name: string; version: string };
  /** The stored run of the judge's calls (experiment `pairwise`). */
  judging_run: string | null;
  skipped: number;
  seed: number;
  summary: PairwiseSummary;
  pairs: ReportedPair[];
}

/** Options of {@link comparePairwise}. */
export interface ComparePairwiseOptions extends Pick<
  EvaluateOptions,
  'judgeModel' | 'env' | 'cache' | 'signal' | 'onProgress' | 'onRunCreated' | 'endpoints' | 'providers' | 'retry' | 'limiter' | 'resume'
> {
  /** Seed of the bootstrap intervals (default 1). */
  seed?: number;
  /** Runs the evaluation (a job passes its own); default `evaluate()`. */
  run?: (options: EvaluateOptions) => Promise<EvaluationResult>;
}

/**
 * Judges run B's outputs against run A's, row by row, with a pairwise judge, keeping the judging
 * run in `store`.
 * @example const report = await comparePairwise(store, a, b, judge, { judgeModel: 'openai:/gpt-4o' }); report.summary.wins.value
 */
export async function comparePairwise(
  store: Store,
  idA: string,
  idB: string,
  judge: Judge,
  options: ComparePairwiseOptions = {},
): Promise<PairwiseComparison> {
  requirePairwise(judge);
  const loaded = await loadRunPairs(store, idA, idB);
  const { seed = 1, run, ...evaluation } = options;
  const judged = await judgePairs(judge, loaded.pairs, {
    ...evaluation,
    ...(run ? { run } : {}),
    store,
    colMapping: loaded.colMapping,
    experiment: 'pairwise',
    runName: `pairwise-${judge.name}-${loaded.runA.id.slice(0, 8)}-${loaded.runB.id.slice(0, 8)}`,
    config: {
      command: 'compare',
      run_a: loaded.runA.id,
      run_b: loaded.runB.id,
      judge: judgeToConfig(judge),
      judge_model: options.judgeModel ?? null,
      seed,
    },
    datasetRecord: { name: `${loaded.runA.name} vs ${loaded.runB.name}`, run_a: loaded.runA.id, run_b: loaded.runB.id },
  });
  return report(loaded, judge, judged.runId ?? null, judged.verdicts, seed);
}

/** The report of a comparison already judged, rebuilt from its stored judging run. */
export async function storedPairwiseComparison(
  store: Store,
  idA: string,
  idB: string,
  judge: Judge,
  judgingRun: string,
  seed = 1,
): Promise<PairwiseComparison> {
  const loaded = await loadRunPairs(store, idA, idB);
  return report(loaded, judge, judgingRun, await storedPairVerdicts(store, judgingRun, judge), seed);
}

/** A judge that cannot compare two responses is a config error naming how to write one. */
export function requirePairwise(judge: Judge, field = '--judge'): void {
  if (judge.pairwise) return;
  throw new ConfigError(`judge '${judge.name}' is not a pairwise judge: it grades one response, not two side by side`, {
    where: { field },
    hint: 'give a prompt judge whose judge_prompt shows {response_a} and {response_b}, or a rubric judge with pairwise: true',
  });
}

function report(loaded: RunPairs, judge: Judge, judgingRun: string | null, verdicts: PairVerdict[], seed: number): PairwiseComparison {
  return {
    a: { id: loaded.runA.id, name: loaded.runA.name },
    b: { id: loaded.runB.id, name: loaded.runB.name },
    judge: { name: judge.name, version: judge.version },
    judging_run: judgingRun,
    skipped: loaded.skipped,
    seed,
    summary: summarizePairs(verdicts, { seed }),
    pairs: verdicts.map((v) => ({ id: v.id, winner: v.winner, consistent: v.consistent, a_first: v.aFirst, b_first: v.bFirst })),
  };
}

/**
 * Each row both runs answered, with A's and B's output and the row's record. Runs of different
 * datasets, or a run with no outputs to compare, are input errors.
 */
export async function loadRunPairs(store: Store, idA: string, idB: string): Promise<RunPairs> {
  const { runA, runB } = await sameDatasetRuns(store, idA, idB);
  const [rowsA, rowsB] = await Promise.all([runOutputs(store, runA, 'a'), runOutputs(store, runB, 'b')]);
  const pairs: ResponsePair[] = [];
  let skipped = 0;
  for (const [index, a] of rowsA) {
    const b = rowsB.get(index);
    if (a.output === undefined || b?.output === undefined) {
      skipped++;
      continue;
    }
    pairs.push({ id: String(index), a: a.output, b: b.output, record: a.record });
  }
  skipped += [...rowsB.keys()].filter((index) => !rowsA.has(index)).length;
  if (pairs.length === 0) {
    throw new InputError(`runs ${runA.id} and ${runB.id} have no row that both answered`, {
      hint: 'compare runs whose rows have outputs (the model under test answered, or the data holds predictions)',
    });
  }
  return { runA, runB, pairs, skipped, colMapping: colMappingOf(runA) };
}

/** A run's rows by index: the record and the row's output (the model's answer or the predictions column), if any. */
async function runOutputs(store: Store, run: RunDetails, field: string): Promise<Map<number, { record: DataRecord; output?: string }>> {
  const config = configOf(run);
  const out = new Map<number, { record: DataRecord; output?: string }>();
  let columns: Columns | undefined;
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.rows(run.id, { offset, limit: PAGE });
    for (const row of page) {
      const record = JSON.parse(row.record) as DataRecord;
      if (row.model_error !== null) {
        out.set(row.row_index, { record });
        continue;
      }
      if (row.outputs !== null) {
        out.set(row.row_index, { record, output: row.outputs });
        continue;
      }
      columns ??= new Columns({ columns: Object.keys(record), colMapping: colMappingOf(run), hasModel: config.model !== undefined });
      const source = columns.resolve('outputs');
      if (!source || !('column' in source)) {
        throw new InputError(`run ${run.id} has no outputs to compare: no model under test answered, and no column holds predictions`, {
          where: { field },
          hint: "compare runs of a model under test, or whose data has an outputs column (or col_mapping's predictions)",
        });
      }
      const value = record[source.column];
      out.set(row.row_index, value === undefined || value === null ? { record } : { record, output: cellText(value) });
    }
    if (page.length < PAGE) return out;
  }
}

function configOf(run: RunDetails): { col_mapping?: unknown; model?: unknown } {
  const config = JSON.parse(run.config) as unknown;
  return config && typeof config === 'object' ? (config as { col_mapping?: unknown; model?: unknown }) : {};
}

function colMappingOf(run: RunDetails): Record<string, string> {
  const mapping = configOf(run).col_mapping;
  if (!mapping || typeof mapping !== 'object') return {};
  return Object.fromEntries(Object.entries(mapping).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
