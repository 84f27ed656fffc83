/** Built-in metrics, by the names users write in `metrics:`. */
import { ConfigError } from '../errors.js';
import { exactMatch } from './exact-match.js';
import type { Metric } from './metric.js';

const BUILT_IN: Record<string, Metric> = {
  exact_match: exactMatch,
};

/** The names of every built-in metric. */
export function builtInMetricNames(): string[] {
  return Object.keys(BUILT_IN);
}

/** A built-in metric by name; an unknown name is a config error listing the known ones. */
export function builtInMetric(name: string, field = 'metrics'): Metric {
  const metric = BUILT_IN[name];
  if (metric) return metric;
  const close = builtInMetricNames().filter((known) => known.includes(name) || name.includes(known));
  throw new ConfigError(`unknown metric '${name}'`, {
    where: { field },
    hint: `${close.length ? `did you mean ${close.join(' or ')}? ` : ''}built-in metrics are: ${builtInMetricNames().join(', ')}; or define a judge with definition/grading_prompt or judge_prompt`,
  });
}
