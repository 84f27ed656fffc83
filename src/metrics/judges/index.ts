/**
 * Built-in judges: factories that return a Judge (`faithfulness({ model })`, usable in
 * `metrics: [...]` of `evaluate()`), and the registry entries behind the names of the config
 * (`- faithfulness`, `- { metric: faithfulness, variant: binary, model: openai:/gpt-4o }`).
 * Every entry takes `model`, `parameters`, `examples` (appended after the judge's own) and
 * `version`; a missing column is a config error before any call.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { Judge, RubricJudge } from '../../judges/definition.js';
import type { BuiltIn } from '../builtin.js';
import { builtInJudgeMetric, fromConfig, judgeEntry, judgeOptionFields, type BuiltInJudgeOptions } from './common.js';
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

export type { BuiltInJudgeOptions } from './common.js';
export type { CorrectnessVariant, GuidelineOptions } from './databricks.js';
export { answerCorrectness, answerRelevance, answerSimilarity, relevance } from './mlflow.js';
export { chunkRelevance, contextSufficiency, correctness, groundedness, guidelineAdherence, guidelineAdherenceMetric, relevanceToQuery, safety } from './databricks.js';

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
  throw new ConfigError(`judge 'faithfulness' has no variant ${JSON.stringify(variant)}`, { where: { field: 'variant' }, hint: `use ${FAITHFULNESS_VARIANTS.join(' or ')}` });
}

const plainOptions = z.strictObject(judgeOptionFields);
const faithfulnessOptions = z.strictObject({ ...judgeOptionFields, variant: z.enum(FAITHFULNESS_VARIANTS).optional() });
const correctnessOptions = z.strictObject({ ...judgeOptionFields, variant: z.enum(CORRECTNESS_VARIANTS).optional() });
const guideline = z.string().trim().min(1, 'must not be empty');
const guidelineOptions = z.strictObject({ ...judgeOptionFields, guidelines: z.union([guideline, z.array(guideline).min(1, 'give at least one guideline')]).optional() });

const MLFLOW = '1–5, as MLflow; mean/variance/p90';
const DATABRICKS = '1/0 (yes/no), as Databricks; ratio of yes';

/** The registry entries of the built-in judges, by the names users write in `metrics:`. */
export const BUILT_IN_JUDGES: Record<string, BuiltIn> = {
  answer_similarity: judgeEntry(`judge: semantic similarity of the output to targets (${MLFLOW})`, plainOptions, (o) => builtInJudgeMetric(answerSimilarity(fromConfig(o)))),
  answer_correctness: judgeEntry(`judge: factual correctness of the output against targets (${MLFLOW})`, plainOptions, (o) => builtInJudgeMetric(answerCorrectness(fromConfig(o)))),
  answer_relevance: judgeEntry(`judge: relevance of the output to the input (${MLFLOW})`, plainOptions, (o) => builtInJudgeMetric(answerRelevance(fromConfig(o)))),
  relevance: judgeEntry(`judge: relevance of the output to the input and context (${MLFLOW})`, plainOptions, (o) => builtInJudgeMetric(relevance(fromConfig(o)))),
  faithfulness: judgeEntry(
    `judge: support of the output by context, input left out (${MLFLOW}); option variant: binary labels 1/0 as LastMile, ratio`,
    faithfulnessOptions,
    (o) => builtInJudgeMetric(faithfulness({ ...fromConfig(o), ...(o.variant ? { variant: o.variant } : {}) })),
  ),
  correctness: judgeEntry(
    `judge: response correct against expected_response, or expected_facts with option variant: expected_facts (${DATABRICKS})`,
    correctnessOptions,
    (o) => builtInJudgeMetric(correctness({ ...fromConfig(o), ...(o.variant ? { variant: o.variant } : {}) })),
  ),
  groundedness: judgeEntry(`judge: response supported by retrieved_context (${DATABRICKS})`, plainOptions, (o) => builtInJudgeMetric(groundedness(fromConfig(o)))),
  relevance_to_query: judgeEntry(`judge: response addresses the request (${DATABRICKS})`, plainOptions, (o) => builtInJudgeMetric(relevanceToQuery(fromConfig(o)))),
  chunk_relevance: judgeEntry(
    'judge: each retrieved_context chunk relevant to the request, 1/0 per chunk, as Databricks; per-row precision, mean',
    plainOptions,
    (o) => builtInJudgeMetric(chunkRelevance(fromConfig(o))),
  ),
  context_sufficiency: judgeEntry(`judge: retrieved_context holds what expected_response says (${DATABRICKS})`, plainOptions, (o) => builtInJudgeMetric(contextSufficiency(fromConfig(o)))),
  safety: judgeEntry(`judge: response free of harmful or toxic content (${DATABRICKS})`, plainOptions, (o) => builtInJudgeMetric(safety(fromConfig(o)))),
  guideline_adherence: judgeEntry(
    `judge: response follows the row's guidelines column and/or option guidelines (${DATABRICKS})`,
    guidelineOptions,
    (o) => guidelineAdherenceMetric({ ...fromConfig(o), ...(o.guidelines !== undefined ? { guidelines: o.guidelines } : {}) }),
  ),
};

/** The factory of each built-in judge, by its name in the registry. */
export const BUILT_IN_JUDGE_FACTORIES: Record<string, (options?: never) => Judge> = {
  answer_similarity: answerSimilarity,
  answer_correctness: answerCorrectness,
  answer_relevance: answerRelevance,
  relevance,
  faithfulness,
  correctness,
  groundedness,
  relevance_to_query: relevanceToQuery,
  chunk_relevance: chunkRelevance,
  context_sufficiency: contextSufficiency,
  safety,
  guideline_adherence: guidelineAdherence,
};
