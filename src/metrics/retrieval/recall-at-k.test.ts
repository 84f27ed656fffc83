/** recall_at_k against MLflow's definition: distinct relevant ids in the top k, over distinct relevant ids. */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { recallAtK, recallAtKMetric } from './recall-at-k.js';

const chatFor = () => {
  throw new Error('no judge');
};

describe('recallAtK', () => {
  it('is the share of relevant documents found in the top k', () => {
    // top 2 of [a, x, b] = a, x: 1 of the 2 relevant
    expect(recallAtK(['a', 'x', 'b'], ['a', 'b'], 2)).toBe(0.5);
    expect(recallAtK(['a', 'x', 'b'], ['a', 'b'], 3)).toBe(1);
    expect(recallAtK(['x'], ['a', 'b'], 3)).toBe(0);
  });

  it('counts distinct documents on both sides', () => {
    expect(recallAtK(['a', 'a', 'a'], ['a', 'b'], 3)).toBe(0.5);
    expect(recallAtK(['a'], ['a', 'a'], 3)).toBe(1);
  });

  it('rewards retrieving nothing when nothing is relevant, and penalizes retrieving something', () => {
    expect(recallAtK([], [], 3)).toBe(1);
    expect(recallAtK(['a'], [], 3)).toBe(0);
    expect(recallAtK([], ['a'], 3)).toBe(0);
  });

  it('handles Unicode ids and 100k relevant ids', () => {
    expect(recallAtK(['東京', 'é'], ['é'], 3)).toBe(1);
    const relevant = Array.from({ length: 100_000 }, (_, i) => i);
    expect(recallAtK([0, 1, 2], relevant, 3)).toBeCloseTo(3 / 100_000, 15);
  });
});

describe('recall_at_k metric', () => {
  it('scores rows, k = 3 by default', async () => {
    const score = recallAtKMetric().prepare({ columns: new Columns({ columns: ['predictions', 'targets'], hasModel: false }), chatFor });
    expect(await score({ index: 0, record: { predictions: ['x', 'y', 'z', 'a'], targets: ['a'] } })).toEqual({ ok: true, value: 0 });
    expect(await score({ index: 1, record: { predictions: '[]', targets: '[]' } })).toEqual({ ok: true, value: 1 });
  });
});
