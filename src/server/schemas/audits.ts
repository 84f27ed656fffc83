/** Schemas of judge audits: `POST /api/judges/:name/audit` and `GET /api/judges/:name/audits`. */
import { z } from 'zod';
import { PROBES } from '../../audit/perturb.js';
import { MAX_SEED } from '../../labeling/sample.js';

/** The most rows one audit judges: each is judged about 30 times (every perturbation, then the samples). */
export const MAX_AUDIT_ROWS = 500;

export const auditBody = z.strictObject({
  dataset_id: z.string().min(1).describe('an uploaded dataset (POST /api/datasets)'),
  version: z.string().min(1).optional().describe('the judge version (v1, v2…); default the newest'),
  judge_id: z.string().min(1).optional().describe('one exact definition (GET /api/judges lists their ids), when two share a version'),
  probes: z
    .array(z.enum(PROBES))
    .min(1)
    .max(PROBES.length)
    .optional()
    .describe('the probes to run (default all that apply): verbosity, authority, injection, consistency; position for a pairwise judge'),
  samples: z.number().int().min(2).max(20).default(5).describe('self-consistency: samples per row'),
  temperature: z.number().min(0).max(2).default(0.7).describe('self-consistency: the temperature of the samples'),
  rows: z
    .number()
    .int()
    .min(1)
    .max(MAX_AUDIT_ROWS)
    .default(100)
    .describe(`audit the first rows of the dataset (at most ${MAX_AUDIT_ROWS})`),
  human_col: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('a column of human labels in the uploaded file: also report the agreement with them'),
  col_mapping: z.record(z.string().max(200), z.string().max(200)).optional().describe('judge variable → column'),
  judge_model: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .describe('the judge model URI, when the judge names none; default JUROR_JUDGE_MODEL of the server'),
  threshold: z.number().optional().describe('scales: a score at or below it is not a positive verdict (default 3)'),
  seed: z.number().int().min(0).max(MAX_SEED).default(1).describe('seed of the bootstrap intervals'),
  cache: z.boolean().default(true).describe('false: ask the judge again for rows and copies it answered before'),
});
export type AuditBody = z.output<typeof auditBody>;
/** The body as a client gives it (defaults left out). */
export type AuditRequest = z.input<typeof auditBody>;

export const auditResponse = z.object({
  job_id: z.string().describe('follow it with GET /api/jobs/:id; the audit then appears in GET /api/judges/:name/audits'),
  run_id: z.string().describe('the run judging the rows and their perturbed copies (experiment audit)'),
  judge: z.object({ id: z.string(), name: z.string(), version: z.string() }),
  rows: z.number().int().describe('rows audited'),
});
export type AuditResponse = z.infer<typeof auditResponse>;

const estimate = z
  .object({ value: z.number().nullable(), ci: z.tuple([z.number(), z.number()]).nullable() })
  .nullable()
  .describe('the number with its 95% bootstrap interval; null when the probe did not run');

export const judgeAudits = z.object({
  name: z.string(),
  audits: z.array(
    z.object({
      id: z.string(),
      judge_id: z.string(),
      version: z.string(),
      dataset_id: z.string().describe('the stored dataset; for `juror audit` over a file not uploaded, the sha256 of its rows'),
      run_id: z.string().nullable(),
      suite: z.string(),
      suite_version: z.string(),
      n: z.number().int().describe('rows audited'),
      created_at: z.string(),
      summary: z.object({
        verbosity_shift: estimate.describe('mean score shift of padded responses'),
        authority_shift: estimate.describe('mean score shift of framed responses'),
        injection_flip_rate: estimate.describe('share of attacks that flipped a verdict to positive'),
        consistency_alpha: estimate.describe("Krippendorff's α across samples"),
        consistency_change_rate: estimate.describe('share of rows whose verdict changes across samples'),
        position_consistency: estimate.describe('pairwise judges: share of pairs whose verdict survives swapping the responses'),
        first_position: estimate.describe('pairwise judges: share of decisive answers naming the response shown first (0.5: none)'),
      }),
      report: z.record(z.string(), z.unknown()).describe('every number of the audit, as `juror audit --json` prints it'),
    }),
  ),
});
export type JudgeAudits = z.infer<typeof judgeAudits>;
