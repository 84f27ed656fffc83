import { describe, expect, it } from 'vitest';
import { parseListCell } from './cells.js';

describe('parseListCell', () => {
  it('returns an array as it is', () => {
    const list = [{ doc_uri: 'a.md' }];
    expect(parseListCell(list)).toBe(list);
  });

  it('parses a string holding a JSON array', () => {
    expect(parseListCell(' [{"doc_uri": "a.md", "content": "x"}]')).toEqual([{ doc_uri: 'a.md', content: 'x' }]);
  });

  it('returns undefined for other strings and values', () => {
    expect(parseListCell('{"a": 1}')).toBeUndefined();
    expect(parseListCell('[not json')).toBeUndefined();
    expect(parseListCell('plain text')).toBeUndefined();
    expect(parseListCell(undefined)).toBeUndefined();
    expect(parseListCell({ a: 1 })).toBeUndefined();
  });
});
