/**
 * Judges ↔ their YAML/JSON form (snake_case, as users write them in `metrics:`). Lossless:
 * `judgeFromConfig(judgeToConfig(j))` equals `j`, so a judge can be reloaded from a stored run.
 */
import { stringify } from 'yaml';
import { promptJudgeSchema, rubricJudgeSchema, type JudgeConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import {
  makeGenaiMetric,
  makeGenaiMetricFromPrompt,
  type Aggregation,
  type EvaluationExample,
  type Judge,
  type MetricMetadata,
  type OutputKind,
} from './definition.js';

/** What to write in a judge's key that is missing or malformed. */
const JUDGE_FIELD_HINTS: Record<string, string> = {
  name: 'name the judge, e.g. name: professional (its results are professional/v1/…)',
  definition:
    "write the judge's definition: what it assesses, e.g. definition: Assesses how well the translation preserves cultural nuances",
  grading_prompt: 'write how to score, e.g. grading_prompt: Score from 1-5, where 1 is culturally insensitive and 5 is highly aware',
  judge_prompt: "write the judge's prompt with {column} variables, e.g. judge_prompt: Is the tone of {response} professional?",
  examples: 'each example takes output, score and justification (and input, grading_context when the judge reads them)',
  version: 'a version is a short text, e.g. version: v2',
};

/**
 * Builds a judge from its config form: a prompt judge when `judge_prompt` is given, a rubric judge
 * otherwise. Errors name the field under `field` (e.g. `metrics[2]`).
 */
export function judgeFromConfig(entry: unknown, field = 'judge'): Judge {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ConfigError(`${field} is not a judge definition`, {
      where: { field },
      hint: 'write a built-in metric name, or a judge with name and definition/grading_prompt (rubric) or judge_prompt (prompt)',
    });
  }
  const isPrompt = 'judge_prompt' in entry;
  if (!isPrompt && !('definition' in entry) && !('grading_prompt' in entry)) {
    throw new ConfigError(`${field} is neither a rubric judge nor a prompt judge`, {
      where: { field },
      hint: 'give definition and grading_prompt (a rubric judge, as make_genai_metric) or judge_prompt (a prompt judge, as make_genai_metric_from_prompt)',
    });
  }
  const parsed = (isPrompt ? promptJudgeSchema : rubricJudgeSchema).safeParse(entry);
  if (!parsed.success) {
    // An unknown key is usually a misspelt known one: report it before the "missing" error it causes.
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
    const path = [field, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/\.\[/g, '[');
    throw new ConfigError(issue.message, {
      where: { field: issue.code === 'unrecognized_keys' ? `${path}.${issue.keys[0]}` : path },
      hint:
        issue.code === 'unrecognized_keys'
          ? `the keys of a ${isPrompt ? 'prompt' : 'rubric'} judge are: ${Object.keys((isPrompt ? promptJudgeSchema : rubricJudgeSchema).shape).join(', ')}`
          : (JUDGE_FIELD_HINTS[String(issue.path[0])] ?? `fix ${path} as the judge keys are described under "Judges" in README.md`),
    });
  }
  const c = parsed.data as JudgeConfig;
  const metricMetadata = (c.metric_metadata ?? {}) as MetricMetadata;
  const common = {
    name: c.name,
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(c.model !== undefined ? { model: c.model } : {}),
    ...(c.parameters !== undefined ? { parameters: c.parameters } : {}),
    ...(c.aggregations !== undefined ? { aggregations: c.aggregations as Aggregation[] } : {}),
    ...(c.greater_is_better !== undefined ? { greaterIsBetter: c.greater_is_better } : {}),
    metricMetadata,
    ...(c.output !== undefined ? { output: outputFromConfig(c.output, metricMetadata) } : {}),
    ...(c.examples !== undefined ? { examples: c.examples.map(exampleFromConfig) } : {}),
    ...(c.models !== undefined ? { models: c.models } : {}),
    ...(c.aggregate !== undefined ? { aggregate: c.aggregate } : {}),
    ...(c.samples !== undefined ? { samples: c.samples } : {}),
    ...(c.scoring !== undefined ? { scoring: c.scoring } : {}),
  };
  try {
    if ('judge_prompt' in c) return makeGenaiMetricFromPrompt({ ...common, judgePrompt: c.judge_prompt });
    return makeGenaiMetric({
      ...common,
      definition: c.definition,
      gradingPrompt: c.grading_prompt,
      ...(c.grading_context_columns !== undefined ? { gradingContextColumns: c.grading_context_columns } : {}),
      ...(c.include_input !== undefined ? { includeInput: c.include_input } : {}),
      ...(c.pairwise !== undefined ? { pairwise: c.pairwise } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError && error.where.field) error.where.field = `${field}.${error.where.field}`;
    throw error;
  }
}

/** The config form of a judge, with every field explicit so that it reloads as the same judge. */
export function judgeToConfig(judge: Judge): JudgeConfig {
  const common = {
    name: judge.name,
    version: judge.version,
    ...(judge.model !== undefined ? { model: judge.model } : {}),
    parameters: judge.parameters,
    aggregations: judge.aggregations,
    greater_is_better: judge.greaterIsBetter,
    metric_metadata: judge.metricMetadata,
    output: outputToConfig(judge.output),
    examples: judge.examples.map((e) => ({
      ...(e.input !== undefined ? { input: e.input } : {}),
      output: e.output,
      score: e.score,
      justification: e.justification,
      ...(e.gradingContext !== undefined ? { grading_context: e.gradingContext } : {}),
    })),
    ...(judge.models !== undefined ? { models: judge.models } : {}),
    ...(judge.aggregate !== undefined ? { aggregate: judge.aggregate } : {}),
    ...(judge.samples !== undefined ? { samples: judge.samples } : {}),
    ...(judge.scoring !== undefined ? { scoring: judge.scoring } : {}),
  };
  if (judge.kind === 'prompt') return { ...common, judge_prompt: judge.judgePrompt };
  return {
    ...common,
    definition: judge.definition,
    grading_prompt: judge.gradingPrompt,
    grading_context_columns: judge.gradingContextColumns,
    include_input: judge.includeInput,
    ...(judge.pairwise ? { pairwise: true } : {}),
  };
}

/** A judge as YAML text. */
export function judgeToYaml(judge: Judge): string {
  return stringify(judgeToConfig(judge), { lineWidth: 0 });
}

function outputFromConfig(output: NonNullable<JudgeConfig['output']>, metadata: MetricMetadata): OutputKind {
  if (output === 'scale') return { type: 'scale', min: 1, max: 5 };
  if (output === 'binary') return { type: 'binary' };
  if (output === 'yes_no') return { type: 'yes_no', threshold: Number(metadata.score_threshold ?? 3) };
  if ('scale' in output) return { type: 'scale', min: output.scale[0], max: output.scale[1] };
  if ('yes_no' in output) return { type: 'yes_no', threshold: output.yes_no.threshold };
  return { type: 'categories', labels: output.categories };
}

function outputToConfig(output: OutputKind): NonNullable<JudgeConfig['output']> {
  switch (output.type) {
    case 'scale':
      return { scale: [output.min, output.max] };
    case 'binary':
      return 'binary';
    case 'yes_no':
      return { yes_no: { threshold: output.threshold } };
    case 'categories':
      return { categories: output.labels };
  }
}

function exampleFromConfig(e: {
  input?: string | undefined;
  output: string;
  score: number | string;
  justification: string;
  grading_context?: Record<string, string> | undefined;
}): EvaluationExample {
  return {
    ...(e.input !== undefined ? { input: e.input } : {}),
    output: e.output,
    score: e.score,
    justification: e.justification,
    ...(e.grading_context !== undefined ? { gradingContext: e.grading_context } : {}),
  };
}
