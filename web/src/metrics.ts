/**
 * What the UI knows about a metric: its scale (for gauges and histograms), how to print its value
 * (a 1–5 judge on 1–5, yes/no and 1/0 metrics as a percentage), and which direction is better.
 * Judges carry this in their definition; built-in heuristics are known by name.
 */
import type { RunJudge } from './api.js';

export type MetricKind = 'scale' | 'share' | 'unit' | 'bounded' | 'number';

export interface MetricInfo {
  /** `name/version`. */
  key: string;
  name: string;
  version: string;
  /**
   * scale: integer judge scores between min and max; share: a 0–1 value shown as a percentage
   * (yes/no, 1/0, RETRIEVAL precision); unit: a 0–1 score shown as a decimal (ROUGE);
   * bounded: a known range (BLEU 0–100); number: no known range (token counts, latency).
   */
  kind: MetricKind;
  min?: number;
  max?: number;
  /** The values a row can take, when few (1–5 scale, 1/0, category scores): one histogram bar each. */
  discrete?: number[];
  /** Labels of category judges, by value. */
  labels?: Record<number, string>;
  greaterIsBetter: boolean | null;
  /** The aggregation shown as the headline (`mean`, or `ratio` for yes/no). */
  headline: string;
  description?: string;
  judge?: RunJudge;
}

const SHARE_METRICS = new Set(['exact_match', 'json_valid', 'json_match', 'regex', 'contains', 'profanity']);
const UNIT_METRICS = /^(rouge1|rouge2|rougeL|rougeLsum|levenshtein|precision_at_\d+|recall_at_\d+|ndcg_at_\d+|document_recall|document_precision|toxicity)$/;
const LOWER_IS_BETTER = new Set(['latency', 'toxicity', 'profanity', 'flesch_kincaid_grade_level', 'ari_grade_level']);
const NEUTRAL = new Set(['token_count']);

function range(min: number, max: number): number[] {
  const out: number[] = [];
  for (let v = min; v <= max; v++) out.push(v);
  return out;
}

/** The metric key `name/version` of an aggregate key `name/version/aggregation`. */
export function splitKey(aggregateKey: string): { metric: string; aggregation: string } {
  const at = aggregateKey.lastIndexOf('/');
  return at < 0 ? { metric: aggregateKey, aggregation: '' } : { metric: aggregateKey.slice(0, at), aggregation: aggregateKey.slice(at + 1) };
}

/** Metrics named by a run's aggregate keys, in first-seen order. */
export function metricsOfAggregates(metrics: Record<string, number>): string[] {
  const seen = new Set<string>();
  for (const key of Object.keys(metrics)) seen.add(splitKey(key).metric);
  return [...seen];
}

/** Everything the UI shows about a metric, from the run's judge (if it is one) or the built-in table. */
export function metricInfo(key: string, judge?: RunJudge): MetricInfo {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(0, slash);
  const version = slash < 0 ? '' : key.slice(slash + 1);
  const base = { key, name, version };
  if (judge) {
    const d = judge.definition;
    const greater = typeof d.greater_is_better === 'boolean' ? d.greater_is_better : true;
    const meta = (d.metric_metadata ?? {}) as Record<string, unknown>;
    const retrieval = meta.assessment_type === 'RETRIEVAL';
    const output = d.output as unknown;
    const description = typeof d.definition === 'string' ? d.definition : typeof d.judge_prompt === 'string' ? d.judge_prompt : undefined;
    const common = { ...base, judge, greaterIsBetter: greater, description };
    const isYesNo = output === 'yes_no' || (typeof output === 'object' && output !== null && 'yes_no' in output) || (output === undefined && ('score_threshold' in meta || 'assessment_type' in meta));
    if (isYesNo || output === 'binary') {
      return retrieval ? { ...common, kind: 'share', min: 0, max: 1, headline: 'mean' } : { ...common, kind: 'share', min: 0, max: 1, discrete: [0, 1], labels: isYesNo ? { 0: 'no', 1: 'yes' } : undefined, headline: 'ratio' };
    }
    if (typeof output === 'object' && output !== null && 'categories' in output) {
      const labels = (output as { categories: Record<string, number> }).categories;
      const byValue: Record<number, string> = {};
      for (const [label, value] of Object.entries(labels)) byValue[value] = byValue[value] ? `${byValue[value]}/${label}` : label;
      const values = [...new Set(Object.values(labels))].sort((a, b) => a - b);
      return { ...common, kind: 'scale', min: values[0] ?? 0, max: values[values.length - 1] ?? 1, discrete: values, labels: byValue, headline: 'mean' };
    }
    let [min, max] = [1, 5];
    if (typeof output === 'object' && output !== null && 'scale' in output) {
      const scale = (output as { scale: unknown }).scale;
      if (Array.isArray(scale) && scale.length === 2) [min, max] = [Number(scale[0]), Number(scale[1])];
    }
    return { ...common, kind: 'scale', min, max, discrete: max - min <= 20 ? range(min, max) : undefined, headline: 'mean' };
  }
  const greaterIsBetter = NEUTRAL.has(name) ? null : !LOWER_IS_BETTER.has(name);
  if (SHARE_METRICS.has(name)) return { ...base, kind: 'share', min: 0, max: 1, discrete: [0, 1], greaterIsBetter, headline: 'mean' };
  if (UNIT_METRICS.test(name)) return { ...base, kind: 'unit', min: 0, max: 1, greaterIsBetter, headline: 'mean' };
  if (name === 'bleu') return { ...base, kind: 'bounded', min: 0, max: 100, greaterIsBetter, headline: 'mean' };
  if (name === 'flesch_reading_ease') return { ...base, kind: 'number', greaterIsBetter, headline: 'mean' };
  return { ...base, kind: 'number', greaterIsBetter, headline: 'mean' };
}

/** Every metric of a run with its info, judges first in the run's order, then the rest by name. */
export function runMetrics(metricNames: string[], judges: RunJudge[], aggregates: Record<string, number>): MetricInfo[] {
  const byMetric = new Map(judges.map((j) => [j.metric, j]));
  const keys = new Set<string>([...judges.map((j) => j.metric), ...metricNames, ...metricsOfAggregates(aggregates)]);
  return [...keys].map((key) => metricInfo(key, byMetric.get(key)));
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
