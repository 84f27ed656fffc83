/**
 * The YAML config's shape, snake_case as MLflow's keys. Validated with zod at the edge; every
 * error is mapped back to the file's line and column by the loader.
 */
import { z } from 'zod';
import { isKnownEncoding } from '../data/text.js';
import { AGGREGATIONS } from '../judges/definition.js';
import { MAX_SAMPLES, PANEL_AGGREGATES, type PanelAggregate } from '../judges/jury.js';
import { MODEL_TYPES } from '../metrics/presets.js';

const text = z.string().min(1, 'must not be empty');
const parameters = z.record(z.string(), z.unknown());

export const exampleSchema = z.strictObject({
  input: z.string().optional(),
  output: z.string(),
  score: z.union([z.number(), z.string()]),
  justification: z.string(),
  grading_context: z.record(z.string(), z.string()).optional(),
});

const outputSchema = z.union([
  z.enum(['scale', 'yes_no', 'binary']),
  z.strictObject({ scale: z.tuple([z.number().int(), z.number().int()]) }),
  z.strictObject({ categories: z.record(z.string(), z.number()) }),
  z.strictObject({ yes_no: z.strictObject({ threshold: z.number() }) }),
]);

const judgeCommon = {
  name: text,
  version: z.string().optional(),
  model: text.optional(),
  parameters: parameters.optional(),
  aggregations: z.array(z.enum(AGGREGATIONS as [string, ...string[]])).optional(),
  greater_is_better: z.boolean().optional(),
  metric_metadata: z.record(z.string(), z.unknown()).optional(),
  output: outputSchema.optional(),
  examples: z.array(exampleSchema).optional(),
  /** A jury, samples, logprob scores: checked further by the judge's maker (judges/jury.ts). */
  models: z.array(text).optional(),
  aggregate: z.enum(PANEL_AGGREGATES as [PanelAggregate, ...PanelAggregate[]]).optional(),
  samples: z.number().int().min(1).max(MAX_SAMPLES).optional(),
  scoring: z.literal('logprobs').optional(),
};

export const rubricJudgeSchema = z.strictObject({
  ...judgeCommon,
  definition: text,
  grading_prompt: text,
  grading_context_columns: z.array(z.string()).optional(),
  include_input: z.boolean().optional(),
  /** Compare two responses, {response_a} and {response_b}, answering A, B or tie (judges/pairwise-output.ts). */
  pairwise: z.boolean().optional(),
});

export const promptJudgeSchema = z.strictObject({
  ...judgeCommon,
  judge_prompt: text,
});

export type RubricJudgeConfig = z.infer<typeof rubricJudgeSchema>;
export type PromptJudgeConfig = z.infer<typeof promptJudgeSchema>;
export type JudgeConfig = RubricJudgeConfig | PromptJudgeConfig;

/** The data file: a path, or a path with the encoding of a file that is not UTF-8. */
const dataSchema = z.union(
  [
    text,
    z.strictObject({
      path: text,
      encoding: text.refine(isKnownEncoding, { error: (issue) => `'${String(issue.input)}' is not an encoding Juror can read` }).optional(),
    }),
  ],
  { error: 'must be a file path, or { path, encoding }' },
);

export const configSchema = z.strictObject({
  experiment: text.optional(),
  run_name: text.optional(),
  data: dataSchema,
  col_mapping: z.record(z.string(), text).optional(),
  model: z
    .strictObject({
      uri: text,
      system: z.string().optional(),
      prompt: text,
      parameters: parameters.optional(),
    })
    .optional(),
  model_type: z.enum(MODEL_TYPES).optional(),
  judge_model: text.optional(),
  metrics: z.array(z.unknown()).optional(),
  // Databricks' examples_df: a table file, or its rows.
  examples: z.union([text, z.array(z.record(z.string(), z.unknown()))]).optional(),
  extra_metrics: z.array(z.unknown()).optional(),
  thresholds: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  endpoints: z
    .record(
      z.string(),
      z.strictObject({
        base_url: text,
        api_key_env: text.optional(),
        structured_outputs: z.boolean().optional(),
        headers: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
  providers: z
    .record(
      z.string(),
      z.strictObject({
        max_concurrency: z.number().int().positive().optional(),
        rpm: z.number().positive().optional(),
        tpm: z.number().positive().optional(),
      }),
    )
    .optional(),
  prices: z.record(z.string(), z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() })).optional(),
});

export type JurorConfig = z.infer<typeof configSchema>;
