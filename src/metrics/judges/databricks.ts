/**
 * Databricks' built-in judges (Agent Evaluation) as prompt judges: each asks a yes/no question and
 * answers 1 (yes) or 0 (no) with a rationale. Output kind `binary`, not `yes_no`: Databricks'
 * built-in judges answer yes or no outright — the 1–5 score cut at a threshold is how its *custom*
 * prompt judges work — and a 1/0 answer lets the examples be rated as Databricks rates them
 * (`Yes` / `No`, read as 1 / 0) with no threshold to tune. ANSWER judges are aggregated as the
 * share of yes (`groundedness/v1/ratio`); `chunk_relevance` judges each retrieved chunk and
 * reports per-row precision, averaged as `chunk_relevance/v1/mean`. The texts are in
 * prompts/databricks.ts.
 */
import { Columns } from '../../data/columns.js';
import { makeGenaiMetricFromPrompt, type AssessmentType, type PromptJudge } from '../../judges/definition.js';
import { ConfigError } from '../../errors.js';
import { judgeMetric } from '../judge-metric.js';
import type { Metric } from '../metric.js';
import { checkContextKeys, modelFields, pickVersion, requireColumns, withExtraExamples, type BuiltInJudgeOptions } from './common.js';
import {
  CHUNK_RELEVANCE,
  CONTEXT_SUFFICIENCY,
  CORRECTNESS,
  GROUNDEDNESS,
  GUIDELINE_ADHERENCE,
  RELEVANCE_TO_QUERY,
  SAFETY,
  type PromptText,
} from './prompts/databricks.js';

/** Builds a Databricks-family judge from a version's text and the built-in options. */
function databricksJudge(
  name: string,
  version: string,
  text: PromptText,
  assessment: AssessmentType,
  contextKeys: readonly string[],
  options: BuiltInJudgeOptions,
): PromptJudge {
  checkContextKeys(name, options.examples, contextKeys);
  return withExtraExamples(
    (examples) =>
      makeGenaiMetricFromPrompt({
        name,
        version,
        judgePrompt: text.judgePrompt,
        examples,
        output: { type: 'binary' },
        aggregations: assessment === 'RETRIEVAL' ? ['mean'] : ['ratio'],
        metricMetadata: { assessment_type: assessment },
        ...modelFields(options),
      }),
    text.examples,
    options.examples,
  );
}

function simple(
  name: string,
  versions: Record<string, PromptText>,
  assessment: AssessmentType,
  contextKeys: readonly string[],
  options: BuiltInJudgeOptions,
): PromptJudge {
  const { version, text } = pickVersion(name, versions, options.version);
  return databricksJudge(name, version, text, assessment, contextKeys, options);
}

/** Databricks `groundedness`: 1 when every claim of `response` is supported by `retrieved_context`. */
export function groundedness(options: BuiltInJudgeOptions = {}): PromptJudge {
  return simple('groundedness', GROUNDEDNESS, 'ANSWER', ['retrieved_context'], options);
}

/** Databricks `relevance_to_query`: 1 when `response` addresses `request`. */
export function relevanceToQuery(options: BuiltInJudgeOptions = {}): PromptJudge {
  return simple('relevance_to_query', RELEVANCE_TO_QUERY, 'ANSWER', [], options);
}

/** Databricks `chunk_relevance`: each chunk of `retrieved_context` judged against `request`; per-row precision. */
export function chunkRelevance(options: BuiltInJudgeOptions = {}): PromptJudge {
  return simple('chunk_relevance', CHUNK_RELEVANCE, 'RETRIEVAL', [], options);
}

/** Databricks `context_sufficiency`: 1 when `retrieved_context` holds every fact of `expected_response`. */
export function contextSufficiency(options: BuiltInJudgeOptions = {}): PromptJudge {
  return simple('context_sufficiency', CONTEXT_SUFFICIENCY, 'ANSWER', ['expected_response'], options);
}

/** Databricks `safety`: 1 when `response` is free of harmful or toxic content. */
export function safety(options: BuiltInJudgeOptions = {}): PromptJudge {
  return simple('safety', SAFETY, 'ANSWER', [], options);
}

/** The ground truth `correctness` compares with: a per-row `expected_response`, or a per-row list of `expected_facts`. */
export const CORRECTNESS_VARIANTS = ['expected_response', 'expected_facts'] as const;
export type CorrectnessVariant = (typeof CORRECTNESS_VARIANTS)[number];

/**
 * Databricks `correctness`: 1 when `response` agrees with the ground truth. `variant` picks it:
 * `expected_response` (default) or `expected_facts` (every fact must be stated).
 */
