/** Schemas of background jobs. */
import { z } from 'zod';
import { pageQuery } from './common.js';

export const jobStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export const jobKind = z
  .enum(['evaluate', 'label', 'align', 'monitor', 'canary', 'finetune', 'audit', 'pairwise', 'distill'])
  .describe(
    'evaluate: POST /api/runs; label: a pass of a label job; align: POST /api/judges/:name/align; monitor: a monitor judging traffic (POST /api/monitors); canary: a judge checked on a schedule (POST /api/canaries); finetune: a fine-tune followed at the provider (POST /api/label-jobs/:id/finetune); audit: bias probes of a judge version (POST /api/judges/:name/audit); pairwise: a pairwise judge over the outputs of two runs (POST /api/runs/compare/pairwise); distill: a distilled judge trained on a label job (POST /api/label-jobs/:id/distill)',
  );

export const jobProgress = z.object({
  rows_done: z.number().int(),
  row_count: z.number().int(),
  errors: z.number().int().describe('error rows so far'),
  calls: z.number().int(),
  cache_hits: z.number().int(),
  cost_usd: z.number(),
  metrics: z.array(z.object({ metric: z.string(), done: z.number().int(), errors: z.number().int(), cost_usd: z.number() })),
});
export type JobProgress = z.infer<typeof jobProgress>;

export const job = z.object({
  id: z.string(),
  kind: jobKind,
  status: jobStatus,
  progress: jobProgress.nullable(),
  error: z.string().nullable().describe('why the job failed or stopped'),
  run_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Job = z.infer<typeof job>;

export const jobsQuery = z.strictObject({ kind: jobKind.optional(), status: jobStatus.optional(), ...pageQuery(50, 500) });
/** The query as a client gives it. */
export type JobsQuery = Partial<z.output<typeof jobsQuery>>;
export const jobsList = z.object({ jobs: z.array(job), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export type JobsList = z.infer<typeof jobsList>;
