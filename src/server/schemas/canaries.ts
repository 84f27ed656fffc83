/** Schemas of the canary routes (`/api/canaries`): a canary's body is `canarySpec` (src/monitoring/canary-spec.ts). */
import { z } from 'zod';
import { canaryFields, canarySpec } from '../../monitoring/canary-spec.js';
import { jobStatus } from './jobs.js';

export { canarySpec as createCanaryBody };
/** A canary as sent to `POST /api/canaries`. */
export type CreateCanaryBody = z.input<typeof canarySpec>;

/** `PATCH /api/canaries/:id`: any field of a canary, and `status` to pause or resume its schedule. */
export const patchCanaryBody = canaryFields.partial().extend({ status: z.enum(['active', 'paused']).optional() });
export type PatchCanaryBody = z.output<typeof patchCanaryBody>;
export type PatchCanaryRequest = z.input<typeof patchCanaryBody>;

export const createCanaryResponse = z.object({ id: z.string() });

/** One check of the judge: its agreement with the human labels. */
const canaryPoint = z.object({
  at: z.string().describe('when the check finished'),
  accuracy: z.number().nullable(),
  cohen_kappa: z.number().nullable(),
  n: z.number().int().describe('rows with both a judge verdict and a human label'),
});

/** A canary as listed: its schedule, alert and agreement over time. */
export const canarySummary = z.object({
  id: z.string(),
  name: z.string(),
  judge: z.string(),
  version: z.string(),
  every: z.string(),
  status: z.enum(['active', 'paused']),
  statistic: z.string(),
  op: z.string(),
  threshold: z.number(),
  last_run_at: z.string().nullable().describe('when the last check started'),
  state: z.enum(['ok', 'firing']).nullable().describe('the alert after the last check; null before the first'),
  points: z.array(canaryPoint).describe('the checks that finished among the last 200, oldest first'),
});
export type CanarySummary = z.infer<typeof canarySummary>;

export const canariesList = z.object({ canaries: z.array(canarySummary) });
export type CanariesList = z.infer<typeof canariesList>;

/** A canary with its definition, when it checks next, and how its last check went. */
export const canaryDetail = canarySummary.extend({
  definition: z.record(z.string(), z.unknown()).describe('the canary as created or last patched'),
  created_at: z.string(),
  updated_at: z.string(),
  next_run_at: z.string().nullable().describe('when the next check is due (null while paused)'),
  last_tick: z
    .object({
      status: z.enum(['running', 'finished', 'failed', 'interrupted']),
      started_at: z.string(),
      finished_at: z.string().nullable(),
      run_id: z.string().nullable().describe('the run judging the labelled rows (experiment align)'),
      statistics: z.record(z.string(), z.number().nullable()).nullable(),
      error: z.string().nullable().describe('why it failed'),
    })
    .nullable(),
  job: z
    .object({ id: z.string(), status: jobStatus, error: z.string().nullable() })
    .nullable()
    .describe('the newest job of its schedule: running while the canary is active'),
});
export type CanaryDetail = z.infer<typeof canaryDetail>;

export const runCanaryResponse = z.object({
  requested_at: z.string().describe('a check starting after this time answers the request: follow last_run_at'),
});
export type RunCanaryResponse = z.infer<typeof runCanaryResponse>;

export const canaryAlertsResponse = z.object({
  alerts: z.array(
    z.object({
      at: z.string(),
      run_id: z.string().nullable(),
      statistic: z.string(),
      value: z.number(),
      op: z.string(),
      threshold: z.number(),
      state: z.enum(['firing', 'resolved']),
      webhook: z
        .object({ attempts: z.number().int(), delivered_at: z.string().nullable(), last_error: z.string().nullable() })
        .optional()
        .describe("the alert's webhook POST of this event: retried with backoff until delivered"),
    }),
  ),
});
export type CanaryAlertsResponse = z.infer<typeof canaryAlertsResponse>;