export function correctness(options: BuiltInJudgeOptions & { variant?: CorrectnessVariant } = {}): PromptJudge {
  const variant = options.variant ?? 'expected_response';
  if (!CORRECTNESS_VARIANTS.includes(variant)) {
    throw new ConfigError(`judge 'correctness' has no variant ${JSON.stringify(variant)}`, {
      where: { field: 'variant' },
      hint: `use ${CORRECTNESS_VARIANTS.join(' or ')}`,
    });
  }
  const { version, text } = pickVersion('correctness', CORRECTNESS, options.version);
  return databricksJudge('correctness', version, text[variant], 'ANSWER', [variant], options);
}

/** Options of `guideline_adherence`. */
export interface GuidelineOptions extends BuiltInJudgeOptions {
  /** Guidelines for every row (Databricks' `global_guidelines`), shown as a list. */
  guidelines?: string | string[];
  /** Read the row's `guidelines` column too (default true). As a Judge, the column is then required. */
  perRowGuidelines?: boolean;
}

/**
 * Databricks `guideline_adherence`: 1 when `response` follows every applicable guideline — the row's
 * `guidelines` column and/or the global `guidelines`. As a Judge it reads the column unless
 * `perRowGuidelines: false`; the registry entry ({@link guidelineAdherenceMetric}) reads it when
 * the dataset has one.
 * @example guidelineAdherence({ guidelines: ['Answer in English.', 'Never promise a refund.'], perRowGuidelines: false })
 */
export function guidelineAdherence(options: GuidelineOptions = {}): PromptJudge {
  const global = globalGuidelines(options.guidelines);
  const perRow = options.perRowGuidelines ?? true;
  if (!global && !perRow) {
    throw new ConfigError(`judge 'guideline_adherence' has no guidelines`, {
      where: { field: 'guidelines' },
      hint: "give guidelines for every row, or read the row's guidelines column (perRowGuidelines: true)",
    });
  }
  const { version, text } = pickVersion('guideline_adherence', GUIDELINE_ADHERENCE, options.version);
  return databricksJudge(
    'guideline_adherence',
    version,
    { judgePrompt: text.prompt(global, perRow), examples: text.examples },
    'ANSWER',
    ['guidelines'],
    options,
  );
}

/**
 * `guideline_adherence` as the registry makes it: the row's `guidelines` column is read when the
 * dataset has one; with global guidelines an empty cell means only those apply, without them the
 * column is required and a row with an empty cell is an error row. Neither is a config error.
 */
export function guidelineAdherenceMetric(options: Omit<GuidelineOptions, 'perRowGuidelines'> = {}): Metric {
  const judge = guidelineAdherence({ ...options, perRowGuidelines: true });
  const metric = judgeMetric(judge);
  const hasGlobal = globalGuidelines(options.guidelines) !== undefined;
  return {
    ...metric,
    prepare: (context) => {
      requireColumns(judge, context, ['request', 'response']);
      const source = context.columns.resolve('guidelines');
      if (source) {
        const scorer = metric.prepare(context);
        if (hasGlobal) return scorer;
        // With no global guidelines, a row without guidelines has nothing to be judged against: an error row, not a guess.
        return (row) =>
          hasText(Columns.read(source, row))
            ? scorer(row)
            : { ok: false, error: 'the row has no guidelines, and no global guidelines are given' };
      }
      if (!hasGlobal) {
        throw new ConfigError(`judge 'guideline_adherence' needs '{guidelines}', but no column provides it`, {
          where: { field: 'col_mapping.guidelines' },
          hint: `add a guidelines column or map one with col_mapping: { guidelines: <column> } (the dataset's columns are: ${context.columns.columns.join(', ')}), or give guidelines for every row: - { metric: guideline_adherence, guidelines: [...] }`,
        });
      }
      return metric.prepare({ ...context, columns: withAbsentColumn(context.columns, 'guidelines') });
    },
  };
}

function globalGuidelines(guidelines: string | string[] | undefined): string[] | undefined {
  if (guidelines === undefined) return undefined;
  const list = (typeof guidelines === 'string' ? [guidelines] : guidelines).map((g) => g.trim());
  if (list.length === 0 || list.some((g) => g === '')) {
    throw new ConfigError(`judge 'guideline_adherence': guidelines must be non-empty text`, {
      where: { field: 'guidelines' },
      hint: 'give one guideline or a list of them, each a sentence',
    });
  }
  return list;
}

/** True when a guidelines cell holds some guideline: not missing, blank, or an empty list. */
function hasText(cell: unknown): boolean {
  if (cell === undefined || cell === null) return false;
  if (Array.isArray(cell)) return cell.some(hasText);
  if (typeof cell === 'string') return cell.trim() !== '' && cell.trim() !== '[]';
  return true;
}

/** The run's columns, with `variable` read from a column of that name even though the data lacks it (so: empty). */
function withAbsentColumn(columns: Columns, variable: string): Columns {
  const view = Object.create(columns) as Columns;
  view.resolve = (name: string) => columns.resolve(name) ?? (name === variable ? { column: variable } : undefined);
  return view;
}
