/** Schemas of label jobs (LLM Judge++): starting one, its labels, review, uncertain rows and agreement. */
import { z } from 'zod';
import { LABEL_OUTPUTS } from '../../labeling/criterion.js';
import { labelJobOptions } from '../../labeling/options.js';
import { MAX_SEED } from '../../labeling/sample.js';
import { pageQuery } from './common.js';

export const labelOutput = z
  .enum(LABEL_OUTPUTS)
  .describe('binary: 1/0 (LastMile); yes_no: yes/no (Databricks, stored as 1/0); scale_1_5: an integer 1–5');
export const labelJobStatus = z.enum(['sampling', 'awaiting_review', 'running', 'completed', 'failed', 'cancelled']);

const option = labelJobOptions.shape;

/**
 * `POST /api/label-jobs`: the label-job options of src/labeling/options.ts under the API's names,
 * each field's schema taken from there (the engine checks the rest, e.g. a prompt or a builtin).
 */
export const createLabelJobBody = z.strictObject({
  dataset_id: z.string().min(1).describe('an uploaded dataset (POST /api/datasets)'),
  prompt: option.prompt.describe('the criterion; `{column}` variables are filled from the dataset. Give this or builtin'),
  builtin: option.builtin.describe('a built-in judge instead of a prompt, e.g. faithfulness'),
  output: option.output.describe('default binary (a built-in judge other than faithfulness: its own kind)'),
  model: option.model.describe('the judge model URI, e.g. openai:/gpt-4o-mini; default JUROR_JUDGE_MODEL of the server'),
  examples: option.examples.describe('your own few-shot examples; reviewed labels are added after them'),
  sample_size: option.sampleSize.describe('rows labelled first (for review, with review: true)'),
  seed: option.seed.describe('seed of the sample (default 1): the same seed picks the same rows'),
  name: option.name.describe('the judge name its versions are stored under (default label_<job id prefix>)'),
  col_mapping: option.colMapping.describe('standard variable → column, e.g. { "context": "docs" }'),
  review: option.review.describe(
    'true: stop at awaiting_review for a person to review the sample (POST /api/label-jobs/:id/review). Default false: the sample is accepted as labelled and every row is labelled at once',
  ),
});
export type CreateLabelJobBody = z.input<typeof createLabelJobBody>;

export const createLabelJobResponse = z.object({ job_id: z.string(), status: labelJobStatus });
export type CreateLabelJobResponse = z.infer<typeof createLabelJobResponse>;

export const labelProgress = z.object({
  phase: z.enum(['sample', 'full']),
  rows_done: z.number().int(),
  row_count: z.number().int(),
  errors: z.number().int(),
  calls: z.number().int(),
  cost_usd: z.number(),
});

const labelValue = z.number().nullable().describe('1/0 for binary and yes/no, 1–5 for scales; null without a usable label');

export const labelItem = z.object({
  row: z.number().int().describe('0-based row of the dataset'),
  label: labelValue,
  label_text: z.string().nullable().describe('yes / no for yes/no jobs'),
  justification: z.string().nullable(),
  source: z.enum(['human', 'llm', 'code']).nullable(),
  judge_version: z.string().nullable().describe('the judge version of an LLM label'),
  labelled_at: z.string().nullable().describe('when the label was given (ISO 8601)'),
  error: z.string().nullable().describe('why the judge gave no usable answer'),
  llm: z
    .object({
      label: z.number(),
      label_text: z.string().nullable(),
      justification: z.string().nullable(),
      judge_version: z.string().nullable(),
    })
    .nullable()
    .optional()
    .describe("the judge's label of a row a person labelled"),
  record: z.record(z.string(), z.unknown()).optional().describe("the row's columns (sample view)"),
});

const vote = z.object({ label: z.number(), label_text: z.string().nullable(), count: z.number().int() });
const probe = z.object({
  label: z.number().nullable(),
  label_text: z.string().nullable(),
  justification: z.string().nullable(),
  error: z.string().nullable(),
  model: z.string().nullable(),
});
export const uncertainRow = z.object({
  row: z.number().int(),
  reason: z.string().describe('why it was chosen, e.g. "2 of 3 samples said 1, 1 said 0"'),
  disagreement: z.number().describe('share of samples that differ from the most common label'),
  votes: z.array(vote),
  samples: z.array(probe),
});

