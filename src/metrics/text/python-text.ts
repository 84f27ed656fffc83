/**
 * Python's idea of whitespace and word characters. The reference implementations Juror's text
 * metrics follow (sacreBLEU, textstat) split with `str.split()` and match with `re`'s Unicode
 * `\s`, `\w` and `\b`; JavaScript's differ (its `\s` takes U+FEFF but not U+001C–U+001F or U+0085,
 * its `\w` and `\b` are ASCII only), so the metrics use these to cut text exactly where Python does.
 */

/** Character-class body of the characters for which Python's `str.isspace()` holds (`re`'s `\s`). */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Character-class body of `re`'s Unicode `\w`: letters, numbers and the underscore. */
export const PY_WORD = '\\p{L}\\p{N}_';

/** A pattern for `re`'s `\b`: a position with a word character on one side only. */
export const PY_BOUNDARY = `(?:(?<=[${PY_WORD}])(?![${PY_WORD}])|(?<![${PY_WORD}])(?=[${PY_WORD}]))`;

const SPACES = new RegExp(`[${PY_SPACE}]+`, 'u');
const TRAILING_SPACES = new RegExp(`[${PY_SPACE}]+$`, 'u');

/** Python's `str.split()` without arguments: whitespace runs separate words, and no word is empty. */
export function pySplit(text: string): string[] {
  const words = text.split(SPACES);
  if (words[0] === '') words.shift();
  if (words.length && words[words.length - 1] === '') words.pop();
  return words;
}

/** Python's `str.rstrip()` without arguments. */
export function pyRstrip(text: string): string {
  return text.replace(TRAILING_SPACES, '');
}
