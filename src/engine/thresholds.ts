/** CI gates: `cultural_sensitivity/v1/mean: ">= 3.5"`. A missed threshold makes the exit code 1. */
import { ConfigError } from '../errors.js';

export type Comparison = '>=' | '>' | '<=' | '<' | '==' | '!=';

/** A parsed threshold. */
export interface Threshold {
  key: string;
  op: Comparison;
  value: number;
}

/** A threshold checked against a run's metrics. */
export interface ThresholdResult extends Threshold {
  actual: number | undefined;
  passed: boolean;
}

/**
 * Parses `">= 3.5"`, `"< 0.1"`, `"== 1"`; a bare number means at least that value.
 * @example parseThreshold('faithfulness/v1/mean', '>= 4') // { key, op: '>=', value: 4 }
 */
export function parseThreshold(key: string, spec: string | number, field = `thresholds.${key}`): Threshold {
  if (typeof spec === 'number') return { key, op: '>=', value: spec };
  const match = /^\s*(>=|<=|==|!=|>|<)?\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i.exec(String(spec));
  if (!match) {
    throw new ConfigError(`threshold ${JSON.stringify(spec)} for ${key} is not a comparison`, {
      where: { field },
      hint: 'write e.g. ">= 3.5", "> 0.8", "<= 0.1" or a bare number (meaning >=)',
    });
  }
  return { key, op: (match[1] as Comparison | undefined) ?? '>=', value: Number(match[2]) };
}

/** Parses every threshold of a config's `thresholds:` map; errors name `thresholds.<key>`. */
export function parseThresholds(specs: Record<string, string | number> | undefined): Threshold[] {
  return Object.entries(specs ?? {}).map(([key, spec]) => parseThreshold(key, spec));
}

/**
 * Whether a run passes as a CI gate (`juror eval`'s exit code 0): it finished, no metric wholly
 * failed, and every threshold holds.
 */
export function runPassed(run: { finished: boolean; failedMetrics: string[]; thresholds: ThresholdResult[] }): boolean {
  return run.finished && run.failedMetrics.length === 0 && run.thresholds.every((t) => t.passed);
}

/** Checks each threshold; a metric that has no value (every row failed) misses its threshold. */
export function checkThresholds(thresholds: Threshold[], metrics: Record<string, number>): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metrics[t.key];
    return { ...t, actual, passed: actual !== undefined && compare(actual, t.op, t.value) };
  });
}

/** Whether `actual op expected` holds. */
export function compare(actual: number, op: Comparison, expected: number): boolean {
  switch (op) {
    case '>=':
      return actual >= expected;
    case '>':
      return actual > expected;
    case '<=':
      return actual <= expected;
    case '<':
      return actual < expected;
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}
