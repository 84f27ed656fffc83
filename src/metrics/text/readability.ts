/**
 * Readability of the prediction, as MLflow computes it with textstat (the unrounded formulas of
 * textstat 0.7.9; before 0.7.6 textstat rounded the averages to one decimal, and the results):
 * - `flesch_kincaid_grade_level` = 0.39 × words/sentences + 11.8 × syllables/words − 15.59
 * - `ari_grade_level` = 4.71 × characters/tokens + 0.5 × words/sentences − 21.43
 * - `flesch_reading_ease` = 206.835 − 1.015 × words/sentences − 84.6 × syllables/words
 * Counts follow textstat: words are whitespace-separated after punctuation is removed (apostrophes
 * of English contractions kept); a sentence is a run up to `.`, `!` or `?`, and sentences of two
 * words or fewer are not counted (at least one is); ARI's characters are the non-space characters
 * and its tokens the whitespace-separated ones, punctuation included in both. Syllables are
 * estimated (see `syllables.ts`). Text without words is an error, where textstat would say 0.
 */
import type { Metric, MetricOutcome } from '../metric.js';
import { PY_BOUNDARY, PY_SPACE, PY_WORD, pySplit } from './python-text.js';
import { countSyllables } from './syllables.js';
import { scored, textMetric } from './text-metric.js';

/** The counts the formulas need. */
export interface TextCounts {
  words: number;
  sentences: number;
  syllables: number;
  /** Non-whitespace characters, punctuation included. */
  characters: number;
  /** Whitespace-separated tokens before punctuation is removed (ARI's word count). */
  tokens: number;
}

/** Apostrophes that are not part of n't, 's, 'd, 've, 'll or 're (textstat's remove_punctuation). */
const STRAY_APOSTROPHE = new RegExp(`'(?!(?:[tsd]|ve|ll|re)(?![${PY_WORD}]))`, 'gu');
const PUNCTUATION = new RegExp(`[^${PY_WORD}${PY_SPACE}']`, 'gu');
const SENTENCE = new RegExp(`${PY_BOUNDARY}[^.!?]+[.!?]*`, 'gu');
const SPACE = new RegExp(`[${PY_SPACE}]`, 'gu');

function words(text: string): string[] {
  return pySplit(text.replace(STRAY_APOSTROPHE, '').replace(PUNCTUATION, ''));
}

/** textstat's counts of a text. */
export function textCounts(text: string): TextCounts {
  const wordList = words(text);
  let sentences = 0;
  for (const [sentence] of text.matchAll(SENTENCE)) if (words(sentence).length > 2) sentences++;
  let characters = 0;
  // Code points, as Python's len(): an emoji is one character.
  for (const _ of text.replace(SPACE, '')) characters++;
  return {
    words: wordList.length,
    sentences: Math.max(1, sentences),
    syllables: words(text.toLowerCase()).reduce((sum, word) => sum + countSyllables(word), 0),
    characters,
    tokens: pySplit(text).length,
  };
}

/** The three readability formulas, by metric name. */
export const READABILITY = {
  flesch_kincaid_grade_level: (c: TextCounts) => 0.39 * (c.words / c.sentences) + 11.8 * (c.syllables / c.words) - 15.59,
  ari_grade_level: (c: TextCounts) => 4.71 * (c.characters / c.tokens) + 0.5 * (c.words / c.sentences) - 21.43,
  flesch_reading_ease: (c: TextCounts) => 206.835 - 1.015 * (c.words / c.sentences) - 84.6 * (c.syllables / c.words),
} as const;

export type ReadabilityName = keyof typeof READABILITY;

/** A readability score of one text; text without words is an error outcome. */
export function readability(name: ReadabilityName, text: string): MetricOutcome {
  const counts = textCounts(text);
  return counts.words === 0 ? { ok: false, error: 'no words to score' } : scored(READABILITY[name](counts));
}

/** A readability metric: grade levels are better lower, reading ease higher. */
export function readabilityMetric(name: ReadabilityName): Metric {
  return textMetric({
    name,
    greaterIsBetter: name === 'flesch_reading_ease',
    compares: false,
    score: (prediction) => readability(name, prediction),
  });
}
