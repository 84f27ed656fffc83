/**
 * A monitor's aggregates per window of the interactions' own timestamps — `mean`, `p90` and `ratio`
 * computed as a run's (engine/aggregate.ts), `count` the scored interactions and `errors` the error
 * rows, which are excluded from the aggregates as in runs — and its alert rules checked against them.
 */
import { aggregate } from '../engine/aggregate.js';
import { compare } from '../engine/thresholds.js';
import type { MonitorRepository } from '../store/monitors.js';
import { WINDOWS, windowStart, type MonitorSpec, type WindowName } from './monitor-spec.js';

/** One window's aggregates of one metric. */
export interface SeriesPoint {
  start: string;
  end: string;
  count: number;
  errors: number;
  mean: number | null;
  p90: number | null;
  /** The share of 1s, for metrics whose every value is 0 or 1 (yes/no, 1/0 labels). */
  ratio?: number;
}

/**
 * The points of the windows in [from, to) that hold any score, oldest first. A window whose
 * aggregates were kept before retention deleted its interactions (src/monitoring/retention.ts) is
 * read from what was kept, so the series is the same before and after.
 */
export async function series(
  repo: MonitorRepository,
  monitorId: string,
  metric: string,
  window: WindowName,
  from: string,
  to: string,
): Promise<SeriesPoint[]> {
  const kept = new Map<number, SeriesPoint>();
  for (const row of await repo.rollups(monitorId, metric, from, to)) {
    const start = Date.parse(row.window_start);
    // Windows kept at another length (the monitor's window was changed since) are not this series'.
    if (Date.parse(row.window_end) - start !== WINDOWS[window]) continue;
    const { count, errors, mean, p90, ratio } = row;
    kept.set(start, { start: row.window_start, end: row.window_end, count, errors, mean, p90, ...(ratio !== null ? { ratio } : {}) });
  }
  const windows = new Map<number, Array<number | null>>();
  for (const score of await repo.scores(monitorId, metric, from, to)) {
    const start = windowStart(score.timestamp, window);
    if (kept.has(start)) continue;
    const values = windows.get(start) ?? [];
    values.push(score.value);
    windows.set(start, values);
  }
  const points = [...kept.values(), ...[...windows].map(([start, values]) => point(start, WINDOWS[window], values))];
  return points.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/** One window's aggregates of its values (null for an error row), as the series and retention's roll-up compute them. */
export function point(start: number, length: number, all: Array<number | null>): SeriesPoint {
  const values = all.filter((v): v is number => v !== null);
  const stats = aggregate(values, ['mean', 'p90', 'ratio']);
  const binary = values.length > 0 && values.every((v) => v === 0 || v === 1);
  return {
    start: new Date(start).toISOString(),
    end: new Date(start + length).toISOString(),
    count: values.length,
    errors: all.length - values.length,
    mean: stats.mean ?? null,
    p90: stats.p90 ?? null,
    ...(binary ? { ratio: stats.ratio! } : {}),
  };
}

/** The windows (start, ms) of each metric that a batch of scores changed. */
export type TouchedWindows = Map<string, Set<number>>;

/**
 * Checks every rule whose metric is in a touched window, and stores an event when its state there
 * changes: `firing` when the aggregate meets `op value` with at least `min_count` scored
 * interactions, `resolved` when a firing rule no longer does. Deliveries go to the outbox.
 */
export async function checkAlerts(
  repo: MonitorRepository,
  monitorId: string,
  spec: Pick<MonitorSpec, 'alerts' | 'window'>,
  touched: TouchedWindows,
): Promise<void> {
  for (const [index, rule] of spec.alerts.entries()) {
    const metric = rule.metric.slice(0, rule.metric.lastIndexOf('/'));
    const aggregation = rule.metric.slice(rule.metric.lastIndexOf('/') + 1) as keyof SeriesPoint;
    for (const start of touched.get(metric) ?? []) {
      const from = new Date(start).toISOString();
      const [current] = await series(repo, monitorId, metric, spec.window, from, new Date(start + WINDOWS[spec.window]).toISOString());
      if (!current) continue;
      const value = current[aggregation];
      // A window whose every row failed has no mean: its alert state stays as it was.
      if (typeof value !== 'number') continue;
      const firing = current.count >= rule.min_count && compare(value, rule.op, rule.value);
      const before = await repo.alertState(monitorId, index, from);
      if (firing === (before === 'firing')) continue;
      await repo.addAlert(
        monitorId,
        {
          rule: index,
          at: new Date().toISOString(),
          metric: rule.metric,
          window_start: from,
          value,
          op: rule.op,
          threshold: rule.value,
          state: firing ? 'firing' : 'resolved',
        },
        rule.webhook,
      );
    }
  }
}
