/**
 * A metric's score distribution, from what the API already answers: the histogram is built from
 * counts of rows "at most v" (`max_score` filters, which the server counts in SQL without sending
 * rows), so a 100,000-row run costs a handful of small requests, never a download of its rows.
 */
import { countAtMost, extremeValue } from './api.js';
import { formatNumber } from './format.js';
import type { MetricInfo } from './metrics.js';

export interface Bin {
  /** Label under the bar. */
  label: string;
  /** Upper edge (inclusive) of the bin, or the value of a discrete bin. */
  value: number;
  count: number;
}

/** At most this many histogram requests at once, so rows and other requests are not held up. */
const MAX_CONCURRENT = 2;
let active = 0;
const waiting: Array<() => void> = [];

async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (active >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await task();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** Bin edges for a metric: its discrete values, or ten equal bins over its range (read off the run when unknown). */
async function edges(
  runId: string,
  info: MetricInfo,
  signal: AbortSignal,
): Promise<{ edges: number[]; discrete: boolean; min: number } | undefined> {
  if (info.discrete) return { edges: info.discrete, discrete: true, min: info.discrete[0] ?? 0 };
  let min = info.min;
  let max = info.max;
  if (min === undefined || max === undefined) {
    const [lo, hi] = await Promise.all([
      limited(() => extremeValue(runId, info.key, 'min', signal)),
      limited(() => extremeValue(runId, info.key, 'max', signal)),
    ]);
    if (lo === undefined || hi === undefined) return undefined;
    min = lo;
    max = hi;
  }
  if (max <= min) return { edges: [max], discrete: true, min };
  const width = (max - min) / 10;
  const out: number[] = [];
  for (let i = 1; i <= 10; i++) out.push(i === 10 ? max : min + width * i);
  return { edges: out, discrete: false, min };
}

/** The histogram of a metric's values in a run. */
export async function histogram(runId: string, info: MetricInfo, signal: AbortSignal): Promise<Bin[]> {
  const e = await edges(runId, info, signal);
  if (!e) return [];
  const cumulative = await Promise.all(e.edges.map((edge) => limited(() => countAtMost(runId, info.key, edge, signal))));
  return e.edges.map((edge, i) => {
    const count = cumulative[i]! - (i > 0 ? cumulative[i - 1]! : 0);
    let label: string;
    if (e.discrete) label = info.labels?.[edge] ?? formatNumber(edge, 2);
    else label = `≤${formatNumber(edge, 2)}`;
    return { label, value: edge, count };
  });
}
