/**
 * How a label job is started: one zod schema for the library (`LabelJobs.create`), the HTTP route
 * (whose `POST /api/label-jobs` body is built from these fields, so the OpenAPI document and its
 * 400s say the same) and `juror label` (whose flags fill the same object). Errors name the field in
 * the API's words (`sample_size`, `examples[0].score`); the CLI turns those into its flags.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { exampleConfig, LABEL_OUTPUTS } from './criterion.js';
import { MAX_SEED } from './sample.js';

/** The options of a label job besides its dataset. Exactly one of `prompt` and `builtin`. */
export const labelJobOptions = z
  .strictObject({
    /** The criterion as a prompt; `{column}` variables are filled from the dataset's columns. */
    prompt: z.string().min(1, 'must not be empty').optional(),
    /** Or a built-in judge by name (`faithfulness` labels 1/0 as LastMile does). */
    builtin: z.string().min(1, 'must not be empty').optional(),
    /** Default `binary` (a built-in judge other than faithfulness: its own kind). */
    output: z.enum(LABEL_OUTPUTS).optional(),
    /** The judge model URI; else JUROR_JUDGE_MODEL of the environment. */
    model: z.string().min(1, 'must not be empty').optional(),
    examples: z.array(exampleConfig).optional(),
    /** Rows labelled first, for review (default 16). */
    sampleSize: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .default(16),
    /** Seed of the sample (default 1): the same seed picks the same rows. */
    seed: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(MAX_SEED, `must be at most ${MAX_SEED}`)
      .optional(),
    /** The judge name its versions are stored under (default `label_<first 8 of the job id>`). */
    name: z
      .string()
      .regex(/^[A-Za-z][\w.-]*$/, 'must be letters, digits, _ . or -, starting with a letter')
      .optional(),
    colMapping: z.record(z.string(), z.string()).optional(),
    /**
     * true: stop at `awaiting_review` for a person to review the sample (the UI, `juror label --review`).
     * Default false, as LastMile's `label_dataset` then `wait_for_label_dataset_job`: the sample's
     * labels are accepted as they are and every row is labelled straight away.
     */
    review: z.boolean().optional(),
  })
  .check((ctx) => {
    const { prompt, builtin } = ctx.value;
    if ((prompt === undefined) !== (builtin === undefined)) return;
    ctx.issues.push({
      code: 'custom',
      path: ['prompt'],
      input: ctx.value,
      message: prompt === undefined ? 'give the criterion: a prompt or a builtin judge' : 'give a prompt or a builtin judge, not both',
      params: { hint: 'e.g. the prompt "Is {answer} supported by {context}? 1 if so, else 0", or the builtin judge faithfulness' },
    });
  });

/** The options as given (defaults may be left out). */
export type LabelJobOptionsInput = z.input<typeof labelJobOptions>;
/** The options checked, with their defaults. */
export type LabelJobOptions = z.output<typeof labelJobOptions>;

/** The API's names of options whose library names differ. */
const API_NAMES: Record<string, string> = { sampleSize: 'sample_size', colMapping: 'col_mapping' };

/** What to do about a bad option, by its API name. */
const HINTS: Record<string, string> = {
  output: `use ${LABEL_OUTPUTS.join(', ')}`,
  sample_size: 'e.g. 16',
  seed: 'e.g. 1',
  name: 'e.g. rag_faithful',
};

/** Checks label-job options; the first problem is a ConfigError naming the field as the API names it. */
export function parseLabelJobOptions(input: unknown): LabelJobOptions {
  const parsed = labelJobOptions.safeParse(input);
  if (parsed.success) return parsed.data;
  // An unknown key is usually a misspelt known one: report it before the "missing" error it causes.
  const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new ConfigError(`unknown option '${issue.keys[0]}'`, {
      where: { field: issue.keys[0]! },
      hint: `the options are: ${Object.keys(labelJobOptions.shape).join(', ')}`,
    });
  }
  const [head, ...rest] = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  const field = [API_NAMES[head as string] ?? head, ...rest.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`))].join('');
  const hint = issue.code === 'custom' ? (issue.params as { hint?: string } | undefined)?.hint : HINTS[field];
  throw new ConfigError(issue.message.charAt(0).toLowerCase() + issue.message.slice(1), { where: { field }, ...(hint ? { hint } : {}) });
}
