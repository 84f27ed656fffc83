/** Schemas of distilled judges over HTTP: training one from a label job, and listing them. */
import { z } from 'zod';

export const distillBody = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w.-]+$/, 'use letters, digits, _ . and -')
    .optional()
    .describe("the distilled judge's name (a new version of it is stored); default the label job's judge name"),
  folds: z.number().int().min(2).max(20).optional().describe('cross-validation folds (default 5)'),
  features: z
    .enum(['ngrams', 'embeddings'])
    .optional()
    .describe('ngrams (default): hashed word and character n-grams; embeddings: a transformers.js embedding model the server can load'),
  embedding_model: z.string().min(1).max(500).optional().describe('with embeddings: a Hub model id (default Xenova/all-MiniLM-L6-v2)'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .optional(),
});
export type DistillBody = z.output<typeof distillBody>;

export const distillResponse = z.object({ job_id: z.string(), name: z.string() });

export const distilledVersion = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  kind: z.literal('distilled'),
  created_at: z.string(),
  source: z.record(z.string(), z.unknown()).describe('{ label_job_id, dataset_id } or { file, label_col }'),
  report: z
    .record(z.string(), z.unknown())
    .describe('the cross-validated report: rows, accuracy, agreement { labels, human?, llm } with intervals, calibration, coverage'),
});
export type DistilledVersion = z.infer<typeof distilledVersion>;

export const distilledList = z.object({ versions: z.array(distilledVersion) });
export type DistilledList = z.infer<typeof distilledList>;
