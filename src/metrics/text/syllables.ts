/**
 * English syllable counting for the readability metrics. textstat (which MLflow calls) counts a
 * word's syllables as pyphen's hyphenation points plus one; pyphen's dictionaries are not ported
 * here, so this is a vowel-group heuristic with the usual English corrections instead. It agrees
 * with textstat on common words but not on every word, so readability scores can differ from
 * MLflow's by a little. Like textstat, every word counts at least one syllable.
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
  const letters = word.normalize('NFD').toLowerCase().replace(/[^a-z]/g, '');
  // pyphen never hyphenates within two letters of either end, so three letters are one syllable.
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
