/**
 * What a canary is (issue #13 §3, MLRun's advice to re-check the judge periodically): a stored judge
 * version, a dataset with human labels (a column, or a label job), how often to check it, and an
 * alert on one agreement statistic. Also the schedule: the next tick is placed by the last one
 * stored, so a restart neither loses the schedule nor runs the ticks it missed one by one.
 */
import { z } from 'zod';
import { STATISTICS } from '../agreement/compare.js';

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration written `<n>m`, `<n>h` or `<n>d` (`30d`, `6h`) in milliseconds, or undefined when it
 * is not one. Used by a canary's `every` and by `juror serve --retention`.
 */
export function durationMs(text: string): number | undefined {
  const match = /^([1-9]\d{0,5})([mhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : undefined;
}

/** The alert of a canary: fires while the statistic of the last check satisfies `op value`. */
export const canaryAlert = z.strictObject({
  statistic: z.enum(STATISTICS).describe('an agreement statistic of align: accuracy, cohen_kappa, krippendorff_alpha, f1…'),
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number(),
  webhook: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('POSTed each firing and resolving, retried with backoff'),
});
export type CanaryAlert = z.output<typeof canaryAlert>;

/** A canary's fields, none defaulted (a PATCH changes only those it gives). */
export const canaryFields = z.strictObject({
  name: z.string().min(1).max(200),
  judge: z.string().min(1).max(200).describe('a stored judge (GET /api/judges)'),
  version: z.string().min(1).max(50).optional().describe('its version (v1, v2…); default the newest when the canary is created'),
  dataset: z.string().min(1).max(200).describe('an uploaded dataset id with human labels'),
  human_col: z.string().min(1).max(200).optional().describe('the column of human labels'),
  label_job: z.string().min(1).max(200).optional().describe("or a label job of the dataset whose people's labels to compare with"),
  judge_model: z.string().min(1).max(500).optional().describe('the judge model URI, when the judge names none'),
  col_mapping: z.record(z.string(), z.string()).optional().describe('judge variable → column'),
  every: z
    .string()
    .refine((text) => durationMs(text) !== undefined, 'write how often as <n>m, <n>h or <n>d (1h, 6h, 1d)')
    .refine((text) => (durationMs(text) ?? Infinity) >= UNITS.m, 'a canary runs at most once a minute'),
  alert: canaryAlert,
});

/** A canary as `POST /api/canaries` takes it. */
export const canarySpec = canaryFields.refine((spec) => spec.human_col === undefined || spec.label_job === undefined, {
  message: 'give human_col or label_job, not both',
  path: ['label_job'],
});
export type CanarySpec = z.output<typeof canaryFields>;

/**
 * When the next tick is due: `every` after the last tick's start, or now when there was none. A
 * tick missed while the process was down is simply due, so it runs once, not once per period missed.
 */
export function nextTick(spec: Pick<CanarySpec, 'every'>, lastStartedAt: string | undefined, createdAt: string): number {
  if (lastStartedAt === undefined) return Date.parse(createdAt);
  return Date.parse(lastStartedAt) + durationMs(spec.every)!;
}
