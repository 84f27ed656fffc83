import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import { chosenK, readDocIds } from './retrieval-metric.js';

describe('readDocIds', () => {
  it('reads lists and JSON arrays in text, of strings and numbers', () => {
    expect(readDocIds(['a', 2])).toEqual({ ok: true, ids: ['a', 2] });
    expect(readDocIds('["a", 2]')).toEqual({ ok: true, ids: ['a', 2] });
    expect(readDocIds(' []')).toEqual({ ok: true, ids: [] });
    expect(readDocIds(['東京', 'é'])).toEqual({ ok: true, ids: ['東京', 'é'] });
  });

  it('says why a cell holds no ids', () => {
    expect(readDocIds('doc1, doc2')).toMatchObject({ ok: false, problem: expect.stringContaining('is not a list of document ids') });
    expect(readDocIds('')).toMatchObject({ ok: false });
    expect(readDocIds(undefined)).toMatchObject({ ok: false });
    expect(readDocIds('["a", null]')).toEqual({
      ok: false,
      problem: 'holds null at position 1, which is not a document id (a string or a number)',
    });
    expect(readDocIds([{ id: 1 }])).toMatchObject({ ok: false, problem: expect.stringContaining('{"id":1} at position 0') });
    expect(readDocIds([undefined])).toMatchObject({ ok: false, problem: expect.stringContaining('undefined at position 0') });
  });
});

describe('k', () => {
  it('defaults to 3, is given as k or retriever_k, and names the metric', () => {
    expect(chosenK({})).toBe(3);
    expect(chosenK({ k: 5 })).toBe(5);
    expect(chosenK({ retriever_k: 7 })).toBe(7);
    expect(builtInMetric('precision_at_k').name).toBe('precision_at_3');
    expect(builtInMetric('recall_at_k', { retriever_k: 10 }).name).toBe('recall_at_10');
    expect(builtInMetric('ndcg_at_k', { k: 1 }).name).toBe('ndcg_at_1');
  });

  it('must be a positive integer, given once', () => {
    expect(() => builtInMetric('precision_at_k', { k: 0 })).toThrow(ConfigError);
    expect(() => builtInMetric('precision_at_k', { k: 2.5 })).toThrow(ConfigError);
    expect(() => builtInMetric('precision_at_k', { k: '3' })).toThrow(ConfigError);
    expect(() => builtInMetric('precision_at_k', { k: 3, retriever_k: 3 })).toThrow('give k or retriever_k, not both');
  });
});
