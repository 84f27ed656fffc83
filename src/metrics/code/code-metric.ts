/**
 * Custom code metrics (MLflow's `make_metric`): a function from a row to a score. The row carries
 * the record and the standard variables resolved through `col_mapping` and their aliases; the
 * function returns a number, a boolean (1/0) or `{ score, justification }`, or a promise of one.
 * A throw or any other return value is an error row that says what happened, never a number.
 */
import { Columns } from '../../data/columns.js';
import type { DataRecord } from '../../data/dataset.js';
import { ConfigError } from '../../errors.js';
import { AGGREGATIONS, type Aggregation } from '../../judges/definition.js';
import type { Metric, MetricOutcome } from '../metric.js';

/** What a code metric's function is given for one row. */
export interface CodeMetricRow {
  /** 0-based index of the row in the dataset. */
  index: number;
  /** The dataset record, every column as read (a shallow copy). */
  record: DataRecord;
  /** The standard variables, each undefined when nothing provides it (no column, no model under test). */
  inputs: unknown;
  /** The prediction: the model under test's answer, else the predictions column. */
  outputs: unknown;
  /** The same as `outputs`, by MLflow's name. */
  predictions: unknown;
  targets: unknown;
  context: unknown;
  /** How long the model under test took to answer, in milliseconds, when there is one. */
  latencyMs: number | undefined;
}

/** What a code metric's function may return: a number, a boolean (1/0), or a score with its justification. */
export type CodeMetricResult = number | boolean | { score: number | boolean; justification?: string };

/** A code metric's function. */
export type CodeMetricFn = (row: CodeMetricRow) => CodeMetricResult | Promise<CodeMetricResult>;

/** Options of {@link codeMetric}. */
export interface CodeMetricOptions {
  /** The metric's name, first in its keys (`brevity/v1/mean`). */
  name: string;
  /** Default `v1`. */
  version?: string;
  fn: CodeMetricFn;
  /** Default mean, variance and p90, as MLflow's metrics. */
  aggregations?: Aggregation[];
  /** Default true. */
  greaterIsBetter?: boolean;
}

/** Metric names as judges have them: they are keys in configs, thresholds and the store. */
export const METRIC_NAME = /^[A-Za-z][\w.-]*$/;

const VARIABLES = ['inputs', 'predictions', 'targets', 'context'] as const;

/**
 * A metric computed by a function of the row.
 * @example
 * const brevity = codeMetric({ name: 'brevity', fn: ({ outputs }) => String(outputs ?? '').length <= 280 });
 * await evaluate({ data: 'qa.csv', extraMetrics: [brevity] });
 */
export function codeMetric(options: CodeMetricOptions): Metric {
  const { name, version = 'v1', fn, aggregations = ['mean', 'variance', 'p90'], greaterIsBetter = true } = options;
  checkOptions(name, version, fn, aggregations);
  return {
    name,
    version,
    kind: 'code',
    aggregations,
    greaterIsBetter,
    prepare({ columns }) {
      // A variable nothing provides is undefined in the row, not a config error: the function may not read it.
      const sources = VARIABLES.map((variable) => [variable, columns.resolve(variable)] as const);
      return async (row): Promise<MetricOutcome> => {
        const values = Object.fromEntries(sources.map(([variable, source]) => [variable, source ? Columns.read(source, row) : undefined]));
        const input: CodeMetricRow = {
          index: row.index,
          // A copy: other metrics read the same record while this function runs.
          record: { ...row.record },
          inputs: values.inputs,
          outputs: values.predictions,
          predictions: values.predictions,
          targets: values.targets,
          context: values.context,
          latencyMs: row.latencyMs,
        };
        let result: unknown;
        try {
          result = await fn(input);
        } catch (error) {
          return { ok: false, error: `metric '${name}' threw ${thrown(error)}` };
        }
        return codeOutcome(name, result);
      };
    },
  };
}

/**
 * A code metric's return value as an outcome: a finite number as it is, a boolean as 1/0,
 * `{ score, justification }` likewise; anything else is an error row naming what was returned.
 * @example codeOutcome('brevity', true) // { ok: true, value: 1 }
 */
export function codeOutcome(name: string, result: unknown): MetricOutcome {
  const expected = 'not a finite number, a boolean or { score, justification }';
  const asValue = (value: unknown): number | undefined =>
    typeof value === 'boolean' ? Number(value) : typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (typeof result === 'object' && result !== null && !Array.isArray(result) && 'score' in result) {
    const { score, justification } = result as { score: unknown; justification?: unknown };
    const value = asValue(score);
    if (value === undefined)
      return { ok: false, error: `metric '${name}' returned a score of ${describeValue(score)}, not a finite number or a boolean` };
    if (justification !== undefined && typeof justification !== 'string')
      return { ok: false, error: `metric '${name}' returned a justification of ${describeValue(justification)}, not a string` };
    return { ok: true, value, ...(justification !== undefined ? { justification } : {}) };
  }
  const value = asValue(result);
  if (value === undefined) return { ok: false, error: `metric '${name}' returned ${describeValue(result)}, ${expected}` };
  return { ok: true, value };
}

/**
 * A value as an error message shows it: its type and a short rendering.
 * @example describeValue('0.5') // 'the string "0.5"'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (does the function return its score?)';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${short(JSON.stringify(value))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return `an array ${short(safeJson(value))}`;
  return `an object ${short(safeJson(value))}`;
}

/** A thrown value on one line: the error's name and message, and where it was thrown (the stack's first frame). */
function thrown(error: unknown): string {
  if (!(error instanceof Error)) return describeValue(error);
  const message = `${error.name}: ${error.message.split('\n')[0]}`;
  const frame = error.stack
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('at '));
  return frame ? `${message} (${frame})` : message;
}

function checkOptions(name: unknown, version: unknown, fn: unknown, aggregations: unknown): void {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new ConfigError(`invalid code metric name ${JSON.stringify(name)}`, {
      hint: 'a metric name starts with a letter and has only letters, digits, _ . and -',
    });
  }
  if (typeof version !== 'string' || version.length === 0)
    throw new ConfigError(`code metric '${name}': version must be a non-empty string`);
  if (typeof fn !== 'function') throw new ConfigError(`code metric '${name}': fn is ${describeValue(fn)}, not a function`);
  if (!Array.isArray(aggregations) || aggregations.length === 0 || !aggregations.every((a) => AGGREGATIONS.includes(a as Aggregation))) {
    throw new ConfigError(`code metric '${name}': aggregations must be a non-empty list of ${AGGREGATIONS.join(', ')}`);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function short(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
