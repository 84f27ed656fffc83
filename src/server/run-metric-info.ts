/**
 * The metric info a run serves: what the engine stored with it, or — for runs stored before it did
 * (migration 0006), and runs still running, whose info is written with their summary — the same
 * info derived from what the run did store: its judge definitions, the built-in metrics its config
 * names, and its aggregates. Nothing is guessed from a metric's name.
 */
import { describeMetric, headlineOf, storedInterval, type MetricInfo } from '../engine/metric-info.js';
import type { Aggregation, Judge } from '../judges/definition.js';
import { builtInMetric } from '../metrics/builtin.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { metricKey, type Metric } from '../metrics/metric.js';
import { presetMetrics } from '../metrics/presets.js';

/** What a stored run offers to describe its metrics. */
export interface StoredRunMetrics {
  metric_info: string | null;
  config: string;
  /** Aggregates keyed `name/version/aggregation`. */
  metrics: Record<string, number>;
  judges: Array<{ metric: string; definition: Judge }>;
  perMetric: Array<{ metric: string; rows_scored: number | string }>;
}

/**
 * Each metric of a run with its kind, range, direction, headline and interval: judges first in
 * the run's order, then the metrics it has results or aggregates for.
 * @example servedMetricInfo(await store.getRun(id), await results.metrics(id))
 */
export function servedMetricInfo(run: StoredRunMetrics, metricNames: readonly string[] = []): MetricInfo[] {
  if (run.metric_info) return JSON.parse(run.metric_info) as MetricInfo[];
  const aggregations = aggregationsByMetric(run.metrics);
  const known = new Map<string, Metric>(
    [...configuredMetrics(run.config), ...run.judges.map((j) => judgeMetric(j.definition))].map((m) => [metricKey(m), m]),
  );
  const keys = new Set([...run.judges.map((j) => j.metric), ...metricNames, ...aggregations.keys()]);
  const scored = new Map(run.perMetric.map((m) => [m.metric, Number(m.rows_scored)]));
  return [...keys].map((key) => {
    const metric = known.get(key);
    const info = metric ? describeMetric(metric) : unknownMetric(key, aggregations.get(key) ?? []);
    const stat = (a: Aggregation) => run.metrics[`${key}/${a}`];
    const stats = { n: scored.get(key) ?? 0, mean: stat('mean'), variance: stat('variance'), ratio: stat('ratio') };
    return { ...info, ci: storedInterval(info, stats) };
  });
}

/** The built-in metrics a stored config names (`metrics`, `extra_metrics`, the model type's defaults), as the engine made them. */
function configuredMetrics(configJson: string): Metric[] {
  const config = JSON.parse(configJson) as { metrics?: unknown; extra_metrics?: unknown; model_type?: unknown } | null;
  const entries: unknown[] = [config?.metrics, config?.extra_metrics].flatMap((list) => (Array.isArray(list) ? list : []));
  const out: Metric[] = [];
  const add = (make: () => Metric) => {
    try {
      out.push(make());
    } catch {
      // A name or option this version no longer knows: that metric is described by its aggregates.
    }
  };
  if (typeof config?.model_type === 'string') for (const name of safePreset(config.model_type)) add(() => builtInMetric(name));
  for (const entry of entries) {
    if (typeof entry === 'string') add(() => builtInMetric(entry));
    else if (entry && typeof entry === 'object' && 'metric' in entry) {
      const { metric, ...options } = entry as { metric: unknown };
      add(() => builtInMetric(String(metric), options));
    }
  }
  return out;
}

function safePreset(modelType: string): string[] {
  try {
    return presetMetrics(modelType);
  } catch {
    return [];
  }
}

/** A metric the run names but this version cannot rebuild (a TypeScript function): its aggregates say what it reports, nothing more. */
function unknownMetric(key: string, aggregations: Aggregation[]): MetricInfo {
  const slash = key.lastIndexOf('/');
  return {
    key,
    name: slash < 0 ? key : key.slice(0, slash),
    version: slash < 0 ? '' : key.slice(slash + 1),
    source: 'code',
    kind: 'number',
    direction: null,
    range: null,
    discrete: null,
    labels: null,
    aggregations,
    headline: headlineOf('number', aggregations),
    ci: null,
    description: null,
  };
}

/** The aggregations each metric (`name/version`) has in a run's aggregate keys. */
function aggregationsByMetric(aggregates: Record<string, number>): Map<string, Aggregation[]> {
  const out = new Map<string, Aggregation[]>();
  for (const key of Object.keys(aggregates)) {
    const at = key.lastIndexOf('/');
    if (at < 0) continue;
    const metric = key.slice(0, at);
    // Databricks' alias keys (`response/llm_judged/…/rating/percentage`) name no metric of the run.
    if (metric.split('/').length !== 2) continue;
    out.set(metric, [...(out.get(metric) ?? []), key.slice(at + 1) as Aggregation]);
  }
  return out;
}
