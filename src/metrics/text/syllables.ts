/**
 * English syllable counting for the readability metrics. textstat (which MLflow calls) takes a
 * word's syllables from the CMU pronouncing dictionary when the word is in it (textstat 0.7.9;
 * earlier versions used pyphen's hyphenation points + 1 for every word). Neither dictionary is
 * ported here: this is a vowel-group heuristic with the usual English corrections, which gives
 * the dictionary count for common words but not for every word, so readability scores can differ
 * from MLflow's a little. Like textstat, every word counts at least one syllable.
 */

/** Silent final e (make, love), except consonant + le (table, little). */
const SILENT_E = /[^aeiouy]e$/;
const SYLLABIC_LE = /[^aeiouy]le$/;
/** Silent e of -es (makes, lives), except after sibilants (boxes, faces, ages, wishes) and consonant + les (tables). */
const SILENT_ES = /[^aeiouysxzcg]es$/;
const SOUNDED_ES = /(?:ch|sh|[^aeiouy]l)es$/;
/** Silent e of -ed (jumped, called), except after t or d (wanted, needed). */
const SILENT_ED = /[^aeiouytd]ed$/;
/** Silent e before a suffix (lovely, movement, hopeful, careless, lateness). */
const SILENT_E_BEFORE_SUFFIX = /[^aeiouy]e(?:ly|ment|ful|ness|less)$/;

/**
 * The syllables of one word (a whitespace-separated token, punctuation allowed).
 * @example countSyllables('beautiful') // 3
 */
export function countSyllables(word: string): number {
  // Accents are not letters of their own: café is c-a-f-e for counting.
  const letters = word
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  // Three letters are one syllable, bar a few words (ago, ion).
  if (letters.length <= 3) return 1;
  // A leading y is a consonant (yes, young); the u of qu is not a vowel (quick, quote).
  const w = letters.replace(/^y/, '').replace(/qu/g, 'q');
  let count = w.match(/[aeiouy]+/g)?.length ?? 0;
  if (SILENT_E.test(w) && !SYLLABIC_LE.test(w)) count--;
  if (SILENT_ES.test(w) && !SOUNDED_ES.test(w)) count--;
  if (SILENT_ED.test(w)) count--;
  if (SILENT_E_BEFORE_SUFFIX.test(w)) count--;
  return Math.max(1, count);
}
