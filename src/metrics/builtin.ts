/**
 * Built-in metrics, by the names users write in `metrics:` — either a bare name (`- exact_match`)
 * or an object naming the metric with its options (`- { metric: precision_at_k, k: 5 }`).
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { exactMatch } from './exact-match.js';
import type { Metric } from './metric.js';

/** A built-in metric: what it is, its options' schema, and how to make it. */
export interface BuiltIn<Options = Record<string, unknown>> {
  description: string;
  /** Options accepted in the object form (zod strict object); none when absent. */
  options?: z.ZodType<Options>;
  create(options: Options): Metric;
}

/** Registers a fixed metric that takes no options. */
export function fixed(description: string, metric: Metric): BuiltIn {
  return { description, create: () => metric };
}

const BUILT_IN: Record<string, BuiltIn> = {
  exact_match: fixed('1 when the prediction equals the target exactly, else 0 (MLflow)', exactMatch),
};

/** The names of every built-in metric. */
export function builtInMetricNames(): string[] {
  return Object.keys(BUILT_IN);
}

/** A built-in metric's description, for listings. */
export function describeBuiltIn(name: string): string | undefined {
  return BUILT_IN[name]?.description;
}

/**
 * A built-in metric by name, with options; an unknown name or a bad option is a config error
 * naming the field.
 * @example builtInMetric('exact_match')
 */
export function builtInMetric(name: string, options: Record<string, unknown> = {}, field = 'metrics'): Metric {
  const builtIn = BUILT_IN[name];
  if (!builtIn) {
    const close = builtInMetricNames().filter((known) => known.includes(name) || name.includes(known) || editDistance(known, name) <= 2);
    throw new ConfigError(`unknown metric '${name}'`, {
      where: { field },
      hint: `${close.length ? `did you mean ${close.join(' or ')}? ` : ''}built-in metrics are: ${builtInMetricNames().join(', ')}; or define a judge with definition/grading_prompt or judge_prompt`,
    });
  }
  if (!builtIn.options) {
    if (Object.keys(options).length) {
      throw new ConfigError(`metric '${name}' takes no options`, { where: { field: `${field}.${Object.keys(options)[0]}` }, hint: `write it as a bare name: - ${name}` });
    }
    return builtIn.create({});
  }
  const parsed = builtIn.options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
    throw new ConfigError(`metric '${name}': ${key ? `${key}: ` : ''}${issue.message}`, { where: { field: key ? `${field}.${key}` : field }, hint: 'see the metric reference in README.md' });
  }
  return builtIn.create(parsed.data as Record<string, unknown>);
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
