/** Schemas of uploaded datasets. */
import { z } from 'zod';
import { pageQuery } from './common.js';

export const datasetFormat = z.enum(['csv', 'jsonl', 'json', 'parquet']);

export const dataset = z.object({
  id: z.string(),
  name: z.string(),
  original_name: z.string().describe('the file name it was uploaded under'),
  format: datasetFormat,
  columns: z.array(z.string()),
  row_count: z.number().int(),
  hash: z.string().describe('sha256 of the bytes, as runs record it'),
  size_bytes: z.number().int(),
  created_at: z.string(),
});
export type Dataset = z.infer<typeof dataset>;

export const datasetsQuery = z.strictObject(pageQuery(50, 500));
/** The query as a client gives it. */
export type DatasetsQuery = Partial<z.output<typeof datasetsQuery>>;
export const datasetsList = z.object({
  datasets: z.array(dataset),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type DatasetsList = z.infer<typeof datasetsList>;

export const datasetDetail = dataset.extend({ preview: z.array(z.record(z.string(), z.unknown())).describe('the first 20 rows') });
export type DatasetDetail = z.infer<typeof datasetDetail>;

export const downloadQuery = z.strictObject({
  format: z.enum(['csv', 'jsonl']).optional().describe("default: the dataset's own format when CSV or JSON Lines, else jsonl"),
  label_job: z.string().min(1).optional().describe("the label job whose labels are added (default: the dataset's newest completed one)"),
});

/** The multipart upload, for the OpenAPI document (multipart bodies are read as a stream, not validated as JSON). */
export const uploadBody: Record<string, unknown> = {
  type: 'object',
  required: ['file'],
  properties: {
    name: { type: 'string', description: "the dataset's name (default: the file name without extension); send before the file" },
    format: {
      type: 'string',
      enum: ['csv', 'jsonl', 'json', 'parquet'],
      description: "overrides the file name's extension; send before the file",
    },
    file: { type: 'string', format: 'binary', description: 'a .csv, .jsonl, .json or .parquet file' },
  },
};

/** `POST /api/datasets/from-interactions`: stored interactions saved as a dataset. */
export const fromInteractionsBody = z.strictObject({
  name: z.string().trim().min(1).max(200).describe("the dataset's name"),
  interaction_ids: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(10_000)
    .describe('the interactions, one row each in this order (an id given twice is one row)'),
  monitor_id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("adds this monitor's scores: columns <metric>/score and <metric>/justification for each metric it scored"),
});
export type FromInteractionsBody = z.input<typeof fromInteractionsBody>;
