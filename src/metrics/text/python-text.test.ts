import { describe, expect, it } from 'vitest';
import { pyRstrip, pySplit } from './python-text.js';

describe("Python's str.split()", () => {
  it('splits on runs of whitespace and drops empty ends', () => {
    expect(pySplit('  a \t b\n\nc  ')).toEqual(['a', 'b', 'c']);
    expect(pySplit('')).toEqual([]);
    expect(pySplit(' \n\t ')).toEqual([]);
  });

  it("splits on the Unicode spaces Python's isspace() takes, and only those", () => {
    // No-break space, ideographic space, the information separators U+001C–U+001F and NEL are
    // Python whitespace; U+FEFF (zero-width no-break space) is whitespace to JavaScript only.
    expect(pySplit('a\u00a0b\u3000c\x1cd\x1fe\u0085f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(pySplit('a\ufeffb')).toEqual(['a\ufeffb']);
    expect(pySplit('a\u200bb')).toEqual(['a\u200bb']);
  });

  it('rstrips the same whitespace', () => {
    expect(pyRstrip('text \u3000\n')).toBe('text');
    expect(pyRstrip(' keep\ufeff')).toBe(' keep\ufeff');
  });
});
