/**
 * A label job's criterion — a prompt with `{column}` variables or a built-in judge, an output kind,
 * a model and the user's own few-shot examples — and the judge definition it makes. Each edit
 * (a revised prompt, new human examples) makes a new definition, stored as a new judge version.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { makeGenaiMetricFromPrompt, type EvaluationExample, type Judge, type OutputKind } from '../judges/definition.js';
import { BUILT_IN_JUDGES } from '../metrics/judges/index.js';

/** The output kinds a label job can have: LastMile's 1/0, Databricks' yes/no, a 1–5 scale. */
export const LABEL_OUTPUTS = ['binary', 'yes_no', 'scale_1_5'] as const;
export type LabelOutput = (typeof LABEL_OUTPUTS)[number];

const exampleFields = {
  input: z.string().optional(),
  output: z.string(),
  score: z.union([z.number(), z.string()]),
  justification: z.string(),
  grading_context: z.record(z.string(), z.string()).optional(),
};

/** A few-shot example as the API and the config write it (snake_case); its justification may not be empty. */
export const exampleConfig = z.strictObject({ ...exampleFields, justification: z.string().min(1, 'must not be empty') });
export type ExampleConfig = z.output<typeof exampleConfig>;

/**
 * What a label job judges by, as its `criterion` JSON is stored: parsed when a job is read, so the
 * label-job code trusts its type. Unknown keys are kept (a newer Juror's, written back untouched);
 * examples are read as stored, without the emptiness check of new input.
 */
export const storedCriterion = z.looseObject({
  /** A prompt judge's prompt, whose `{variables}` are the dataset's columns. */
  prompt: z.string().optional(),
  /** Or a built-in judge by name (`faithfulness`, `groundedness`…). */
  builtin: z.string().optional(),
  output: z.enum(LABEL_OUTPUTS),
  /** The judge model URI; else the judge model of the environment (JUROR_JUDGE_MODEL). */
  model: z.string().optional(),
  /** The user's own few-shot examples; human labels of the job are added after them. */
  examples: z.array(z.looseObject(exampleFields)),
  /** Standard variable → dataset column (`{ context: 'retrieved_docs' }`). */
  col_mapping: z.record(z.string(), z.string()).optional(),
});
/** What a label job judges by. Stored as the job's `criterion` JSON. */
export type Criterion = z.output<typeof storedCriterion>;

/** A criterion as a job is started with: a prompt or a built-in judge, and what else was given. */
export interface CriterionInput {
  prompt?: string | undefined;
  builtin?: string | undefined;
  output?: LabelOutput | undefined;
  model?: string | undefined;
  examples?: ExampleConfig[] | undefined;
  colMapping?: Record<string, string> | undefined;
}

/** The stored criterion of a job's input (its output defaulted by {@link defaultOutput}); a prompt wins over a built-in. */
export function makeCriterion(input: CriterionInput): Criterion {
  return {
    ...(input.prompt !== undefined ? { prompt: input.prompt } : { builtin: input.builtin ?? '' }),
    output: input.output ?? defaultOutput(input),
    ...(input.model !== undefined ? { model: input.model } : {}),
    examples: input.examples ?? [],
    ...(input.colMapping ? { col_mapping: input.colMapping } : {}),
  };
}

/** The judge output kind of a label output. */
export function outputKind(output: LabelOutput): OutputKind {
  switch (output) {
    case 'binary':
      return { type: 'binary' };
    case 'yes_no':
      return { type: 'yes_no', threshold: 3 };
    case 'scale_1_5':
      return { type: 'scale', min: 1, max: 5 };
  }
}

/** The label output of a judge output kind, or undefined when labels cannot take it. */
export function labelOutputOf(kind: OutputKind): LabelOutput | undefined {
  if (kind.type === 'binary') return 'binary';
  if (kind.type === 'yes_no') return 'yes_no';
  if (kind.type === 'scale' && kind.min === 1 && kind.max === 5) return 'scale_1_5';
  return undefined;
}

/**
 * The output a criterion gets when none is given: binary for a prompt (LastMile's labels) and for
 * `faithfulness` (its LastMile variant), else the built-in judge's own kind.
 */
