/** Schemas of fine-tunes of a label job's judge at the provider (`POST /api/label-jobs/:id/finetune`). */
import { z } from 'zod';

export const createFinetuneBody = z.strictObject({
  model: z.string().min(1).max(200).describe('the OpenAI base model to fine-tune, e.g. openai:/gpt-4o-mini-2024-07-18'),
  suffix: z.string().min(1).max(64).optional().describe("a suffix for the fine-tuned model's name: letters, digits, '-', '_', '.'"),
  epochs: z.number().int().min(1).max(50).optional().describe('training epochs (default: the provider chooses)'),
});
export type CreateFinetuneBody = z.input<typeof createFinetuneBody>;

export const finetuneStatus = z
  .enum(['pending', 'validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'])
  .describe("pending until the provider has the job (the export is uploading), then the provider's statuses");

export const finetune = z.object({
  id: z.string(),
  label_job_id: z.string(),
  status: finetuneStatus,
  base_model: z.string(),
  suffix: z.string().nullable(),
  epochs: z.number().int().nullable(),
  examples: z.number().int().nullable().describe('training examples uploaded (the label job’s export)'),
  training_file: z.string().nullable().describe("the provider's file id"),
  provider_job_id: z.string().nullable().describe("the provider's fine-tuning job id (ftjob-…)"),
  fine_tuned_model: z.string().nullable().describe('the fine-tuned model, as the provider names it'),
  model: z.string().nullable().describe('the fine-tuned model as a Juror model URI (openai:/ft:…)'),
  judge: z
    .object({ name: z.string(), base_version: z.string().nullable(), version: z.string().nullable(), id: z.string().nullable() })
    .describe('the judge fine-tuned: its version trained from, and the version registered with the fine-tuned model once it succeeded'),
  error: z.string().nullable().describe("the provider's message when it failed"),
  trained_tokens: z.number().nullable(),
  events: z
    .array(z.object({ id: z.string(), at: z.string(), level: z.string(), message: z.string() }))
    .describe("the provider's newest events, oldest first"),
  job_id: z.string().nullable().describe('the job following it on this server (GET /api/jobs/:id), if any'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Finetune = z.infer<typeof finetune>;

export const createFinetuneResponse = z.object({ id: z.string(), job_id: z.string(), status: finetuneStatus });
export const finetunesList = z.object({ finetunes: z.array(finetune) });
export type FinetunesList = z.infer<typeof finetunesList>;
