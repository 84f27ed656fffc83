/** precision_at_k against MLflow's definition: relevant among top-min(k, retrieved), over that count. */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { precisionAtK, precisionAtKMetric } from './precision-at-k.js';

const chatFor = () => {
  throw new Error('no judge');
};

describe('precisionAtK', () => {
  it('is the relevant share of the top k', () => {
    // top 3 of [a, x, b, c] = a, x, b: a and b relevant → 2/3
    expect(precisionAtK(['a', 'x', 'b', 'c'], ['a', 'b', 'c'], 3)).toBeCloseTo(2 / 3, 12);
    expect(precisionAtK(['x', 'y'], ['a'], 2)).toBe(0);
    expect(precisionAtK(['a', 'b'], ['a', 'b'], 2)).toBe(1);
  });

  it('divides by the number retrieved when fewer than k were', () => {
    expect(precisionAtK(['a'], ['a', 'b'], 5)).toBe(1);
    expect(precisionAtK(['a', 'x'], ['a'], 5)).toBe(0.5);
  });

  it('counts a document retrieved twice twice', () => {
    expect(precisionAtK(['a', 'a', 'x'], ['a'], 3)).toBeCloseTo(2 / 3, 12);
  });

  it('is 0 when nothing was retrieved, even when nothing is relevant', () => {
    expect(precisionAtK([], ['a'], 3)).toBe(0);
    expect(precisionAtK([], [], 3)).toBe(0);
    expect(precisionAtK(['a'], [], 3)).toBe(0);
  });

  it('tells the number 1 from the string "1", as Python does', () => {
    expect(precisionAtK([1, '2'], ['1', 2], 2)).toBe(0);
  });

  it('handles 100k retrieved ids', () => {
    const retrieved = Array.from({ length: 100_000 }, (_, i) => `doc${i}`);
    expect(precisionAtK(retrieved, ['doc0', 'doc99999'], 100_000)).toBeCloseTo(2 / 100_000, 15);
  });
});

describe('precision_at_k metric', () => {
  const score = (k: number, record: Record<string, unknown>) =>
    precisionAtKMetric({ k }).prepare({ columns: new Columns({ columns: Object.keys(record), hasModel: false }), chatFor })({
      index: 0,
      record,
    });

  it('reads retrieved ids from predictions and relevant ids from targets, as lists or JSON text', async () => {
    expect(await score(2, { predictions: '["a", "x", "b"]', targets: ['a', 'b'] })).toEqual({ ok: true, value: 0.5 });
    expect(await score(3, { outputs: [1, 2, 3], expected_response: '[3]' })).toEqual({ ok: true, value: 1 / 3 });
  });

  it('makes a cell that is not a list an error naming the column', async () => {
    expect(await score(3, { predictions: 'a, b', targets: ['a'] })).toEqual({
      ok: false,
      error: "column 'predictions' is not a list of document ids (give a list, or a JSON array in text)",
    });
    expect(await score(3, { predictions: ['a'], targets: '[true]' })).toEqual({
      ok: false,
      error: "column 'targets' holds true at position 0, which is not a document id (a string or a number)",
    });
  });

  it('needs both columns before any row', () => {
    const columns = new Columns({ columns: ['predictions'], hasModel: false });
    expect(() => precisionAtKMetric().prepare({ columns, chatFor })).toThrow(ConfigError);
  });
});
