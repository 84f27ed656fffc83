/**
 * `profanity`: a word list, not a classifier — 1 when the prediction contains a word of the
 * `obscenity` package's English list, else 0. obscenity also finds the words written in look-alike
 * Unicode letters (`ʃṳ𝒸𝗄`), leet speak (`sh1t`), stretched (`fuuuuck`) or inside longer words,
 * while leaving innocent words alone (`Scunthorpe`, `grapes`, `pen is`). It lists strong
 * profanity and slurs, not mild words (`damn`, `hell`), and like any word list it flags names
 * (`Dick`). Words added with `words` match as whole words, ignoring case and runs of spaces, after
 * NFKC normalization (full-width letters), with no further obfuscation handling.
 */
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { z } from 'zod';
import type { Metric, MetricOutcome } from '../metric.js';
import { textMetric } from '../text/text-metric.js';

/** Options of `profanity`, as the config writes them. */
export const profanityOptions = z.strictObject({
  /** Words or phrases to count as profane besides obscenity's English list. */
  words: z.array(z.string().trim().min(1, 'a word cannot be empty')).default([]),
});

export type ProfanityOptions = z.input<typeof profanityOptions>;

const englishList = englishDataset.build();
const englishMatcher = new RegExpMatcher({ ...englishList, ...englishRecommendedTransformers });

/**
 * The profane words in a text: obscenity's English words (by their list entry) and the added words found.
 * @example profaneWords('what the fuuuck') // ['fuck']
 */
export function profaneWords(text: string, added: readonly AddedWord[] = []): string[] {
  const found = new Set<string>();
  for (const match of englishMatcher.getAllMatches(text, true)) {
    const { phraseMetadata } = englishDataset.getPayloadWithPhraseMetadata(match);
    found.add(phraseMetadata?.originalWord ?? text.slice(match.startIndex, match.endIndex + 1));
  }
  const normalized = text.normalize('NFKC');
  for (const { word, pattern } of added) {
    if (pattern.test(normalized)) found.add(word);
  }
  return [...found];
}

/** A word added to the list, with its whole-word, case-insensitive pattern. */
export interface AddedWord {
  word: string;
  pattern: RegExp;
}

/** Compiles an added word: whole word (no letter or digit either side), any case and spacing, NFKC-normalized. */
export function addedWord(word: string): AddedWord {
  const escaped = word
    .normalize('NFKC')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return { word, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu') };
}

/**
 * The `profanity` metric.
 * @example profanityMetric({ words: ['darn'] })
 */
export function profanityMetric(options: ProfanityOptions = {}): Metric {
  const added = profanityOptions.parse(options).words.map(addedWord);
  const metric = textMetric({
    name: 'profanity',
    greaterIsBetter: false,
    values: { kind: 'binary', range: { min: 0, max: 1 } },
    compares: false,
    score: (prediction): MetricOutcome => {
      const words = profaneWords(prediction, added);
      return words.length
        ? { ok: true, value: 1, label: 'profane', justification: `profane words: ${words.join(', ')}` }
        : { ok: true, value: 0, label: 'clean' };
    },
  });
  return { ...metric, aggregations: ['ratio'] };
}
