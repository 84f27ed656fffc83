/**
 * Comparing two stored runs of the same dataset with statistics (issue #14 §3): for each metric
 * both runs scored, the rows both scored are paired by row index (as the results table keys them),
 * and the report gives mean A, mean B, the paired difference B − A with a 95% paired-bootstrap
 * interval, a paired test — McNemar for 1/0 and yes/no metrics, Wilcoxon signed-rank otherwise —
 * and a plain verdict that respects which direction is better.
 */
import { pairedDifference, mcnemar, wilcoxonSignedRank, type PairedTest } from '../agreement/paired.js';
import type { MetricInfo } from '../engine/metric-info.js';
import { InputError } from '../errors.js';
import { servedMetricInfo } from '../server/run-metric-info.js';
import type { RunDetails, Store } from '../store/store.js';

/** Below this p, a difference is called a difference. */
export const SIGNIFICANCE = 0.05;

/** What the comparison says of B against A. */
export type ComparisonVerdict = 'B is better' | 'B is worse' | 'B is higher' | 'B is lower' | 'not distinguishable';

/** One metric both runs scored. */
export interface MetricComparison {
  /** `name/version`. */
  metric: string;
  kind: MetricInfo['kind'];
  /** Which direction is better; null when neither is (`token_count`), and the verdict then says higher / lower. */
  direction: MetricInfo['direction'];
  /** Rows scored (without error) in both runs. */
  n: number;
  /** Rows scored in only one of the runs, or in neither, left out of the pairs. */
  unpaired: number;
  mean_a: number | null;
  mean_b: number | null;
  /** mean B − mean A over the pairs. */
  difference: number | null;
  interval: [number, number] | null;
  test: PairedTest['test'];
  method: PairedTest['method'] | null;
  statistic: number | null;
  p: number | null;
  verdict: ComparisonVerdict;
}

/** The comparison of two runs. */
export interface RunComparison {
  a: { id: string; name: string; experiment: string };
  b: { id: string; name: string; experiment: string };
  dataset: { name: string | null; hash: string; row_count: number | null };
  alpha: number;
  seed: number;
  resamples: number;
  metrics: MetricComparison[];
  /** Metrics (`name/version`) only one of the runs has. */
  only_in_a: string[];
  only_in_b: string[];
}

/** Options of {@link compareRuns}. */
export interface CompareRunsOptions {
  /** Seed of the bootstrap (default 1): the same seed gives the same intervals. */
  seed?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
}

/**
 * Compares run B with run A, both given by id. Runs of different datasets (another content hash)
 * are an input error naming both.
 * @example const report = await compareRuns(store, 'a1b2…', 'c3d4…'); report.metrics[0].verdict // 'B is better'
 */
export async function compareRuns(store: Store, idA: string, idB: string, options: CompareRunsOptions = {}): Promise<RunComparison> {
  const seed = options.seed ?? 1;
  const resamples = options.resamples ?? 2000;
  const { runA, runB } = await sameDatasetRuns(store, idA, idB);
  const dataA = datasetOf(runA);
  const [valuesA, valuesB] = await Promise.all([metricValues(store, runA), metricValues(store, runB)]);
  const infoA = servedMetricInfo(runA, [...valuesA.keys()]);
  const infoB = new Map(servedMetricInfo(runB, [...valuesB.keys()]).map((m) => [m.key, m]));
  const shared = infoA.filter((m) => infoB.has(m.key));
  const metrics = shared.map((info) =>
    compareMetric(info, valuesA.get(info.key) ?? new Map(), valuesB.get(info.key) ?? new Map(), { seed, resamples }),
  );
  return {
    a: { id: runA.id, name: runA.name, experiment: runA.experiment },
    b: { id: runB.id, name: runB.name, experiment: runB.experiment },
    dataset: { name: dataA.name ?? null, hash: dataA.hash, row_count: dataA.rowCount ?? null },
    alpha: SIGNIFICANCE,
    seed,
    resamples,
    metrics,
    only_in_a: infoA.filter((m) => !infoB.has(m.key)).map((m) => m.key),
    only_in_b: [...infoB.keys()].filter((key) => !infoA.some((m) => m.key === key)),
  };
}