export const labelJob = z.object({
  id: z.string(),
  dataset_id: z.string(),
  name: z.string().describe('the judge name its versions are stored under'),
  status: labelJobStatus,
  judge: z.object({ id: z.string(), name: z.string(), version: z.string() }).nullable().describe('the current judge version'),
  criterion: z.record(z.string(), z.unknown()).describe('prompt or builtin, output, model, examples, col_mapping'),
  sample: z.array(z.number().int()),
  sample_size: z.number().int(),
  seed: z.number().int(),
  versions: z.array(
    z.object({ judge_id: z.string(), version: z.string(), example_rows: z.array(z.number().int()), created_at: z.string() }),
  ),
  runs: z.array(z.object({ run_id: z.string(), phase: z.enum(['sample', 'full']), judge_id: z.string() })),
  progress: labelProgress.nullable(),
  error: z.string().nullable(),
  uncertain: z
    .array(uncertainRow.extend({ record: z.record(z.string(), z.unknown()).optional().describe("the row's columns (while in review)") }))
    .nullable()
    .describe('rows offered for review by GET /api/label-jobs/:id/uncertain'),
  scope: z.enum(['sample', 'all']).describe('labels holds the sample (in review) or every row (once labelled)'),
  labels: z.array(labelItem),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type LabelJob = z.infer<typeof labelJob>;

/** `GET /api/label-jobs`: one line per job, newest first. */
export const labelJobsQuery = z.strictObject({
  ...pageQuery(50, 500),
  dataset_id: z.string().min(1).optional().describe('only the jobs of this dataset'),
  status: labelJobStatus.optional(),
});
export type LabelJobsQuery = Partial<z.output<typeof labelJobsQuery>>;
export const labelJobSummary = labelJob
  .pick({
    id: true,
    dataset_id: true,
    name: true,
    status: true,
    judge: true,
    criterion: true,
    sample_size: true,
    progress: true,
    error: true,
    created_at: true,
    updated_at: true,
  })
  .extend({
    versions: z.number().int().describe('judge versions the job went through'),
  });
export const labelJobsList = z.object({
  jobs: z.array(labelJobSummary),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type LabelJobsList = z.infer<typeof labelJobsList>;

export const labelJobQuery = z.strictObject(pageQuery(100, 1000));
/** The query as a client gives it. */
export type LabelJobQuery = Partial<z.output<typeof labelJobQuery>>;

const humanLabel = z.strictObject({
  row: z.number().int().min(0).describe('0-based dataset row, of the sample or the uncertain rows'),
  label: z.union([z.number(), z.string()]).describe('1/0 (binary), yes/no or 1/0 (yes_no), 1–5 (scale_1_5)'),
  justification: z.string().nullable().optional().describe("default: the judge's own when the label is kept"),
});
export type HumanLabel = z.infer<typeof humanLabel>;

/** `POST /api/label-jobs/:id/review`. */
export const reviewBody = z.strictObject({
  labels: z.array(humanLabel).describe('your labels; rows left out keep the judge label and are not examples'),
  prompt: z.string().optional().describe('a revised prompt (prompt jobs only)'),
});
export type ReviewBody = z.infer<typeof reviewBody>;

/** `POST /api/label-jobs/:id/resample`. */
export const resampleBody = z
  .strictObject({
    labels: z.array(humanLabel).optional(),
    prompt: z.string().optional().describe('a revised prompt (prompt jobs only)'),
  })
  .nullish()
  .describe('optional: without a body the sample is re-labelled by the current version where it has not been');
export type ResampleBody = z.infer<typeof resampleBody>;

export const uncertainQuery = z.strictObject({
  k: z.coerce.number().int().min(2).max(10).default(3).describe('samples per row'),
  limit: z.coerce.number().int().min(1).max(100).default(16).describe('rows returned at most'),
  pool: z.coerce.number().int().min(1).max(1000).default(100).describe('candidate rows probed at most (k calls each)'),
  temperature: z.coerce.number().gt(0).max(2).default(1).describe('temperature of the samples'),
  compare_model: z.string().min(1).optional().describe('a second judge model: rows where the two models disagree (k is then 2)'),
});
export type UncertainQuery = Partial<z.output<typeof uncertainQuery>>;

export const uncertainResponse = z.object({
  job_id: z.string(),
  k: z.number().int(),
  candidates: z.number().int().describe('rows probed'),
  calls: z.number().int(),
  cost_usd: z.number(),
  rows: z.array(uncertainRow.extend({ record: z.record(z.string(), z.unknown()) })),
});
export type UncertainResponse = z.infer<typeof uncertainResponse>;

const statistics = z.record(z.string(), z.number().nullable());
export const versionAgreement = z.object({
  judge_id: z.string(),
  version: z.string(),
  n: z.number().int(),
  excluded_examples: z.number().int().describe('reviewed rows left out: they are few-shot examples of this version'),
  unlabelled: z.number().int(),
  statistics: statistics.describe(
    'accuracy, cohen_kappa, weighted_kappa, krippendorff_alpha, spearman, kendall_tau, precision, recall, f1',
  ),
  confusion: z
    .object({ labels: z.array(z.union([z.string(), z.number()])), matrix: z.array(z.array(z.number().int())) })
    .describe('matrix[i][j]: human labels[i], judge labels[j]'),
  ci: z.record(z.string(), z.tuple([z.number(), z.number()]).nullable()),
  notes: z.array(z.string()),
  computed_at: z.string(),
});

export const labelAgreement = z.object({
  job_id: z.string(),
  judge: z.string(),
  reviewed: z.number().int().describe('rows with a human label'),
  versions: z.array(versionAgreement),
  notes: z.array(z.string()),
});
export type LabelAgreement = z.infer<typeof labelAgreement>;

export const judgeNameParams = z.strictObject({ name: z.string().min(1).max(200) });

export const judgeAgreementHistory = z.object({
  name: z.string(),
  series: z.array(
    z.object({
      version: z.string(),
      judge_id: z.string(),
      points: z.array(
        z.object({
          computed_at: z.string(),
          n: z.number().int(),
          dataset_id: z.string().describe('the stored dataset; for `juror align` over a file not uploaded, the sha256 of its rows'),
          label_job_id: z.string().nullable().describe('the label job whose labels were compared'),
          run_id: z.string().nullable().describe('the run of a check that ran the judge (juror align, POST /api/judges/:name/align)'),
          statistics,
        }),
      ),
    }),
  ),
});
export type JudgeAgreementHistory = z.infer<typeof judgeAgreementHistory>;

/** `POST /api/judges/:name/align`. */
export const alignBody = z.strictObject({
  dataset_id: z.string().min(1).describe('an uploaded dataset'),
  human_col: z.string().min(1).optional().describe('the column of human labels in the uploaded file'),
  label_job: z
    .string()
    .min(1)
    .optional()
    .describe(
      "or the label job of the dataset whose human labels to compare with; default (without human_col) the dataset's label job of this judge",
    ),
  version: z.string().min(1).optional().describe('the judge version (v1, v2…); default the newest'),
  judge_id: z.string().min(1).optional().describe('one exact definition (GET /api/judges lists their ids), when two share a version'),
  judge_model: z
    .string()
    .min(1)
    .optional()
    .describe('the judge model URI, when the judge names none; default JUROR_JUDGE_MODEL of the server'),
  col_mapping: z.record(z.string(), z.string()).optional().describe('judge variable → column'),
  threshold: z.number().optional().describe('scales: a score at or below it is a negative verdict for precision/recall/F1 (default 3)'),
  seed: z.number().int().min(0).max(MAX_SEED).default(1).describe('seed of the bootstrap intervals'),
  cache: z.boolean().default(true).describe('false: ask the judge model again rather than reuse stored answers (a re-check for drift)'),
});
export type AlignBody = z.output<typeof alignBody>;
/** The body as a client gives it (defaults left out). */
export type AlignRequest = z.input<typeof alignBody>;

export const alignResponse = z.object({
  job_id: z.string().describe('follow it with GET /api/jobs/:id'),
  run_id: z.string().describe('the run judging the labelled rows (experiment align)'),
  judge: z.object({ id: z.string(), name: z.string(), version: z.string() }),
  rows: z.number().int().describe('rows with a human label, judged'),
});
export type AlignResponse = z.infer<typeof alignResponse>;
