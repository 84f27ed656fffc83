import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { builtInMetric } from '../builtin.js';
import type { Metric, MetricOutcome } from '../metric.js';
import { jsonEqual, jsonMatch, jsonValid } from './json.js';

const chatFor = () => {
  throw new Error('no judge');
};

function run(metric: Metric, record: Record<string, unknown>): Promise<MetricOutcome> | MetricOutcome {
  return metric.prepare({ columns: new Columns({ columns: ['predictions', 'targets'], hasModel: false }), chatFor })({ index: 0, record });
}

describe('json_valid', () => {
  it.each([
    ['{"a": 1}', 1],
    ['[1, 2, 3]', 1],
    ['"text"', 1],
    ['42', 1],
    ['null', 1],
    ['  {"ünïcödé": "✓"}\n', 1],
    ['', 0],
    ['{a: 1}', 0],
    ["{'a': 1}", 0],
    ['[1, 2,]', 0],
    ['NaN', 0],
    ['{"a": 1} trailing', 0],
    ['!!!', 0],
  ])('%j → %i', async (prediction, expected) => {
    expect(await run(jsonValid, { predictions: prediction })).toEqual({ ok: true, value: expected });
  });

  it('takes a structured cell (JSONL object) as the JSON it is', async () => {
    expect(await run(jsonValid, { predictions: { a: [1, 2] } })).toEqual({ ok: true, value: 1 });
  });

  it('handles a 100k-element document', async () => {
    const big = JSON.stringify(Array.from({ length: 100_000 }, (_, i) => ({ id: i, word: 'w' })));
    expect(await run(jsonValid, { predictions: big })).toEqual({ ok: true, value: 1 });
    expect(await run(jsonValid, { predictions: big.slice(0, -1) })).toEqual({ ok: true, value: 0 });
  });
});

describe('json_match', () => {
  it('compares parsed values: key order does not matter, array order does', async () => {
    expect(await run(jsonMatch, { predictions: '{"b": [1, 2], "a": {"x": null}}', targets: '{"a": {"x": null}, "b": [1, 2]}' })).toEqual({
      ok: true,
      value: 1,
    });
    expect(await run(jsonMatch, { predictions: '[2, 1]', targets: '[1, 2]' })).toEqual({ ok: true, value: 0 });
    expect(await run(jsonMatch, { predictions: '1.0', targets: '1' })).toEqual({ ok: true, value: 1 });
    expect(await run(jsonMatch, { predictions: '{"a": 1}', targets: '{"a": 1, "b": 2}' })).toEqual({ ok: true, value: 0 });
    expect(await run(jsonMatch, { predictions: '"1"', targets: '1' })).toEqual({ ok: true, value: 0 });
  });

  it('scores a prediction that is not JSON 0', async () => {
    expect(await run(jsonMatch, { predictions: 'not json', targets: '{"a": 1}' })).toEqual({ ok: true, value: 0 });
    expect(await run(jsonMatch, { predictions: '', targets: '""' })).toEqual({ ok: true, value: 0 });
  });

  it('makes a target that is not JSON an error of the row', async () => {
    const outcome = await run(jsonMatch, { predictions: '{"a": 1}', targets: '{a: 1}' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/^the target is not valid JSON \(/);
  });

  it('compares structured cells', async () => {
    expect(await run(jsonMatch, { predictions: { a: [1, { b: 'é' }] }, targets: '{"a": [1, {"b": "é"}]}' })).toEqual({
      ok: true,
      value: 1,
    });
  });

  it('is registered', () => {
    expect(builtInMetric('json_match')).toBe(jsonMatch);
    expect(builtInMetric('json_valid')).toBe(jsonValid);
  });
});

describe('jsonEqual', () => {
  it('tells arrays from objects and null from objects', () => {
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({ 0: 'a' }, ['a'])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(false);
  });
});
