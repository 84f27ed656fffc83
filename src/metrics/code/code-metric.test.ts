import { describe, expect, it } from 'vitest';
import type { DataRecord } from '../../data/dataset.js';
import { evaluate, type EvaluateOptions } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import { codeMetric, codeOutcome, describeValue, type CodeMetricFn, type CodeMetricRow } from './code-metric.js';

/** Runs one code metric over records and returns its per-row cells. */
async function run(fn: CodeMetricFn, data: DataRecord[] = [{ outputs: 'x' }], extra: Partial<EvaluateOptions> = {}) {
  const result = await evaluate({ data, metrics: [codeMetric({ name: 'custom', fn })], store: false, ...extra });
  const table = result.tables.eval_results_table;
  return { result, scores: table.map((row) => row['custom/v1/score']), errors: table.map((row) => row['custom/v1/error']), table };
}

describe('return values', () => {
  it('take a finite number as the value', () => {
    expect(codeOutcome('m', 0.25)).toEqual({ ok: true, value: 0.25 });
    expect(codeOutcome('m', -3)).toEqual({ ok: true, value: -3 });
  });

  it('take booleans as 1 and 0', () => {
    expect(codeOutcome('m', true)).toEqual({ ok: true, value: 1 });
    expect(codeOutcome('m', false)).toEqual({ ok: true, value: 0 });
  });

  it('take { score, justification }', () => {
    expect(codeOutcome('m', { score: 4, justification: 'short and clear' })).toEqual({
      ok: true,
      value: 4,
      justification: 'short and clear',
    });
    expect(codeOutcome('m', { score: true })).toEqual({ ok: true, value: 1 });
  });

  it('make anything else an error row naming what was returned', () => {
    const expected = 'not a finite number, a boolean or { score, justification }';
    expect(codeOutcome('m', Number.NaN)).toEqual({ ok: false, error: `metric 'm' returned NaN, ${expected}` });
    expect(codeOutcome('m', Infinity)).toEqual({ ok: false, error: `metric 'm' returned Infinity, ${expected}` });
    expect(codeOutcome('m', '0.5')).toEqual({ ok: false, error: `metric 'm' returned the string "0.5", ${expected}` });
    expect(codeOutcome('m', undefined)).toEqual({
      ok: false,
      error: `metric 'm' returned undefined (does the function return its score?), ${expected}`,
    });
    expect(codeOutcome('m', null)).toEqual({ ok: false, error: `metric 'm' returned null, ${expected}` });
    expect(codeOutcome('m', [1])).toEqual({ ok: false, error: `metric 'm' returned an array [1], ${expected}` });
    expect(codeOutcome('m', { value: 1 })).toEqual({ ok: false, error: `metric 'm' returned an object {"value":1}, ${expected}` });
    expect(codeOutcome('m', { score: 'high' })).toEqual({
      ok: false,
      error: `metric 'm' returned a score of the string "high", not a finite number or a boolean`,
    });
    expect(codeOutcome('m', { score: 1, justification: 7 })).toEqual({
      ok: false,
      error: `metric 'm' returned a justification of 7, not a string`,
    });
  });

  it('are shown short in messages', () => {
    expect(describeValue('x'.repeat(200))).toHaveLength('the string '.length + 81);
    expect(describeValue(10n)).toBe('the bigint 10n');
    expect(describeValue(() => 1)).toBe('a function');
  });
});

