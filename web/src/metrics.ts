/**
 * What the UI knows about a metric: its scale (for gauges and histograms), how to print its value
 * (a 1–5 judge on 1–5, yes/no and 1/0 metrics as a percentage), which direction is better, its
 * headline and the headline's confidence interval. All of it is what the server serves with the
 * run (`metric_info`, from the engine); nothing here is guessed from a metric's name.
 */
import type { RunSummary } from './api.js';

export type MetricKind = 'scale' | 'share' | 'unit' | 'bounded' | 'number';

/** A metric's info as the server serves it. */
export type ServedMetricInfo = RunSummary['metric_info'][number];

export interface MetricInfo {
  /** `name/version`. */
  key: string;
  name: string;
  version: string;
  /**
   * How the UI draws and prints the value. scale: integer judge scores or categories between
   * min and max; share: a 0–1 value shown as a percentage (yes/no, 1/0, RETRIEVAL precision);
   * unit: a 0–1 score shown as a decimal (ROUGE); bounded: another known range (BLEU 0–100);
   * number: no known range (token counts, latency).
   */
  kind: MetricKind;
  min?: number;
  max?: number;
  /** The values a row can take, when few (1–5 scale, 1/0, category scores): one histogram bar each. */
  discrete?: number[];
  /** Labels of yes/no and category judges, by value. */
  labels?: Record<number, string>;
  greaterIsBetter: boolean | null;
  /** The aggregation shown as the headline (`mean`, or `ratio` for yes/no). */
  headline: string;
  /** The 95% confidence interval of the headline, as the engine computed it. */
  ci?: { low: number; high: number };
  description?: string;
}

const KINDS: Record<ServedMetricInfo['kind'], MetricKind> = {
  scale: 'scale',
  categories: 'scale',
  yes_no: 'share',
  binary: 'share',
  share: 'share',
  unit: 'unit',
  number: 'number',
};

/** The served info of a metric in the UI's terms. */
export function toMetricInfo(served: ServedMetricInfo): MetricInfo {
  const kind = KINDS[served.kind];
  return {
    key: served.key,
    name: served.name,
    version: served.version,
    kind: kind === 'number' && served.range ? 'bounded' : kind,
    ...(served.range ? { min: served.range.min, max: served.range.max } : {}),
    ...(served.discrete ? { discrete: served.discrete } : {}),
    ...(served.labels ? { labels: served.labels as Record<number, string> } : {}),
    greaterIsBetter: served.direction === null ? null : served.direction === 'higher',
    headline: served.headline,
    ...(served.ci ? { ci: { low: served.ci.low, high: served.ci.high } } : {}),
    ...(served.description ? { description: served.description } : {}),
  };
}

/** A metric the run did not describe (a result of a metric it no longer lists): a number, no direction. */
export function plainMetricInfo(key: string): MetricInfo {
  const slash = key.lastIndexOf('/');
  return {
    key,
    name: slash < 0 ? key : key.slice(0, slash),
    version: slash < 0 ? '' : key.slice(slash + 1),
    kind: 'number',
    greaterIsBetter: null,
    headline: 'mean',
  };
}

/** Every metric of a run with its info, in the order the server gives them. */
export function runMetrics(run: Pick<RunSummary, 'metric_info'>): MetricInfo[] {
  return run.metric_info.map(toMetricInfo);
}

/** The headline aggregate of a metric: its value and the key it came from. */
export function headline(info: MetricInfo, aggregates: Record<string, number>): { value: number | undefined; aggregation: string } {
  for (const aggregation of [info.headline, 'mean', 'ratio', 'median', 'sum']) {
    const value = aggregates[`${info.key}/${aggregation}`];
    if (value !== undefined) return { value, aggregation };
  }
  return { value: undefined, aggregation: info.headline };
}

/** Position of a value on the metric's scale, 0–1 (undefined when the metric has no range). */
export function position(info: MetricInfo, value: number): number | undefined {
  if (info.min === undefined || info.max === undefined || info.max === info.min) return undefined;
  return Math.min(1, Math.max(0, (value - info.min) / (info.max - info.min)));
}

/** How good a value is, 0 (bad) to 1 (good), or undefined when the metric has no direction or range. */
export function goodness(info: MetricInfo, value: number): number | undefined {
  const p = position(info, value);
  if (p === undefined || info.greaterIsBetter === null) return undefined;
  return info.greaterIsBetter ? p : 1 - p;
}

/** The colour class of a value: good, fair, poor or neutral. */
export function tone(info: MetricInfo, value: number | null | undefined): 'good' | 'fair' | 'poor' | 'neutral' {
  if (value === null || value === undefined) return 'neutral';
  const g = goodness(info, value);
  if (g === undefined) return 'neutral';
  if (g >= 0.7) return 'good';
  if (g >= 0.4) return 'fair';
  return 'poor';
}

/** The colour class of a change between two values. */
export function deltaTone(info: MetricInfo, delta: number): 'better' | 'worse' | 'same' | 'neutral' {
  if (Math.abs(delta) < 1e-12) return 'same';
  if (info.greaterIsBetter === null) return 'neutral';
  return delta > 0 === info.greaterIsBetter ? 'better' : 'worse';
}

/** A threshold for "low scores": the bottom of the scale (≤ 2 on 1–5), "no" for yes/no, the lower half otherwise. */
export function lowScoreThreshold(info: MetricInfo): number | undefined {
  if (info.kind === 'scale' && info.min !== undefined && info.max !== undefined) return info.min + Math.floor((info.max - info.min) / 3);
  if (info.kind === 'share') return info.discrete ? 0 : 0.5;
  if (info.kind === 'unit') return 0.5;
  if (info.kind === 'bounded' && info.min !== undefined && info.max !== undefined) return (info.min + info.max) / 2;
  return undefined;
}
