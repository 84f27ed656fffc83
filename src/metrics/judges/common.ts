/**
 * What every built-in judge shares: the options `model`, `parameters`, `examples` and `version`
 * (and a jury's, samples' or logprob scoring's `models`, `aggregate`, `samples`, `scoring`);
 * versioned texts; extra few-shot examples appended after the judge's own (as Databricks appends
 * `examples_df` to its built-in judges); and the metric a registry entry makes, which checks the
 * judge's columns before any call and names `col_mapping.<variable>` as the place to fix them.
 */
import { z } from 'zod';
import { exampleSchema } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { EvaluationExample, Judge } from '../../judges/definition.js';
import { MAX_SAMPLES, PANEL_AGGREGATES, type PanelAggregate, type PanelOptions } from '../../judges/jury.js';
import { judgeVariables } from '../../judges/prompt.js';
import type { BuiltIn } from '../builtin.js';
import { judgeMetric } from '../judge-metric.js';
import type { Metric, PrepareContext } from '../metric.js';

/** Options every built-in judge factory takes. */
export interface BuiltInJudgeOptions extends PanelOptions {
  /** Judge model URI (`openai:/gpt-4o`); by default the run's `judge_model`. */
  model?: string;
  /** Model parameters; temperature defaults to 0. */
  parameters?: Record<string, unknown>;
  /** Few-shot examples appended after the judge's own. Yes/no judges also take score `yes` / `no`. */
  examples?: EvaluationExample[];
  /** The version of the judge's text; the latest by default. */
  version?: string;
}

/** The config form of {@link BuiltInJudgeOptions} (snake_case examples), as zod fields. */
export const judgeOptionFields = {
  model: z.string().min(1, 'must not be empty').optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  examples: z.array(exampleSchema).optional(),
  version: z.string().min(1, 'must not be empty').optional(),
  /** A jury, samples, logprob scores (judges/jury.ts), as on any judge. */
  models: z.array(z.string().min(1, 'must not be empty')).optional(),
  aggregate: z.enum(PANEL_AGGREGATES as [PanelAggregate, ...PanelAggregate[]]).optional(),
  samples: z.number().int().min(1).max(MAX_SAMPLES).optional(),
  scoring: z.literal('logprobs').optional(),
};

type ConfigExample = z.output<typeof exampleSchema>;

/** The common options of a config entry, as a factory takes them. */
export function fromConfig(options: {
  model?: string | undefined;
  parameters?: Record<string, unknown> | undefined;
  examples?: ConfigExample[] | undefined;
  version?: string | undefined;
  models?: string[] | undefined;
  aggregate?: PanelAggregate | undefined;
  samples?: number | undefined;
  scoring?: 'logprobs' | undefined;
}): BuiltInJudgeOptions {
  return {
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.models !== undefined ? { models: options.models } : {}),
    ...(options.aggregate !== undefined ? { aggregate: options.aggregate } : {}),
    ...(options.samples !== undefined ? { samples: options.samples } : {}),
    ...(options.scoring !== undefined ? { scoring: options.scoring } : {}),
    ...(options.parameters !== undefined ? { parameters: options.parameters } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.examples !== undefined
      ? {
          examples: options.examples.map((e) => ({
            ...(e.input !== undefined ? { input: e.input } : {}),
            output: e.output,
            score: e.score,
            justification: e.justification,
            ...(e.grading_context !== undefined ? { gradingContext: e.grading_context } : {}),
          })),
        }
      : {}),
  };
}

/** The text of a version, the latest when none is asked for; an unknown version is a config error. */
export function pickVersion<T>(judge: string, versions: Record<string, T>, version: string | undefined): { version: string; text: T } {
  const known = Object.keys(versions);
  const chosen = version ?? known[known.length - 1]!;
  if (!Object.hasOwn(versions, chosen)) {
    throw new ConfigError(`judge '${judge}' has no version ${JSON.stringify(chosen)} (its versions: ${known.join(', ')})`, {
      where: { field: 'version' },
      hint: `use one of ${known.join(', ')}: a version names a published text of the judge, as MLflow's metric_version`,
    });
  }
  return { version: chosen, text: versions[chosen]! };
}

