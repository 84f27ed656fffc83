/**
 * ndcg_at_k against MLflow's definition (scikit-learn ndcg_score with binary relevance): DCG sums
 * 1/log2(rank + 2) over relevant documents at 0-based ranks; the ideal DCG puts the relevant ones
 * first, as many as fit in the retrieved top k.
 */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { builtInMetric } from '../builtin.js';
import { ndcgAtK } from './ndcg-at-k.js';

const chatFor = () => {
  throw new Error('no judge');
};
const gain = (rank: number) => 1 / Math.log2(rank + 2);

describe('ndcgAtK', () => {
  it('is 1 when the relevant documents come first', () => {
    expect(ndcgAtK(['a', 'b', 'x'], ['a', 'b'], 3)).toBe(1);
    expect(ndcgAtK(['a'], ['a', 'b', 'c'], 3)).toBe(1);
  });

  it('discounts relevant documents found lower down', () => {
    // relevant a at rank 1: DCG = 1/log2(3); ideal: one relevant at rank 0 = 1
    expect(ndcgAtK(['x', 'a', 'y'], ['a'], 3)).toBeCloseTo(gain(1), 12);
    // relevant at ranks 0 and 2; ideal ranks 0 and 1
    expect(ndcgAtK(['a', 'x', 'b'], ['a', 'b'], 3)).toBeCloseTo((gain(0) + gain(2)) / (gain(0) + gain(1)), 12);
  });

  it('looks at the top k only, and sizes the ideal by what was retrieved', () => {
    expect(ndcgAtK(['x', 'a'], ['a'], 1)).toBe(0);
    // Top 2 holds one of three relevant: DCG = 1; ideal = gain(0) + gain(1).
    expect(ndcgAtK(['a', 'x', 'b'], ['a', 'b', 'c'], 2)).toBeCloseTo(1 / (gain(0) + gain(1)), 12);
  });

  it("treats a repeated relevant document as a new relevant one (MLflow's example)", () => {
    // Ground truth [1, 2], retrieved [1, 1, 1, 3] scores as ground truth [10, 11, 12, 2] and
    // retrieved [10, 11, 12, 3]: DCG = g0 + g1 + g2, ideal = g0 + g1 + g2 + g3.
    expect(ndcgAtK([1, 1, 1, 3], [1, 2], 4)).toBeCloseTo((gain(0) + gain(1) + gain(2)) / (gain(0) + gain(1) + gain(2) + gain(3)), 12);
    expect(ndcgAtK([1, 1, 1, 3], [1, 2], 4)).toBeCloseTo(0.8318724637, 9);
  });

  it("follows MLflow's empty cases", () => {
    expect(ndcgAtK([], [], 3)).toBe(1);
    expect(ndcgAtK(['a'], [], 3)).toBe(0);
    expect(ndcgAtK([], ['a'], 3)).toBe(0);
    expect(ndcgAtK(['x', 'y'], ['a'], 3)).toBe(0);
  });

  it('handles 100k retrieved ids', () => {
    const retrieved = Array.from({ length: 100_000 }, (_, i) => i);
    expect(ndcgAtK(retrieved, [0], 100_000)).toBe(1);
  });
});

describe('ndcg_at_k metric', () => {
  it('scores rows', async () => {
    const score = builtInMetric('ndcg_at_k', { k: 3 }).prepare({
      columns: new Columns({ columns: ['predictions', 'targets'], hasModel: false }),
      chatFor,
    });
    expect(await score({ index: 0, record: { predictions: '["x", "a"]', targets: '["a"]' } })).toEqual({ ok: true, value: gain(1) });
  });
});
