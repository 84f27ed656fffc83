import { describe, expect, it } from 'vitest';
import { evaluate } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import { addedWord, profaneWords, profanityMetric } from './profanity.js';

/** The profanity value of one prediction, through the metric as a run scores it. */
async function value(prediction: string, words: string[] = []): Promise<number> {
  const result = await evaluate({ data: [{ outputs: prediction }], metrics: [profanityMetric({ words })], store: false });
  return result.tables.eval_results_table[0]!['profanity/v1/score'] as number;
}

describe('profanity', () => {
  it('is 0 for clean text', async () => {
    expect(await value('Thank you for your order; it ships on Monday.')).toBe(0);
  });

  it('is 1 for obvious profanity, naming the words in the justification', async () => {
    const result = await evaluate({ data: [{ outputs: 'What the fuck is this shit?' }], metrics: ['profanity'], store: false });
    const row = result.tables.eval_results_table[0]!;
    expect(row['profanity/v1/score']).toBe(1);
    expect(row['profanity/v1/label']).toBe('profane');
    expect(row['profanity/v1/justification']).toBe('profane words: fuck, shit');
  });

  it('finds obfuscated forms: leet speak, stretched letters, look-alike Unicode, full-width letters', () => {
    expect(profaneWords('sh1t happens')).toEqual(['shit']);
    expect(profaneWords('fuuuuuck you')).toEqual(['fuck']);
    expect(profaneWords('ʃṳ𝒸𝗄 this')).toEqual(['fuck']);
    expect(profaneWords('ｆｕｃｋ')).toEqual(['fuck']);
  });

  it('leaves innocent words that contain a listed one alone', () => {
    for (const text of [
      'Scunthorpe is a town',
      'grapes are tasty',
      'the pen is mightier',
      'an assassin',
      'a class analysis',
      'a cocktail',
      'shitake mushrooms',
    ]) {
      expect(profaneWords(text), text).toEqual([]);
    }
  });

  it('is a word list: mild words are not on it, and names can match', () => {
    expect(profaneWords('damn, what the hell')).toEqual([]);
    expect(profaneWords('Dick Cheney')).toEqual(['dick']);
  });

  it('is 0 for text in other scripts and for an empty prediction', async () => {
    expect(await value('Привет, как дела? 日本語のテキスト 🙂')).toBe(0);
    expect(await value('')).toBe(0);
  });

  it('reports the share of profane rows as ratio', async () => {
    const result = await evaluate({
      data: [{ outputs: 'fuck' }, { outputs: 'hello' }, { outputs: 'bullshit' }, { outputs: 'fine' }],
      metrics: ['profanity'],
      store: false,
    });
    expect(result.metrics).toEqual({ 'profanity/v1/ratio': 0.5 });
  });
});

describe('added words', () => {
  it('count as profane, as whole words, in any case', async () => {
    expect(await value('Darn it!', ['darn'])).toBe(1);
    expect(await value('DARN', ['darn'])).toBe(1);
    expect(await value('darned socks', ['darn'])).toBe(0);
    expect(await value('darn it')).toBe(0);
  });

  it('may be phrases, in any script, with characters that mean something in a regular expression', () => {
    const added = ['merde alors', 'сука', 'c++'].map(addedWord);
    expect(profaneWords('Merde   alors !', added)).toEqual(['merde alors']);
    expect(profaneWords('ну ты сука', added)).toEqual(['сука']);
    expect(profaneWords('ясука', added)).toEqual([]);
    expect(profaneWords('I write c++ daily', added)).toEqual(['c++']);
    expect(profaneWords('I write c daily', added)).toEqual([]);
  });

  it('match full-width forms of the word', () => {
    expect(profaneWords('ＤＡＲＮ', [addedWord('darn')])).toEqual(['darn']);
  });

  it('refuse an empty word, naming the option', () => {
    expect(() => builtInMetric('profanity', { words: ['ok', ' '] }, 'metrics[0]')).toThrow(ConfigError);
    expect(() => builtInMetric('profanity', { words: ['ok', ' '] }, 'metrics[0]')).toThrow('words.1: a word cannot be empty');
  });
});
