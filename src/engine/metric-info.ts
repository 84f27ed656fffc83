/**
 * What a run says about each of its metrics beside the numbers: the kind and range of a row's
 * value, which direction is better, the headline aggregation and its 95% confidence interval.
 * The engine knows these (a metric declares them, a judge's output kind implies them); they are
 * stored with the run and served by the API, so that no reader has to guess them from a name.
 */
import type { Aggregation, Judge } from '../judges/definition.js';
import { metricKey, type Metric, type MetricValues, type ValueKind } from '../metrics/metric.js';
import { headlineInterval, valuesInterval, type HeadlineStats, type Interval } from './aggregate.js';

/** One metric of a run, as stored in `runs.metric_info` and served by `GET /api/runs/:id`. */
export interface MetricInfo {
  /** `name/version`, the prefix of its aggregate keys. */
  key: string;
  name: string;
  version: string;
  source: Metric['kind'];
  kind: ValueKind;
  direction: 'higher' | 'lower' | null;
  range: { min: number; max: number } | null;
  /** The values a row can take, when few (a 1–5 scale, 1/0, categories). */
  discrete: number[] | null;
  /** Labels of values (`0`: no, `1`: yes; category names), keyed by the value as text. */
  labels: Record<string, string> | null;
  aggregations: Aggregation[];
  /** The aggregation shown first: `ratio` for yes/no and 1/0 metrics that report it, else `mean`. */
  headline: Aggregation;
  /** The 95% interval of the headline; null while nothing is scored or when there is none. */
  ci: Interval | null;
  /** A judge's definition (rubric) or prompt; null for other metrics. */
  description: string | null;
}

/** A scale wider than this is drawn in ranges, not one bar per value. */
const MAX_DISCRETE = 20;

/** A judge's values, from its output kind and assessment type. */
export function judgeValues(judge: Judge): MetricValues {
  // RETRIEVAL: the row's value is the share of chunks judged yes (precision).
  if (judge.assessmentType === 'RETRIEVAL') return { kind: 'share', range: { min: 0, max: 1 } };
  const output = judge.output;
  // Scored by log-probabilities, a yes/no or 1/0 judge's value is the probability of yes.
  if (judge.scoring === 'logprobs' && output.type !== 'scale') return { kind: 'share', range: { min: 0, max: 1 } };
  switch (output.type) {
    case 'scale':
      return { kind: 'scale', range: { min: output.min, max: output.max } };
    case 'yes_no':
    case 'binary':
      return { kind: output.type, range: { min: 0, max: 1 } };
    case 'categories': {
      const scores = Object.values(output.labels);
      return { kind: 'categories', range: { min: Math.min(...scores), max: Math.max(...scores) } };
    }
  }
}

/**
 * A metric's info without its interval (nothing scored yet).
 * @example describeMetric(exactMatch) // { key: 'exact_match/v1', kind: 'binary', direction: 'higher', headline: 'mean', … }
 */
export function describeMetric(metric: Metric): MetricInfo {
  const values = metric.judge ? judgeValues(metric.judge) : (metric.values ?? { kind: 'number' });
  const range = values.range ?? null;
  return {
    key: metricKey(metric),
    name: metric.name,
    version: metric.version,
    source: metric.kind,
    kind: values.kind,
    direction: metric.greaterIsBetter === null ? null : metric.greaterIsBetter ? 'higher' : 'lower',
    range,
    discrete: metric.judge && continuousJudge(metric.judge) ? null : discreteValues(values, metric.judge),
    labels: valueLabels(metric.judge),
    aggregations: [...metric.aggregations],
    headline: headlineOf(values.kind, metric.aggregations),
    ci: null,
    description: metric.judge ? (metric.judge.kind === 'rubric' ? metric.judge.definition : metric.judge.judgePrompt) : null,
  };
}

/** The info of a run's metrics with the intervals of their headlines, from each metric's per-row values. */
export function runMetricInfo(metrics: readonly Metric[], values: readonly ArrayLike<number>[]): MetricInfo[] {
  return metrics.map((metric, i) => {
    const info = describeMetric(metric);
    return {
      ...info,
      ci: valuesInterval(values[i] ?? [], info.headline, {
        ...intervalOptions(info),
        ...(metric.ratioThreshold !== undefined ? { ratioThreshold: metric.ratioThreshold } : {}),
      }),
    };
  });
}

/** A metric's interval from what a run stored of it (its aggregates and rows scored), for runs stored without one. */
export function storedInterval(info: MetricInfo, stats: HeadlineStats): Interval | null {
  return headlineInterval(stats, info.headline, intervalOptions(info));
}

/** The headline of a metric of this kind reporting these aggregations. */
export function headlineOf(kind: ValueKind, aggregations: readonly Aggregation[]): Aggregation {
  if ((kind === 'yes_no' || kind === 'binary') && aggregations.includes('ratio')) return 'ratio';
  return (['mean', 'ratio', 'median', 'sum'] as const).find((a) => aggregations.includes(a)) ?? aggregations[0] ?? 'mean';
}

function intervalOptions(info: MetricInfo): { shareOfOnes: boolean; range?: { min: number; max: number } } {
  return { shareOfOnes: info.kind === 'yes_no' || info.kind === 'binary', ...(info.range ? { range: info.range } : {}) };
}

/** A judge whose row values fall between its scores: log-probability scores, a jury's or samples' mean or median. */
function continuousJudge(judge: Judge): boolean {
  return judge.scoring === 'logprobs' || judge.aggregate === 'mean' || judge.aggregate === 'median';
}

function discreteValues(values: MetricValues, judge: Judge | undefined): number[] | null {
  if (judge?.output.type === 'categories') return [...new Set(Object.values(judge.output.labels))].sort((a, b) => a - b);
  if (values.kind === 'yes_no' || values.kind === 'binary') return [0, 1];
  if (values.kind !== 'scale' || !values.range || values.range.max - values.range.min > MAX_DISCRETE) return null;
  const out: number[] = [];
  for (let v = values.range.min; v <= values.range.max; v++) out.push(v);
  return out;
}

function valueLabels(judge: Judge | undefined): Record<string, string> | null {
  if (judge?.output.type === 'yes_no' && judge.assessmentType === 'ANSWER') return { 0: 'no', 1: 'yes' };
  if (judge?.output.type !== 'categories') return null;
  const byValue: Record<string, string> = {};
  // Labels sharing a score are shown together (`good/fine`).
  for (const [label, value] of Object.entries(judge.output.labels)) byValue[value] = byValue[value] ? `${byValue[value]}/${label}` : label;
  return byValue;
}
