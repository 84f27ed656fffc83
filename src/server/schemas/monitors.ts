/** Schemas of the monitor routes (`/api/monitors`): a monitor's body is `monitorSpec` (src/monitoring/monitor-spec.ts). */
import { z } from 'zod';
import { monitorFields, monitorSpec } from '../../monitoring/monitor-spec.js';
import { pageQuery } from './common.js';
import { jobStatus } from './jobs.js';

export { monitorSpec as createMonitorBody };
/** A monitor as sent to `POST /api/monitors`. */
export type CreateMonitorBody = z.input<typeof monitorSpec>;

/** `PATCH /api/monitors/:id`: any field of a monitor, and `status` to pause or resume it. */
export const patchMonitorBody = monitorFields.partial().extend({ status: z.enum(['active', 'paused']).optional() });
export type PatchMonitorBody = z.output<typeof patchMonitorBody>;
export type PatchMonitorRequest = z.input<typeof patchMonitorBody>;

export const createMonitorResponse = z.object({ id: z.string() });

/** A stored monitor with how far its judging is. */
export const monitorDetail = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'paused']),
  created_at: z.string(),
  updated_at: z.string(),
  definition: z.record(z.string(), z.unknown()).describe('the monitor as created or last patched'),
  judged: z.number().int().describe('interactions scored so far'),
  metrics: z.array(z.string()).describe('the metrics (name/version) it has scored, for /series and /interactions'),
  lag_ms: z.object({ mean: z.number().nullable(), max: z.number().nullable() }).describe("from an interaction's arrival to its score"),
  job: z
    .object({ id: z.string(), status: jobStatus, error: z.string().nullable() })
    .nullable()
    .describe('the newest job judging its traffic: running while the monitor is active; failed, with why, when judging stopped'),
});

export type MonitorDetail = z.infer<typeof monitorDetail>;

export const monitorsList = z.object({ monitors: z.array(monitorDetail) });
export type MonitorsList = z.infer<typeof monitorsList>;

export const seriesQuery = z.strictObject({
  metric: z.string().regex(/^[^/]+\/[^/]+$/, 'name the metric as <name>/<version> (helpful/v1)'),
  from: z.iso.datetime({ offset: true }).optional().describe('first window (default: 24 hours ago)'),
  to: z.iso.datetime({ offset: true }).optional().describe('end, excluded (default: now)'),
});

export type SeriesQuery = z.input<typeof seriesQuery>;

export const seriesResponse = z.object({
  points: z.array(
    z.object({
      start: z.string(),
      end: z.string(),
      count: z.number().int(),
      errors: z.number().int(),
      mean: z.number().nullable(),
      p90: z.number().nullable(),
      ratio: z.number().optional(),
    }),
  ),
});

export type SeriesResponse = z.infer<typeof seriesResponse>;

export const alertsResponse = z.object({
  alerts: z.array(
    z.object({
      at: z.string(),
      metric: z.string(),
      window_start: z.string(),
      value: z.number(),
      op: z.string(),
      threshold: z.number(),
      state: z.enum(['firing', 'resolved']),
      webhook: z
        .object({ attempts: z.number().int(), delivered_at: z.string().nullable(), last_error: z.string().nullable() })
        .optional()
        .describe("the rule's webhook POST of this event: retried with backoff until delivered"),
    }),
  ),
});
export type AlertsResponse = z.infer<typeof alertsResponse>;

/** `GET /api/monitors/:id/interactions`: a window's interactions, lowest score of `metric` first. */
export const windowInteractionsQuery = z.strictObject({
  metric: seriesQuery.shape.metric.describe('the metric (name/version) whose score orders them, lowest first'),
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('interactions whose own timestamp is this or later (default: 24 hours before `to`)'),
  to: z.iso.datetime({ offset: true }).optional().describe('end, excluded (default: now)'),
  ...pageQuery(50, 500),
});
export type WindowInteractionsQuery = z.input<typeof windowInteractionsQuery>;

const interactionScore = z.object({
  value: z.number().nullable(),
  justification: z.string().nullable(),
  error: z.string().nullable().describe('why this row has no score (an error row, left out of the aggregates)'),
});

export const windowInteractionsResponse = z.object({
  interactions: z.array(
    z.object({
      id: z.string(),
      timestamp: z.string(),
      app: z.string().nullable(),
      request: z.string(),
      response: z.string(),
      retrieved_context: z.array(z.string()).optional(),
      scores: z.record(z.string(), interactionScore).describe("every metric's score of it, by name/version"),
    }),
  ),
  total: z.number().int().describe('interactions the metric scored in the range'),
});
export type WindowInteractions = z.infer<typeof windowInteractionsResponse>;
