/**
 * Judge definitions: plain, serializable data. A rubric judge follows MLflow's `make_genai_metric`,
 * a prompt judge `make_genai_metric_from_prompt`; output kinds and assessment types follow
 * Databricks' custom judges (1–5 → yes/no by `score_threshold`, ANSWER vs RETRIEVAL) and
 * LastMile's 1/0 labels.
 */
import { contentHash } from '../canonical-json.js';
import { ConfigError } from '../errors.js';
import { panelFields, type PanelAggregate, type PanelOptions } from './jury.js';
import { toVerdict } from './output.js';
import { isPairwisePrompt, pairwiseOptions } from './pairwise-output.js';

/** How a judge reports a row. */
export type OutputKind =
  /** An integer score on a scale, 1–5 by default. */
  | { type: 'scale'; min: number; max: number }
  /** A 1–5 score turned into yes (above `threshold`) or no, as Databricks' custom judges do. */
  | { type: 'yes_no'; threshold: number }
  /** A 1/0 label, as LastMile's LLM Judge. */
  | { type: 'binary' }
  /** One of several labels, each worth a score. */
  | { type: 'categories'; labels: Record<string, number> };

/** ANSWER judges a row once; RETRIEVAL judges each retrieved chunk and reports the share judged yes. */
export type AssessmentType = 'ANSWER' | 'RETRIEVAL';

/** Aggregations over a metric's per-row values, named as in MLflow's metric keys. */
export type Aggregation = 'mean' | 'variance' | 'p90' | 'ratio' | 'min' | 'max' | 'median' | 'sum';
export const AGGREGATIONS: readonly Aggregation[] = ['mean', 'variance', 'p90', 'ratio', 'min', 'max', 'median', 'sum'];

/** A few-shot example (MLflow's `EvaluationExample`). */
export interface EvaluationExample {
  input?: string;
  output: string;
  score: number | string;
  justification: string;
  /** Values of the judge's grading context columns; keys must equal `gradingContextColumns`. */
  gradingContext?: Record<string, string>;
}

/** Free-form judge metadata; `assessment_type` and `score_threshold` mean what they mean for Databricks. */
export type MetricMetadata = Record<string, unknown> & {
  assessment_type?: AssessmentType;
  score_threshold?: number | string;
};

interface JudgeCommon {
  name: string;
  version: string;
  /** Judge model URI (`openai:/gpt-4o`, `anthropic:claude-…`); falls back to the run's judge model. */
  model?: string;
  /** Model parameters; temperature defaults to 0. */
  parameters: Record<string, unknown>;
  aggregations: Aggregation[];
  greaterIsBetter: boolean;
  metricMetadata: MetricMetadata;
  output: OutputKind;
  assessmentType: AssessmentType;
  examples: EvaluationExample[];
  /** A jury: the judge models whose verdicts make the row's value (with `aggregate`); instead of `model`. */
  models?: string[];
  /** How a jury's or samples' verdicts become the row's value; set when there are several. */
  aggregate?: PanelAggregate;
  /** Calls per model and row at the judge's temperature (self-consistency); absent: one. */
  samples?: number;
  /** `logprobs`: the probability-weighted mean of the score tokens (G-Eval) instead of the score written. */
  scoring?: 'logprobs';
}

/** A rubric judge: definition, grading prompt and few-shot examples (MLflow's `make_genai_metric`). */
export interface RubricJudge extends JudgeCommon {
  kind: 'rubric';
  definition: string;
  gradingPrompt: string;
  gradingContextColumns: string[];
  includeInput: boolean;
  /** Compares two responses (`response_a`, `response_b`) and answers A, B or tie (src/judges/pairwise.ts). */
  pairwise?: true;
}

/** A prompt judge: a prompt whose `{variables}` are filled from the row (`make_genai_metric_from_prompt`). */
export interface PromptJudge extends JudgeCommon {
  kind: 'prompt';
  judgePrompt: string;
  /** Set when the prompt shows `{response_a}` and `{response_b}`: the judge answers A, B or tie. */
  pairwise?: true;
}

export type Judge = RubricJudge | PromptJudge;

/** Options of {@link makeGenaiMetric}; the defaults are MLflow's. */
export interface RubricJudgeOptions extends PanelOptions {
  name: string;
  definition: string;
  gradingPrompt: string;
  examples?: EvaluationExample[];
  version?: string;
  model?: string;
  gradingContextColumns?: string[];
  includeInput?: boolean;
  parameters?: Record<string, unknown>;
  aggregations?: Aggregation[];
  greaterIsBetter?: boolean;
  metricMetadata?: MetricMetadata;
  /** Output kind; default a 1–5 scale, or yes/no when `metricMetadata.score_threshold` is given. */
  output?: OutputKind;
  /** Compare two responses, `response_a` and `response_b`, answering A, B or tie (the output is then set). */
  pairwise?: boolean;
}

