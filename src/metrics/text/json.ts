/**
 * JSON checks of the prediction. `json_valid` is 1 when the prediction parses as JSON (RFC 8259,
 * as `JSON.parse` reads it: Python's `json` also takes NaN and Infinity, this does not).
 * `json_match` is 1 when prediction and target parse to equal values: objects equal whatever their
 * key order, arrays element by element in order, numbers by value. A prediction that does not
 * parse scores 0; a target that does not parse is an error of the row's data, not a score.
 */
import type { Metric, MetricOutcome } from '../metric.js';
import { scored, textMetric } from './text-metric.js';

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Deep equality of two parsed JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

/** `json_valid`: 1 when the prediction is JSON, else 0. */
export const jsonValid: Metric = textMetric({
  name: 'json_valid',
  greaterIsBetter: true,
  values: { kind: 'binary', range: { min: 0, max: 1 } },
  compares: false,
  score: (prediction) => scored(parse(prediction).ok ? 1 : 0),
});

function matchScore(prediction: string, target: string): MetricOutcome {
  const expected = parse(target);
  if (!expected.ok) return { ok: false, error: `the target is not valid JSON (${expected.error})` };
  const actual = parse(prediction);
  return scored(actual.ok && jsonEqual(actual.value, expected.value) ? 1 : 0);
}

/** `json_match`: 1 when the prediction is JSON equal to the target's, else 0. */
export const jsonMatch: Metric = textMetric({
  name: 'json_match',
  greaterIsBetter: true,
  values: { kind: 'binary', range: { min: 0, max: 1 } },
  compares: true,
  score: matchScore,
});
