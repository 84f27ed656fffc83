/**
 * What a monitor is (issue #13): which interactions (app, metadata filter, a deterministic sample),
 * which metrics judge them (entries exactly as under `metrics:` in juror.yaml, checked by the same
 * `configFromObject` as a run's config), the window its aggregates are kept per, and alert rules.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { configFromObject, type ObjectConfig } from '../config/from-object.js';

/** Window lengths a monitor aggregates over, in milliseconds. */
export const WINDOWS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type WindowName = keyof typeof WINDOWS;

/** Aggregations an alert rule may watch (`helpful/v1/mean`). */
export const ALERT_AGGREGATIONS = ['mean', 'p90', 'ratio', 'count', 'errors'] as const;

/** One alert rule: fires while the window's aggregate satisfies `op value`, once `min_count` interactions are scored. */
export const alertRule = z.strictObject({
  metric: z
    .string()
    .regex(
      new RegExp(`^[^/]+/[^/]+/(${ALERT_AGGREGATIONS.join('|')})$`),
      `write the metric as <name>/<version>/<aggregation>, the aggregation one of ${ALERT_AGGREGATIONS.join(', ')} (helpful/v1/mean)`,
    ),
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number(),
  min_count: z.number().int().min(1).default(1),
  webhook: z.url({ protocol: /^https?$/ }).optional(),
});
export type AlertRule = z.output<typeof alertRule>;

/** A monitor's fields, none defaulted (a PATCH changes only those it gives). */
export const monitorFields = z.strictObject({
  name: z.string().min(1).max(200),
  app: z.string().min(1).max(200).optional(),
  filter: z.record(z.string(), z.string()).optional(),
  sample_rate: z.number().min(0).max(1),
  metrics: z.array(z.unknown()).min(1),
  judge_model: z.string().min(1).optional(),
  window: z.enum(Object.keys(WINDOWS) as [WindowName, ...WindowName[]]),
  alerts: z.array(alertRule),
});

/** A monitor as `POST /api/monitors` takes it. */
export const monitorSpec = monitorFields.extend({ alerts: monitorFields.shape.alerts.default([]) });
export type MonitorSpec = z.output<typeof monitorSpec>;

/**
 * The monitor's metrics as a run's config: checked as `POST /api/runs` checks one (a ConfigError
 * names `metrics[i]…`). The data is the interactions, given as records when judging.
 */
export function monitorConfig(spec: Pick<MonitorSpec, 'metrics' | 'judge_model'>, baseDir: string): ObjectConfig {
  return configFromObject(
    { data: 'interactions', metrics: spec.metrics, ...(spec.judge_model ? { judge_model: spec.judge_model } : {}) },
    baseDir,
  );
}

/**
 * Whether an interaction is in a sample of `rate`: sha256 of its id, first 8 bytes as a fraction of
 * 2^64, below the rate. The same id is always in or out at a rate, so a re-run or another server agrees.
 */
export function sampled(id: string, rate: number): boolean {
  if (rate >= 1) return true;
  const bytes = createHash('sha256').update(id).digest();
  return Number(bytes.readBigUInt64BE(0)) / 2 ** 64 < rate;
}

/** Whether an interaction's metadata has every `filter` key with its value (compared as text). */
export function matchesFilter(metadata: Record<string, unknown> | null, filter: Record<string, string> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, value]) => metadata !== null && key in metadata && String(metadata[key]) === value);
}

/** The start of the window holding `timestamp` (windows are aligned on the Unix epoch, UTC). */
export function windowStart(timestamp: string, window: WindowName): number {
  const ms = WINDOWS[window];
  return Math.floor(Date.parse(timestamp) / ms) * ms;
}
