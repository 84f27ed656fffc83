import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import { editDistance, levenshtein, levenshteinSimilarity } from './levenshtein.js';

const chatFor = () => {
  throw new Error('no judge');
};

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    // kitten → sitten (k→s) → sittin (e→i) → sitting (+g)
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('ab', 'ba')).toBe(2);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(editDistance('😀a', 'a')).toBe(1);
    expect(editDistance('naïve', 'naive')).toBe(1);
    // A decomposed é (e + combining accent) is two code points, and is not normalized.
    expect(editDistance('e\u0301', '\u00e9')).toBe(2);
  });

  it('is quick on long texts that differ little', () => {
    const text = 'lorem ipsum '.repeat(100_000);
    expect(editDistance(text, text)).toBe(0);
    expect(editDistance(text, `${text.slice(0, 600_000)}X${text.slice(600_001)}`)).toBe(1);
  });
});

describe('levenshtein metric', () => {
  it('is 1 − distance / longer length, and 1 when both texts are empty', () => {
    expect(levenshteinSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 12);
    expect(levenshteinSimilarity('', '')).toBe(1);
    expect(levenshteinSimilarity('', 'abc')).toBe(0);
    expect(levenshteinSimilarity('abc', 'xyz')).toBe(0);
    expect(levenshteinSimilarity('!?', '!?')).toBe(1);
    expect(levenshteinSimilarity('line one\nline two', 'line one\nline too')).toBeCloseTo(1 - 1 / 17, 12);
  });

  it('scores prediction against target per row', async () => {
    const score = levenshtein.prepare({ columns: new Columns({ columns: ['response', 'expected_response'], hasModel: false }), chatFor });
    expect(await score({ index: 0, record: { response: 'sitting', expected_response: 'kitten' } })).toEqual({ ok: true, value: 1 - 3 / 7 });
    expect(await score({ index: 1, record: {} })).toEqual({ ok: true, value: 1 });
  });

  it('is registered, and needs a target', () => {
    expect(builtInMetric('levenshtein')).toBe(levenshtein);
    expect(() => levenshtein.prepare({ columns: new Columns({ columns: ['predictions'], hasModel: false }), chatFor })).toThrow(
      ConfigError,
    );
  });

  it('powers the registry’s "did you mean" suggestions', () => {
    expect(() => builtInMetric('rogue1')).toThrow(ConfigError);
    try {
      builtInMetric('rogue1');
    } catch (error) {
      expect((error as ConfigError).hint).toContain('did you mean rouge1');
    }
  });
});
