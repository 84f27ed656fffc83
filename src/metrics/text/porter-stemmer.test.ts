/**
 * Stems of NLTK's PorterStemmer() (NLTK_EXTENSIONS mode, the one rouge-score uses): the examples of
 * Porter's paper as NLTK's docstrings give them, and the words where NLTK departs from the paper.
 */
import { describe, expect, it } from 'vitest';
import { porterStem } from './porter-stemmer.js';

const cases: Array<[string, string]> = [
  // Step 1a (paper): SSES → SS, IES → I, SS → SS, S → ''.
  ['caresses', 'caress'],
  ['ponies', 'poni'],
  ['caress', 'caress'],
  ['cats', 'cat'],
  // Step 1b (paper): (m>0) EED → EE; (*v*) ED, ING → ''; then AT → ATE, BL → BLE, IZ → IZE,
  // double consonant → single (not l, s, z), (m=1 and *o) → E.
  ['feed', 'feed'],
  ['plastered', 'plaster'],
  ['bled', 'bled'],
  ['motoring', 'motor'],
  ['sing', 'sing'],
  ['conflated', 'conflat'],
  ['hopping', 'hop'],
  ['falling', 'fall'],
  ['hissing', 'hiss'],
  ['failing', 'fail'],
  ['filing', 'file'],
  // Step 1c, NLTK's rule: y → i after a consonant only.
  ['happy', 'happi'],
  ['enjoy', 'enjoy'],
  // Steps 2–5 (paper examples, through all later steps).
  ['relational', 'relat'],
  ['conditional', 'condit'],
  ['rational', 'ration'],
  ['hopefulness', 'hope'],
  ['generalization', 'gener'],
  ['controlling', 'control'],
  ['roll', 'roll'],
  ['adjustable', 'adjust'],
  ['adoption', 'adopt'],
  ['probate', 'probat'],
  ['rate', 'rate'],
  ['cease', 'ceas'],
  // NLTK departures: 4-letter ies/ied, irregular forms, logi keeps its l, fulli, short words.
  ['dies', 'die'],
  ['flies', 'fli'],
  ['died', 'die'],
  ['spied', 'spi'],
  ['ties', 'tie'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['news', 'news'],
  ['proceed', 'proceed'],
  ['geology', 'geolog'],
  ['agreed', 'agre'],
  ['is', 'is'],
  ['ab', 'ab'],
];

describe('porterStem', () => {
  it.each(cases)('%s → %s', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  it('leaves digits and words without suffixes alone', () => {
    expect(porterStem('2024')).toBe('2024');
    expect(porterStem('brown')).toBe('brown');
  });
});