/** Options of {@link makeGenaiMetricFromPrompt}. */
export interface PromptJudgeOptions extends PanelOptions {
  name: string;
  judgePrompt: string;
  version?: string;
  model?: string;
  parameters?: Record<string, unknown>;
  aggregations?: Aggregation[];
  greaterIsBetter?: boolean;
  metricMetadata?: MetricMetadata;
  output?: OutputKind;
  examples?: EvaluationExample[];
}

/**
 * Makes a rubric judge, as MLflow's `make_genai_metric`.
 * @example
 * const sensitivity = makeGenaiMetric({
 *   name: 'cultural_sensitivity',
 *   definition: 'Assesses how well the translation preserves cultural nuances and idioms.',
 *   gradingPrompt: 'Score from 1-5, where 1 is culturally insensitive and 5 is highly culturally aware.',
 *   examples: [{ input: 'Break a leg!', output: '¡Mucha mierda!', score: 5, justification: 'Uses the Spanish theatre idiom.' }],
 * });
 */
export function makeGenaiMetric(options: RubricJudgeOptions): RubricJudge {
  const common = commonFields(pairwiseOptions(options, options.pairwise === true));
  const judge: RubricJudge = {
    kind: 'rubric',
    ...common,
    definition: requireText(options.definition, options.name, 'definition'),
    gradingPrompt: requireText(options.gradingPrompt, options.name, 'grading_prompt'),
    gradingContextColumns: options.gradingContextColumns ?? [],
    includeInput: options.includeInput ?? true,
    ...(options.pairwise === true ? { pairwise: true as const } : {}),
  };
  checkExamples(judge);
  return judge;
}

/**
 * Makes a prompt judge, as MLflow's `make_genai_metric_from_prompt`: every `{variable}` in the prompt
 * is filled from the row after column mapping.
 * @example
 * const professional = makeGenaiMetricFromPrompt({
 *   name: 'professional',
 *   judgePrompt: "Your task is to determine if the response has a professional tone. The response is: '{response}'",
 *   metricMetadata: { assessment_type: 'ANSWER', score_threshold: 2 },
 * });
 */
export function makeGenaiMetricFromPrompt(options: PromptJudgeOptions): PromptJudge {
  const pairwise = isPairwisePrompt(options.judgePrompt, options.name);
  const judge: PromptJudge = {
    kind: 'prompt',
    ...commonFields(pairwiseOptions(options, pairwise)),
    judgePrompt: requireText(options.judgePrompt, options.name, 'judge_prompt'),
    ...(pairwise ? { pairwise: true as const } : {}),
  };
  checkExamples(judge);
  return judge;
}

/** The `name/version` a judge's per-row columns and metric keys start with. */
export function judgeKey(judge: Pick<Judge, 'name' | 'version'>): string {
  return `${judge.name}/${judge.version}`;
}

/** A stable content hash of a definition: the same judge always hashes the same, any edit changes it. */
export function judgeHash(judge: Judge): string {
  return contentHash(judge);
}

export { canonicalJson } from '../canonical-json.js';

function commonFields(options: RubricJudgeOptions | PromptJudgeOptions): JudgeCommon {
  const where = `judge '${options.name}'`;
  if (!options.name || !/^[A-Za-z][\w.-]*$/.test(options.name)) {
    throw new ConfigError(`invalid judge name ${JSON.stringify(options.name)}`, {
      where: { field: 'name' },
      hint: 'use letters, digits, _ . or -, starting with a letter (it becomes part of metric keys such as name/v1/mean)',
    });
  }
  const metricMetadata = { ...(options.metricMetadata ?? {}) };
  const assessmentType = parseAssessmentType(metricMetadata.assessment_type, where);
  const output = options.output ?? defaultOutput(metricMetadata, assessmentType, where);
  checkOutput(output, assessmentType, where);
  const version = options.version ?? 'v1';
  if (!/^[\w.-]+$/.test(version)) {
    throw new ConfigError(`${where}: invalid version ${JSON.stringify(version)}`, {
      where: { field: 'version' },
      hint: 'use a word such as v1 or v2',
    });
  }
  const parameters = { temperature: 0, ...(options.parameters ?? {}) };
  return {
    name: options.name,
    version,
    ...(options.model !== undefined ? { model: options.model } : {}),
    parameters,
    aggregations: options.aggregations ?? defaultAggregations(output, assessmentType),
    greaterIsBetter: options.greaterIsBetter ?? true,
    metricMetadata,
    output,
    assessmentType,
    examples: (options.examples ?? []).map((example) => withWordScore(output, example)),
    ...panelFields(options, output, assessmentType, parameters, where),
  };
}

/**
 * Reads an example rated in words — `Yes` / `no`, as Databricks rates its examples — as the score
 * the judge answers: 1 / 0 for a 1/0 judge; for a yes/no judge (a 1–5 score above the threshold
 * being yes) 5 / 1, the clear ends of the scale, as a person's label becomes an example
 * (labeling/label-values.ts). Numbers stay as given, so stored examples keep their meaning.
 */
