/**
 * Built-in judges: factories that return a Judge (`faithfulness({ model })`, usable in
 * `metrics: [...]` of `evaluate()`), and the one catalog behind the names of the config
 * (`- faithfulness`, `- { metric: faithfulness, variant: binary, model: openai:/gpt-4o }`).
 * Every entry takes `model`, `parameters`, `examples` (appended after the judge's own) and
 * `version`; a missing column is a config error before any call.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { Judge, RubricJudge } from '../../judges/definition.js';
import { builtInJudgeMetric, fromConfig, judgeEntry, judgeOptionFields, type BuiltInJudge, type BuiltInJudgeOptions } from './common.js';
import {
  chunkRelevance,
  contextSufficiency,
  correctness,
  CORRECTNESS_VARIANTS,
  groundedness,
  guidelineAdherence,
  guidelineAdherenceMetric,
  relevanceToQuery,
  safety,
} from './databricks.js';
import { binaryFaithfulness } from './lastmile.js';
import { answerCorrectness, answerRelevance, answerSimilarity, mlflowFaithfulness, relevance } from './mlflow.js';

export type { BuiltInJudge, BuiltInJudgeOptions } from './common.js';
export type { CorrectnessVariant, GuidelineOptions } from './databricks.js';
export { answerCorrectness, answerRelevance, answerSimilarity, relevance } from './mlflow.js';
export {
  chunkRelevance,
  contextSufficiency,
  correctness,
  groundedness,
  guidelineAdherence,
  guidelineAdherenceMetric,
  relevanceToQuery,
  safety,
} from './databricks.js';

/** The scales of `faithfulness`: MLflow's 1–5 score (default) or LastMile's 1/0 label. */
export const FAITHFULNESS_VARIANTS = ['mlflow', 'binary'] as const;
export type FaithfulnessVariant = (typeof FAITHFULNESS_VARIANTS)[number];

/**
 * `faithfulness`: how much of the output the `context` supports, the input left out. `variant`
 * `mlflow` (default) scores 1–5 (`faithfulness/v1/mean`); `binary` labels 1/0 as LastMile does
 * (`faithfulness/v1/ratio`).
 * @example faithfulness({ variant: 'binary', model: 'openai:/gpt-4o-mini' })
 */
export function faithfulness(options: BuiltInJudgeOptions & { variant?: FaithfulnessVariant } = {}): RubricJudge {
  const variant = options.variant ?? 'mlflow';
  if (variant === 'mlflow') return mlflowFaithfulness(options);
  if (variant === 'binary') return binaryFaithfulness(options);
  throw new ConfigError(`judge 'faithfulness' has no variant ${JSON.stringify(variant)}`, {
    where: { field: 'variant' },
    hint: `use ${FAITHFULNESS_VARIANTS.join(' or ')}`,
  });
}

const plainOptions = z.strictObject(judgeOptionFields);
const faithfulnessOptions = z.strictObject({ ...judgeOptionFields, variant: z.enum(FAITHFULNESS_VARIANTS).optional() });
const correctnessOptions = z.strictObject({ ...judgeOptionFields, variant: z.enum(CORRECTNESS_VARIANTS).optional() });
const guideline = z.string().trim().min(1, 'must not be empty');
const guidelineOptions = z.strictObject({
  ...judgeOptionFields,
  guidelines: z.union([guideline, z.array(guideline).min(1, 'give at least one guideline')]).optional(),
});

const MLFLOW = '1–5, as MLflow; mean/variance/p90';
const DATABRICKS = '1/0 (yes/no), as Databricks; ratio of yes';

/** A judge whose options are the common ones: its metric checks its columns first. */
function plain(description: string, factory: (options?: BuiltInJudgeOptions) => Judge): BuiltInJudge {
  return judgeEntry(description, plainOptions, factory, (o) => builtInJudgeMetric(factory(fromConfig(o))));
}

/** A judge with a `variant` option besides the common ones. */
function withVariant<V extends string>(
  description: string,
  schema: z.ZodType<z.output<typeof plainOptions> & { variant?: V | undefined }>,
  factory: (options?: BuiltInJudgeOptions & { variant?: V }) => Judge,
): BuiltInJudge {
  return judgeEntry(description, schema, factory, (o) =>
    builtInJudgeMetric(factory({ ...fromConfig(o), ...(o.variant ? { variant: o.variant } : {}) })),
  );
}

/**
 * The catalog of built-in judges, by the names users write in `metrics:` and in a label job's
 * `builtin`: each entry is both the registry entry (description, options, metric) and the factory
 * of its judge.
 */
export const BUILT_IN_JUDGES: Record<string, BuiltInJudge> = {
  answer_similarity: plain(`judge: semantic similarity of the output to targets (${MLFLOW})`, answerSimilarity),
  answer_correctness: plain(`judge: factual correctness of the output against targets (${MLFLOW})`, answerCorrectness),
  answer_relevance: plain(`judge: relevance of the output to the input (${MLFLOW})`, answerRelevance),
  relevance: plain(`judge: relevance of the output to the input and context (${MLFLOW})`, relevance),
  faithfulness: withVariant(
    `judge: support of the output by context, input left out (${MLFLOW}); option variant: binary labels 1/0 as LastMile, ratio`,
    faithfulnessOptions,
    faithfulness,
  ),
  correctness: withVariant(
    `judge: response correct against expected_response, or expected_facts with option variant: expected_facts (${DATABRICKS})`,
    correctnessOptions,
    correctness,
  ),
  groundedness: plain(`judge: response supported by retrieved_context (${DATABRICKS})`, groundedness),
  relevance_to_query: plain(`judge: response addresses the request (${DATABRICKS})`, relevanceToQuery),
  chunk_relevance: plain(
    'judge: each retrieved_context chunk relevant to the request, 1/0 per chunk, as Databricks; per-row precision, mean',
    chunkRelevance,
  ),
  context_sufficiency: plain(`judge: retrieved_context holds what expected_response says (${DATABRICKS})`, contextSufficiency),
  safety: plain(`judge: response free of harmful or toxic content (${DATABRICKS})`, safety),
  guideline_adherence: judgeEntry(
    `judge: response follows the row's guidelines column and/or option guidelines (${DATABRICKS})`,
    guidelineOptions,
    guidelineAdherence,
    (o) => guidelineAdherenceMetric({ ...fromConfig(o), ...(o.guidelines !== undefined ? { guidelines: o.guidelines } : {}) }),
  ),
};