export function defaultOutput(source: { prompt?: string | undefined; builtin?: string | undefined }): LabelOutput {
  if (source.builtin === undefined || source.builtin === 'faithfulness') return 'binary';
  const builtIn = BUILT_IN_JUDGES[source.builtin];
  return (builtIn && labelOutputOf(builtIn.judge().output)) ?? 'binary';
}

/**
 * The judge of a criterion under `name` and `version`, with `extra` examples (the human labels)
 * after the user's. Errors are ConfigErrors whose field is the API's (`prompt`, `builtin`,
 * `output`, `examples[0].score`).
 */
export function judgeForCriterion(criterion: Criterion, options: { name: string; version: string; extra?: EvaluationExample[] }): Judge {
  const examples = [...criterion.examples.map(exampleFromConfig), ...(options.extra ?? [])];
  try {
    if (criterion.prompt !== undefined) {
      return makeGenaiMetricFromPrompt({
        name: options.name,
        version: options.version,
        judgePrompt: criterion.prompt,
        output: outputKind(criterion.output),
        ...(criterion.model !== undefined ? { model: criterion.model } : {}),
        examples,
      });
    }
    return builtinJudge(criterion, options.name, options.version, examples);
  } catch (error) {
    if (error instanceof ConfigError) error.where.field = apiField(error.where.field);
    throw error;
  }
}

function builtinJudge(criterion: Criterion, name: string, version: string, examples: EvaluationExample[]): Judge {
  const builtin = criterion.builtin ?? '';
  const factory = BUILT_IN_JUDGES[builtin]?.judge as ((options?: Record<string, unknown>) => Judge) | undefined;
  if (!factory) {
    throw new ConfigError(`unknown built-in judge ${JSON.stringify(builtin)}`, {
      where: { field: 'builtin' },
      hint: `use one of: ${Object.keys(BUILT_IN_JUDGES).join(', ')}; or give a prompt instead`,
    });
  }
  const options: Record<string, unknown> = {
    ...(criterion.model !== undefined ? { model: criterion.model } : {}),
    ...(examples.length ? { examples } : {}),
  };
  if (builtin === 'faithfulness') {
    if (criterion.output === 'yes_no') {
      throw new ConfigError('faithfulness labels binary (1/0) or on a 1–5 scale, not yes/no', {
        where: { field: 'output' },
        hint: 'use output binary or scale_1_5',
      });
    }
    options.variant = criterion.output === 'binary' ? 'binary' : 'mlflow';
  }
  const judge = factory(options);
  if (judge.assessmentType !== 'ANSWER') {
    throw new ConfigError(`${builtin} judges each retrieved chunk, so it gives no single label per row`, {
      where: { field: 'builtin' },
      hint: 'label with a judge that judges the whole row, or write a prompt',
    });
  }
  const own = labelOutputOf(judge.output);
  if (own !== criterion.output) {
    throw new ConfigError(`${builtin} labels ${own ?? judge.output.type}, not ${criterion.output}`, {
      where: { field: 'output' },
      hint: own ? `use output ${own}, or leave output out` : 'write a prompt judge instead',
    });
  }
  // The built-in's text, under the job's name and version (a new version per edit).
  return { ...judge, name, version };
}

/** A config-form example as the judge definition takes it. */
export function exampleFromConfig(example: ExampleConfig): EvaluationExample {
  return {
    ...(example.input !== undefined ? { input: example.input } : {}),
    output: example.output,
    score: example.score,
    justification: example.justification,
    ...(example.grading_context !== undefined ? { gradingContext: example.grading_context } : {}),
  };
}

/** A judge-definition example in the config form (the inverse of {@link exampleFromConfig}). */
export function configFromExample(example: EvaluationExample): ExampleConfig {
  return {
    ...(example.input !== undefined ? { input: example.input } : {}),
    output: example.output,
    score: example.score,
    justification: example.justification,
    ...(example.gradingContext !== undefined ? { grading_context: example.gradingContext } : {}),
  };
}

/** Judge-definition fields named as the label-job API names them. */
function apiField(field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  if (field === 'judge_prompt') return 'prompt';
  if (field === 'variant') return 'output';
  return field;
}