describe('a run', () => {
  it('scores each row, awaiting async functions', async () => {
    const { scores, result } = await run(async ({ outputs }) => String(outputs).length, [{ outputs: 'ab' }, { outputs: 'abcd' }]);
    expect(scores).toEqual([2, 4]);
    expect(result.metrics).toEqual({ 'custom/v1/mean': 3, 'custom/v1/variance': 1, 'custom/v1/p90': 3.8 });
  });

  it('keeps the justification in the table', async () => {
    const { table } = await run(() => ({ score: 1, justification: 'fine' }));
    expect(table[0]!['custom/v1/justification']).toBe('fine');
  });

  it('gives the function the record and the standard variables, through col_mapping and aliases', async () => {
    const rows: CodeMetricRow[] = [];
    await run(
      (row) => {
        rows.push(row);
        return 1;
      },
      [{ question: 'Q', response: 'A', expected_response: 'E', retrieved_context: ['c1'], extra: 7 }],
      { colMapping: { inputs: 'question' } },
    );
    expect(rows).toEqual([
      {
        index: 0,
        record: { question: 'Q', response: 'A', expected_response: 'E', retrieved_context: ['c1'], extra: 7 },
        inputs: 'Q',
        outputs: 'A',
        predictions: 'A',
        targets: 'E',
        context: ['c1'],
        latencyMs: undefined,
      },
    ]);
  });

  it('gives the function a copy of the record, so that changing it changes nothing else', async () => {
    const data = [{ outputs: 'kept' }];
    const { table } = await run((row) => {
      row.record.outputs = 'changed';
      return 1;
    }, data);
    expect(data[0]!.outputs).toBe('kept');
    expect(table[0]!.outputs).toBe('kept');
  });

  it('gives undefined for variables nothing provides, instead of failing the run', async () => {
    const rows: CodeMetricRow[] = [];
    await run((row) => (rows.push(row), true), [{ text: 'only a column' }]);
    expect(rows[0]).toMatchObject({
      inputs: undefined,
      outputs: undefined,
      predictions: undefined,
      targets: undefined,
      context: undefined,
      record: { text: 'only a column' },
    });
  });

  it("gives the model under test's answer as outputs, with its latency", async () => {
    const rows: CodeMetricRow[] = [];
    await run((row) => (rows.push(row), 1), [{ inputs: 'hi' }], { model: (record) => `echo ${String(record.inputs)}` });
    expect(rows[0]!.outputs).toBe('echo hi');
    expect(rows[0]!.predictions).toBe('echo hi');
    expect(typeof rows[0]!.latencyMs).toBe('number');
  });

  it("makes a throw an error row with the error's message and where it was thrown", async () => {
    const { errors, result } = await run(
      ({ index }) => {
        if (index === 1) throw new RangeError('too long\nsecond line');
        return 1;
      },
      [{ outputs: 'a' }, { outputs: 'b' }],
    );
    expect(errors[0]).toBeUndefined();
    expect(errors[1]).toMatch(/^metric 'custom' threw RangeError: too long \(at .*code-metric\.test\.ts:\d+:\d+\)?\)$/);
    expect(result.errors).toEqual({ 'custom/v1': 1 });
    expect(result.metrics['custom/v1/mean']).toBe(1);
  });

  it('makes a thrown non-error an error row describing it', async () => {
    const { errors } = await run(() => {
      throw 'plain string';
    });
    expect(errors[0]).toBe(`metric 'custom' threw the string "plain string"`);
  });

  it('makes a bad return value an error row, never a number', async () => {
    const { errors, result } = await run(() => Number.NaN as number);
    expect(errors[0]).toContain("metric 'custom' returned NaN");
    expect(result.failedMetrics).toEqual(['custom/v1']);
    expect(result.metrics).toEqual({});
  });
});

describe('options', () => {
  it('default to version v1, mean/variance/p90 and greater is better', () => {
    expect(codeMetric({ name: 'brevity', fn: () => 1 })).toMatchObject({
      name: 'brevity',
      version: 'v1',
      kind: 'code',
      aggregations: ['mean', 'variance', 'p90'],
      greaterIsBetter: true,
    });
  });

  it('take version, aggregations and direction', () => {
    expect(codeMetric({ name: 'brevity', version: 'v2', aggregations: ['ratio'], greaterIsBetter: false, fn: () => 1 })).toMatchObject({
      version: 'v2',
      aggregations: ['ratio'],
      greaterIsBetter: false,
    });
  });

  it('refuse a bad name, version, function or aggregation with a ConfigError', () => {
    expect(() => codeMetric({ name: '2fast', fn: () => 1 })).toThrow(ConfigError);
    expect(() => codeMetric({ name: '2fast', fn: () => 1 })).toThrow('invalid code metric name "2fast"');
    expect(() => codeMetric({ name: 'm', version: '', fn: () => 1 })).toThrow('version must be a non-empty string');
    expect(() => codeMetric({ name: 'm', fn: 'x' as unknown as CodeMetricFn })).toThrow('fn is the string "x", not a function');
    expect(() => codeMetric({ name: 'm', aggregations: ['average' as 'mean'], fn: () => 1 })).toThrow(
      'aggregations must be a non-empty list of mean, variance',
    );
  });
});