/** The options a judge definition gets from the built-in options, minus the examples. */
export function modelFields(options: BuiltInJudgeOptions): { model?: string; parameters?: Record<string, unknown> } & PanelOptions {
  return {
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.parameters !== undefined ? { parameters: options.parameters } : {}),
    ...(options.models !== undefined ? { models: options.models } : {}),
    ...(options.aggregate !== undefined ? { aggregate: options.aggregate } : {}),
    ...(options.samples !== undefined ? { samples: options.samples } : {}),
    ...(options.scoring !== undefined ? { scoring: options.scoring } : {}),
  };
}

/**
 * Makes a judge with the user's examples checked on their own first, so that an error names their
 * own index (`examples[0]`), not their place after the built-in examples.
 */
export function withExtraExamples<J extends Judge>(
  make: (examples: EvaluationExample[]) => J,
  own: EvaluationExample[],
  extra: EvaluationExample[] | undefined,
): J {
  if (extra && extra.length > 0) make(extra);
  return make([...own, ...(extra ?? [])]);
}

/** Checks that each extra example of a prompt judge gives only grading context the judge reads. */
export function checkContextKeys(judge: string, examples: EvaluationExample[] | undefined, allowed: readonly string[]): void {
  (examples ?? []).forEach((example, i) => {
    const unknown = Object.keys(example.gradingContext ?? {}).find((key) => !allowed.includes(key));
    if (unknown !== undefined) {
      throw new ConfigError(`judge '${judge}': examples[${i}].grading_context has '${unknown}', which the judge does not read`, {
        where: { field: `examples[${i}].grading_context.${unknown}` },
        hint: allowed.length
          ? `give grading context for: ${allowed.join(', ')}`
          : `${judge} reads no grading context; give input and output only`,
      });
    }
  });
}

/** Throws the usual column error for each variable of the judge that no column provides. */
export function requireColumns(judge: Judge, context: PrepareContext, variables: readonly string[] = judgeVariables(judge)): void {
  for (const variable of variables) context.columns.require(variable, `judge '${judge.name}'`);
}

/**
 * A built-in judge as a metric: the judge's own metric, with its columns checked first so that a
 * missing one is reported at `col_mapping.<variable>` (a built-in has no prompt field to point at).
 */
export function builtInJudgeMetric(judge: Judge): Metric {
  const metric = judgeMetric(judge);
  return {
    ...metric,
    prepare: (context) => {
      requireColumns(judge, context);
      return metric.prepare(context);
    },
  };
}

/** A built-in judge in the catalog: its registry entry (description, options, metric) and the factory of its judge. */
export interface BuiltInJudge extends BuiltIn {
  /** The judge with the factory's own options (camelCase examples), as `faithfulness({ variant: 'binary' })`. */
  judge: (options?: never) => Judge;
}

/**
 * A catalog entry of a built-in judge. The options are checked by building the judge inside the
 * schema, so that every error (a bad example score, an unknown version) names its field.
 */
export function judgeEntry<T extends Record<string, unknown>>(
  description: string,
  schema: z.ZodType<T>,
  judge: (options?: never) => Judge,
  create: (options: T) => Metric,
): BuiltInJudge {
  const checked = schema.superRefine((options, context) => {
    try {
      create(options);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      context.addIssue({ code: 'custom', path: fieldPath(error.where.field), message: error.message });
    }
  });
  return {
    description,
    options: checked as unknown as z.ZodType<Record<string, unknown>>,
    create: (options) => create(options as T),
    judge,
  };
}

function fieldPath(field: string | undefined): Array<string | number> {
  if (!field) return [];
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
