/**
 * MLflow's built-in GenAI metrics as rubric judges: 1–5 scores aggregated as mean, variance and
 * p90 (`answer_similarity/v1/mean`), built as `make_genai_metric` builds them — the same grading
 * context columns and, for faithfulness, no input (`include_input=False`). The texts are in
 * prompts/mlflow.ts. Unlike MLflow, whose `examples` replace the metric's own, extra examples are
 * appended after the judge's own, as Databricks does for its built-in judges.
 */
import { makeGenaiMetric, type Aggregation, type RubricJudge } from '../../judges/definition.js';
import { modelFields, pickVersion, withExtraExamples, type BuiltInJudgeOptions } from './common.js';
import { ANSWER_CORRECTNESS, ANSWER_RELEVANCE, ANSWER_SIMILARITY, FAITHFULNESS, RELEVANCE, type RubricText } from './prompts/mlflow.js';

/** How a rubric judge is built from its texts. */
export interface RubricSpec {
  name: string;
  versions: Record<string, RubricText>;
  gradingContextColumns: string[];
  includeInput: boolean;
  output?: { type: 'binary' };
  aggregations?: Aggregation[];
}

/** Builds a rubric judge from its spec and the built-in options. */
export function rubricJudge(spec: RubricSpec, options: BuiltInJudgeOptions): RubricJudge {
  const { version, text } = pickVersion(spec.name, spec.versions, options.version);
  return withExtraExamples(
    (examples) =>
      makeGenaiMetric({
        name: spec.name,
        version,
        definition: text.definition,
        gradingPrompt: text.gradingPrompt,
        gradingContextColumns: spec.gradingContextColumns,
        includeInput: spec.includeInput,
        examples,
        ...(spec.output ? { output: spec.output } : {}),
        ...(spec.aggregations ? { aggregations: spec.aggregations } : {}),
        ...modelFields(options),
      }),
    text.examples,
    options.examples,
  );
}

export const ANSWER_SIMILARITY_SPEC: RubricSpec = {
  name: 'answer_similarity',
  versions: ANSWER_SIMILARITY,
  gradingContextColumns: ['targets'],
  includeInput: true,
};
export const ANSWER_CORRECTNESS_SPEC: RubricSpec = {
  name: 'answer_correctness',
  versions: ANSWER_CORRECTNESS,
  gradingContextColumns: ['targets'],
  includeInput: true,
};
export const ANSWER_RELEVANCE_SPEC: RubricSpec = {
  name: 'answer_relevance',
  versions: ANSWER_RELEVANCE,
  gradingContextColumns: [],
  includeInput: true,
};
export const RELEVANCE_SPEC: RubricSpec = {
  name: 'relevance',
  versions: RELEVANCE,
  gradingContextColumns: ['context'],
  includeInput: true,
};
export const FAITHFULNESS_SPEC: RubricSpec = {
  name: 'faithfulness',
  versions: FAITHFULNESS,
  gradingContextColumns: ['context'],
  includeInput: false,
};

/**
 * MLflow `answer_similarity`: how close in meaning the output is to `targets` (1–5).
 * @example answerSimilarity({ model: 'openai:/gpt-4o' })
 */
export function answerSimilarity(options: BuiltInJudgeOptions = {}): RubricJudge {
  return rubricJudge(ANSWER_SIMILARITY_SPEC, options);
}

/** MLflow `answer_correctness`: how factually correct the output is, `targets` being the ground truth (1–5). */
export function answerCorrectness(options: BuiltInJudgeOptions = {}): RubricJudge {
  return rubricJudge(ANSWER_CORRECTNESS_SPEC, options);
}

/** MLflow `answer_relevance`: how well the output addresses the input (1–5). */
export function answerRelevance(options: BuiltInJudgeOptions = {}): RubricJudge {
  return rubricJudge(ANSWER_RELEVANCE_SPEC, options);
}

/** MLflow `relevance`: how well the output answers the input from `context` (1–5). */
export function relevance(options: BuiltInJudgeOptions = {}): RubricJudge {
  return rubricJudge(RELEVANCE_SPEC, options);
}

/** MLflow `faithfulness`: how much of the output `context` supports, the input left out (1–5). */
export function mlflowFaithfulness(options: BuiltInJudgeOptions = {}): RubricJudge {
  return rubricJudge(FAITHFULNESS_SPEC, options);
}