function withWordScore(output: OutputKind, example: EvaluationExample): EvaluationExample {
  if (typeof example.score !== 'string' || (output.type !== 'binary' && output.type !== 'yes_no')) return example;
  const word = example.score.trim().toLowerCase();
  if (word !== 'yes' && word !== 'no') return example;
  const yes = word === 'yes';
  return { ...example, score: output.type === 'binary' ? (yes ? 1 : 0) : yes ? 5 : 1 };
}

function parseAssessmentType(value: unknown, where: string): AssessmentType {
  if (value === undefined) return 'ANSWER';
  const upper = String(value).toUpperCase();
  if (upper === 'ANSWER' || upper === 'RETRIEVAL') return upper;
  throw new ConfigError(`${where}: unknown assessment_type ${JSON.stringify(value)}`, {
    where: { field: 'metric_metadata.assessment_type' },
    hint: 'use ANSWER (one judgement per row) or RETRIEVAL (one per retrieved chunk)',
  });
}

/** Databricks' judges answer yes/no (threshold 3) once a threshold or an assessment type is given. */
function defaultOutput(metadata: MetricMetadata, assessment: AssessmentType, where: string): OutputKind {
  if (metadata.score_threshold !== undefined || metadata.assessment_type !== undefined || assessment === 'RETRIEVAL') {
    const threshold = Number(metadata.score_threshold ?? 3);
    if (!Number.isFinite(threshold)) {
      throw new ConfigError(`${where}: score_threshold ${JSON.stringify(metadata.score_threshold)} is not a number`, {
        where: { field: 'metric_metadata.score_threshold' },
        hint: 'give a number from 1 to 5; scores above it count as yes',
      });
    }
    return { type: 'yes_no', threshold };
  }
  return { type: 'scale', min: 1, max: 5 };
}

function checkOutput(output: OutputKind, assessment: AssessmentType, where: string): void {
  const fail = (message: string, hint: string, field = 'output') => {
    throw new ConfigError(`${where}: ${message}`, { where: { field }, hint });
  };
  if (output.type === 'scale' && !(Number.isInteger(output.min) && Number.isInteger(output.max) && output.min < output.max)) {
    fail(`scale ${output.min}–${output.max} is not a range of integers`, 'write output: { scale: [1, 5] }');
  }
  if (output.type === 'yes_no' && !Number.isFinite(output.threshold)) {
    fail(
      `score_threshold ${JSON.stringify(output.threshold)} is not a number`,
      'give metric_metadata.score_threshold a number from 1 to 5; scores above it count as yes',
      'metric_metadata.score_threshold',
    );
  }
  if (output.type === 'categories' && Object.keys(output.labels).length < 2) {
    fail('categories need at least two labels', 'write output: { categories: { good: 1, bad: 0 } }');
  }
  if (assessment === 'RETRIEVAL' && output.type !== 'yes_no' && output.type !== 'binary') {
    fail('a RETRIEVAL judge must answer yes/no or 1/0 per chunk', 'use output: yes_no (with score_threshold) or output: binary');
  }
}

function defaultAggregations(output: OutputKind, assessment: AssessmentType): Aggregation[] {
  const numeric: Aggregation[] = ['mean', 'variance', 'p90'];
  if (assessment === 'RETRIEVAL') return numeric;
  return output.type === 'yes_no' || output.type === 'binary' ? [...numeric, 'ratio'] : numeric;
}

function requireText(value: string | undefined, judge: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`judge '${judge}': ${field} is empty`, { where: { field }, hint: `write the judge's ${field}` });
  }
  return value;
}

function checkExamples(judge: Judge): void {
  const expected = judge.kind === 'rubric' ? [...judge.gradingContextColumns].sort() : undefined;
  judge.examples.forEach((example, i) => {
    const field = `examples[${i}]`;
    if (typeof example.output !== 'string' || typeof example.justification !== 'string' || example.justification.trim() === '') {
      throw new ConfigError(`judge '${judge.name}': ${field} needs an output and a justification`, {
        where: { field: typeof example.output !== 'string' ? `${field}.output` : `${field}.justification` },
        hint: 'give each example the output that was judged and a justification of its score',
      });
    }
    const checked = toVerdict(judge.output, example.score, example.justification);
    if (!checked.ok) {
      throw new ConfigError(`judge '${judge.name}': ${field}: ${checked.reason}`, {
        where: { field: `${field}.score` },
        hint: "give each example a score the judge's output kind allows",
      });
    }
    if (expected) {
      const given = Object.keys(example.gradingContext ?? {}).sort();
      if (given.join('\u0000') !== expected.join('\u0000')) {
        throw new ConfigError(
          `judge '${judge.name}': ${field}.grading_context has keys [${given.join(', ')}] but grading_context_columns is [${expected.join(', ')}]`,
          { where: { field: `${field}.grading_context` }, hint: 'give each example exactly the grading context columns of the judge' },
        );
      }
    }
  });
}
