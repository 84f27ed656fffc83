/** Schemas of the monitor routes (`/api/monitors`): a monitor's body is `monitorSpec` (src/monitoring/monitor-spec.ts). */
import { z } from 'zod';
import { monitorFields, monitorSpec } from '../../monitoring/monitor-spec.js';
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