/** Both runs, when they are on the same dataset (the same content hash); else an input error naming both. */
export async function sameDatasetRuns(store: Store, idA: string, idB: string): Promise<{ runA: RunDetails; runB: RunDetails }> {
  const [runA, runB] = await Promise.all([store.getRun(idA), store.getRun(idB)]);
  const dataA = datasetOf(runA);
  const dataB = datasetOf(runB);
  if (dataA.hash !== dataB.hash) {
    throw new InputError(
      `runs ${runA.id} and ${runB.id} are on different datasets: ${describeData(dataA)} and ${describeData(dataB)}; their rows cannot be paired`,
      {
        where: { field: 'b' },
        hint: 'compare two runs of the same dataset (the same file content), e.g. two models or two prompts on one test set',
      },
    );
  }
  return { runA, runB };
}

/** The pairs of one metric and their statistics. */
function compareMetric(
  info: MetricInfo,
  a: Map<number, number>,
  b: Map<number, number>,
  bootstrap: { seed: number; resamples: number },
): MetricComparison {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [row, x] of a) {
    const y = b.get(row);
    if (y === undefined) continue;
    xs.push(x);
    ys.push(y);
  }
  const rows = new Set([...a.keys(), ...b.keys()]).size;
  const binary = info.kind === 'binary' || info.kind === 'yes_no';
  const test: PairedTest['test'] = binary && [...xs, ...ys].every((v) => v === 0 || v === 1) ? 'mcnemar' : 'wilcoxon';
  const base = { metric: info.key, kind: info.kind, direction: info.direction, n: xs.length, unpaired: rows - xs.length, test };
  if (xs.length === 0) {
    return {
      ...base,
      mean_a: null,
      mean_b: null,
      difference: null,
      interval: null,
      method: null,
      statistic: null,
      p: null,
      verdict: 'not distinguishable',
    };
  }
  const difference = pairedDifference(xs, ys, bootstrap);
  const result = test === 'mcnemar' ? mcnemar(xs, ys) : wilcoxonSignedRank(xs, ys);
  return {
    ...base,
    mean_a: difference.meanA,
    mean_b: difference.meanB,
    difference: difference.difference,
    interval: difference.interval,
    method: result.method,
    statistic: result.statistic,
    p: result.p,
    verdict: verdictOf(difference.difference, result.p, info.direction),
  };
}

/** B against A, in words: a difference whose test has p below {@link SIGNIFICANCE}, in the metric's better direction. */
export function verdictOf(difference: number, p: number, direction: MetricInfo['direction']): ComparisonVerdict {
  if (!(p < SIGNIFICANCE) || difference === 0) return 'not distinguishable';
  const higher = difference > 0;
  if (direction === null) return higher ? 'B is higher' : 'B is lower';
  return higher === (direction === 'higher') ? 'B is better' : 'B is worse';
}

/** Each metric's values by row index, for rows scored without error. */
async function metricValues(store: Store, run: RunDetails): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  const results = await store.results(run.id, { from: 0, to: Math.max(0, Number(run.row_count)) });
  for (const r of results) {
    let values = out.get(r.metric);
    if (!values) out.set(r.metric, (values = new Map()));
    if (r.error === null && r.value !== null && Number.isFinite(r.value)) values.set(r.row_index, r.value);
  }
  return out;
}

interface StoredDataset {
  name?: string;
  hash: string;
  rowCount?: number;
}

function datasetOf(run: RunDetails): StoredDataset {
  return JSON.parse(run.dataset) as StoredDataset;
}

function describeData(data: StoredDataset): string {
  return `${data.name ? `'${data.name}' ` : ''}(${data.hash.slice(0, 19)}…)`;
}
