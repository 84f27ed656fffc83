/**
 * Readability against values worked by hand from textstat's formulas and counting rules:
 * FK = 0.39·w/s + 11.8·y/w − 15.59, FRE = 206.835 − 1.015·w/s − 84.6·y/w,
 * ARI = 4.71·c/t + 0.5·w/s − 21.43 (w words, s sentences, y syllables, c characters, t tokens).
 */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { builtInMetric } from '../builtin.js';
import type { MetricOutcome } from '../metric.js';
import { readability, readabilityMetric, textCounts, type ReadabilityName } from './readability.js';

const chatFor = () => {
  throw new Error('no judge');
};

const value = (name: ReadabilityName, text: string): number => {
  const outcome = readability(name, text);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value;
};

const SIMPLE = 'The cat sat on the mat.';
const TWO = 'Reading is wonderful. Children love beautiful stories.';

describe('textstat counts', () => {
  it('counts words, sentences, syllables, characters and tokens', () => {
    expect(textCounts(SIMPLE)).toEqual({ words: 6, sentences: 1, syllables: 6, characters: 18, tokens: 6 });
    // Read-ing is won-der-ful. Chil-dren love beau-ti-ful sto-ries.
    expect(textCounts(TWO)).toEqual({ words: 7, sentences: 2, syllables: 14, characters: 48, tokens: 7 });
  });

  it('does not count sentences of two words or fewer (textstat), but counts at least one', () => {
    expect(textCounts('Hi. Yes. The cat sat down.')).toMatchObject({ words: 6, sentences: 1 });
    expect(textCounts('Hi.')).toMatchObject({ words: 1, sentences: 1 });
  });

  it('keeps contractions whole and drops quotes and punctuation from words', () => {
    expect(textCounts("I don't think you're right.")).toMatchObject({ words: 5, syllables: 5, characters: 23, tokens: 5 });
    expect(textCounts("'Hello,' she said -- twice.")).toMatchObject({ words: 4, tokens: 5 });
  });

  it('counts characters by code point, and symbols as characters but not as words', () => {
    // 👋🏽 is two code points (hand, skin tone); neither is a word character. Hel-lo world.
    expect(textCounts('Hello 👋🏽 world')).toEqual({ words: 2, sentences: 1, syllables: 3, characters: 12, tokens: 3 });
  });

  it('does not end sentences at newlines, as textstat does not', () => {
    expect(textCounts('The cat sat on the mat\nThe dog ran in the park')).toMatchObject({ words: 12, sentences: 1 });
  });
});

describe('readability scores', () => {
  it('of one short sentence (6 words, 1 sentence, 6 syllables, 18 characters)', () => {
    expect(value('flesch_kincaid_grade_level', SIMPLE)).toBeCloseTo(0.39 * 6 + 11.8 - 15.59, 12); // −1.45
    expect(value('flesch_reading_ease', SIMPLE)).toBeCloseTo(206.835 - 1.015 * 6 - 84.6, 12); // 116.145
    expect(value('ari_grade_level', SIMPLE)).toBeCloseTo(4.71 * 3 + 0.5 * 6 - 21.43, 12); // −4.3
  });

  it('of two sentences (7 words, 2 sentences, 14 syllables, 48 characters)', () => {
    expect(value('flesch_kincaid_grade_level', TWO)).toBeCloseTo(0.39 * 3.5 + 11.8 * 2 - 15.59, 12); // 9.375
    expect(value('flesch_reading_ease', TWO)).toBeCloseTo(206.835 - 1.015 * 3.5 - 84.6 * 2, 12); // 34.0825
    expect(value('ari_grade_level', TWO)).toBeCloseTo(4.71 * (48 / 7) + 0.5 * 3.5 - 21.43, 12); // 12.617…
  });

  it('of Unicode text with emoji', () => {
    // 12 characters over 3 tokens, 2 words in 1 sentence.
    expect(value('ari_grade_level', 'Hello 👋🏽 world')).toBeCloseTo(4.71 * 4 + 0.5 * 2 - 21.43, 12);
  });

  it.each(['flesch_kincaid_grade_level', 'ari_grade_level', 'flesch_reading_ease'] as const)(
    '%s: text without words is an error, not a number',
    (name) => {
      for (const text of ['', '   \n ', '!!! ... ???', '👋🏽']) {
        expect(readability(name, text)).toEqual({ ok: false, error: 'no words to score' });
      }
    },
  );

  it('of a 100k-word text equal those of the sentence it repeats', () => {
    const long = Array.from({ length: 16_667 }, () => SIMPLE).join(' ');
    expect(textCounts(long).words).toBe(100_002);
    for (const name of ['flesch_kincaid_grade_level', 'ari_grade_level', 'flesch_reading_ease'] as const) {
      expect(value(name, long)).toBeCloseTo(value(name, SIMPLE), 9);
    }
  });
});

describe('readability metrics', () => {
  const score = async (name: string, prediction: unknown): Promise<MetricOutcome> =>
    builtInMetric(name).prepare({ columns: new Columns({ columns: ['predictions'], hasModel: false }), chatFor })({
      index: 0,
      record: { predictions: prediction },
    });

  it('score the prediction and keep text without words as an error row', async () => {
    expect(await score('flesch_kincaid_grade_level', TWO)).toEqual({ ok: true, value: value('flesch_kincaid_grade_level', TWO) });
    expect(await score('ari_grade_level', '')).toEqual({ ok: false, error: 'no words to score' });
    expect(await score('flesch_reading_ease', null)).toEqual({ ok: false, error: 'no words to score' });
  });

  it('grade levels are better lower, reading ease higher (MLflow)', () => {
    expect(readabilityMetric('flesch_kincaid_grade_level').greaterIsBetter).toBe(false);
    expect(readabilityMetric('ari_grade_level').greaterIsBetter).toBe(false);
    expect(readabilityMetric('flesch_reading_ease').greaterIsBetter).toBe(true);
  });
});
