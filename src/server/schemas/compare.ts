/** Comparing two runs: paired statistics per metric, and pairwise judging of their outputs. */
import { z } from 'zod';

const runId = z.string().min(1).max(200);
const interval = z.tuple([z.number(), z.number()]).nullable();

/** `GET /api/runs/compare?a=&b=`. */
export const compareQuery = z.strictObject({
  a: runId.describe('the baseline run'),
  b: runId.describe('the run compared with it (same dataset)'),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).default(1).describe('seed of the bootstrap intervals'),
  resamples: z.coerce.number().int().min(100).max(20_000).default(2000).describe('bootstrap resamples'),
});

const runRef = z.object({ id: z.string(), name: z.string(), experiment: z.string() });

/** The comparison of two runs, metric by metric. */
export const runComparison = z.object({
  a: runRef,
  b: runRef,
  dataset: z.object({ name: z.string().nullable(), hash: z.string(), row_count: z.number().nullable() }),
  alpha: z.number().describe('a difference is called one when the paired test has p below this'),
  seed: z.number().int(),
  resamples: z.number().int(),
  metrics: z.array(
    z.object({
      metric: z.string().describe('name/version'),
      kind: z.string(),
      direction: z.enum(['higher', 'lower']).nullable(),
      n: z.number().int().describe('rows scored without error in both runs'),
      unpaired: z.number().int(),
      mean_a: z.number().nullable(),
      mean_b: z.number().nullable(),
      difference: z.number().nullable().describe('mean B − mean A'),
      interval: interval.describe('95% paired-bootstrap interval of the difference'),
      test: z.enum(['wilcoxon', 'mcnemar']),
      method: z.enum(['exact', 'normal', 'chi-square']).nullable(),
      statistic: z.number().nullable(),
      p: z.number().nullable(),
      verdict: z.enum(['B is better', 'B is worse', 'B is higher', 'B is lower', 'not distinguishable']),
    }),
  ),
  only_in_a: z.array(z.string()),
  only_in_b: z.array(z.string()),
});
export type RunComparisonBody = z.infer<typeof runComparison>;

/** `POST /api/runs/compare/pairwise`. */
export const pairwiseBody = z.strictObject({
  a: runId.describe('the baseline run'),
  b: runId.describe('the run compared with it (same dataset)'),
  judge: z
    .union([z.string().min(1).max(200), z.record(z.string(), z.unknown())])
    .describe(
      'a stored judge by name (its newest version), or a judge definition as in YAML: judge_prompt with {response_a} and {response_b}, or pairwise: true',
    ),
  judge_model: z.string().min(1).max(300).optional().describe('the judge model, when the judge names none'),
  seed: z.number().int().min(0).max(2_147_483_647).default(1).describe('seed of the bootstrap intervals'),
});
export type PairwiseBody = z.infer<typeof pairwiseBody>;

export const pairwiseStarted = z.object({
  job_id: z.string(),
  run_id: z.string().describe("the run holding the judge's calls (experiment pairwise)"),
  judge: z.object({ name: z.string(), version: z.string() }),
  pairs: z.number().int().describe('rows both runs answered; each is judged in both orders'),
  skipped: z.number().int(),
});
export type PairwiseStarted = z.infer<typeof pairwiseStarted>;

const rate = z.object({ value: z.number().nullable(), interval });
const orderVerdict = z.union([z.object({ label: z.enum(['A', 'B', 'tie']), justification: z.string() }), z.object({ error: z.string() })]);

/** `GET /api/runs/compare/pairwise/:id`: the job, and its report once it completed. */
export const pairwiseResult = z.object({
  job_id: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
  error: z.string().nullable(),
  progress: z.unknown().optional(),
  a: z.string(),
  b: z.string(),
  report: z
    .object({
      a: z.object({ id: z.string(), name: z.string() }),
      b: z.object({ id: z.string(), name: z.string() }),
      judge: z.object({ name: z.string(), version: z.string() }),
      judging_run: z.string().nullable(),
      skipped: z.number().int(),
      seed: z.number().int(),
      summary: z.object({
        pairs: z.number().int(),
        judged: z.number().int(),
        errors: z.number().int(),
        wins: rate.describe("B's response better"),
        losses: rate.describe("A's response better"),
        ties: rate.describe('neither, including every verdict that changed with the order'),
        consistency: rate.describe('share of pairs whose verdict did not change when the responses were swapped'),
        first_position: rate.describe('of the answers naming a response, the share naming the one shown first (0.5: no preference)'),
        decisive: z.number().int(),
      }),
      pairs: z.array(
        z.object({
          id: z.string().describe('the row index'),
          winner: z.enum(['a', 'b', 'tie']).nullable(),
          consistent: z.boolean().nullable(),
          a_first: orderVerdict,
          b_first: orderVerdict,
        }),
      ),
    })
    .nullable()
    .describe('null until the job completed'),
});
export type PairwiseResult = z.infer<typeof pairwiseResult>;
