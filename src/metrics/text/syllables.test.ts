/** Syllable counts of common English words, as a dictionary gives them. */
import { describe, expect, it } from 'vitest';
import { countSyllables } from './syllables.js';

const cases: Array<[string, number]> = [
  ['the', 1],
  ['cat', 1],
  ['reading', 2],
  ['wonderful', 3],
  ['children', 2],
  ['beautiful', 3],
  ['stories', 2],
  // silent e, but consonant + le is sounded
  ['make', 1],
  ['love', 1],
  ['table', 2],
  ['little', 2],
  ['free', 1],
  // -es and -ed
  ['makes', 1],
  ['lives', 1],
  ['boxes', 2],
  ['wishes', 2],
  ['tables', 2],
  ['jumped', 1],
  ['played', 1],
  ['wanted', 2],
  ['needed', 2],
  // silent e before a suffix
  ['lovely', 2],
  ['movement', 2],
  ['hopeful', 2],
  ['completely', 3],
  // leading y and qu
  ['yellow', 2],
  ['quickly', 2],
  ['university', 5],
  ['readability', 5],
];

describe('countSyllables', () => {
  it.each(cases)('%s has %i', (word, syllables) => {
    expect(countSyllables(word)).toBe(syllables);
  });

  it('ignores case, punctuation and accents', () => {
    expect(countSyllables('Wonderful!')).toBe(3);
    expect(countSyllables("don't")).toBe(1);
    expect(countSyllables('façade')).toBe(2);
    expect(countSyllables('Über')).toBe(2);
  });

  it('gives every word at least one syllable, as textstat does', () => {
    expect(countSyllables('2024')).toBe(1);
    expect(countSyllables('東京')).toBe(1);
    expect(countSyllables('rhythm')).toBe(1);
    expect(countSyllables('---')).toBe(1);
  });
});
