/**
 * BLEU against values worked by hand from sacreBLEU's definition: score = BP × exp(mean of log
 * n-gram precisions), BP = exp(1 − ref_len / hyp_len) when the hypothesis is shorter.
 */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric } from '../metric.js';
import { bleuMetric, corpusBleu, sentenceBleu, tokenize13a } from './bleu.js';

const chatFor = () => {
  throw new Error('no judge');
};

async function rowValue(metric: Metric, prediction: unknown, target: unknown): Promise<number> {
  const score = metric.prepare({ columns: new Columns({ columns: ['predictions', 'targets'], hasModel: false }), chatFor });
  const outcome = await score({ index: 0, record: { predictions: prediction, targets: target } });
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value;
}

describe('13a tokenizer', () => {
  it('splits off punctuation and symbols', () => {
    expect(tokenize13a('Hello, world!')).toBe('Hello , world !');
    expect(tokenize13a('(a) [b] {c} "d" $5 100% @me #tag')).toBe('( a ) [ b ] { c } " d " $ 5 100 % @ me # tag');
  });

  it('keeps decimals, thousands, apostrophes and word-internal dashes', () => {
    expect(tokenize13a('pi is 3.14 and 1,000 is a lot.')).toBe('pi is 3.14 and 1,000 is a lot .');
    expect(tokenize13a("don't re-enter")).toBe("don't re-enter");
    expect(tokenize13a('pages 1-2')).toBe('pages 1 - 2');
  });

  it('unescapes entities, joins hyphenated line breaks, drops <skipped>', () => {
    expect(tokenize13a('&quot;A &amp; B&quot; &lt;x&gt;')).toBe('" A & B " < x >');
    expect(tokenize13a('in-\nline\nbreak <skipped>')).toBe('inline break');
  });

  it('leaves other scripts alone and splits on Python whitespace', () => {
    expect(tokenize13a('naïve café\u3000東京。')).toBe('naïve café 東京。');
  });
});

describe('sentenceBleu', () => {
  it('is 100 for a perfect match and 0 without any shared word', () => {
    // exp(mean of four log(100)) is 100.00000000000004 in floating point, in sacreBLEU as here.
    expect(sentenceBleu('the cat sat on the mat', 'the cat sat on the mat')).toBeCloseTo(100, 10);
    expect(sentenceBleu('a b c', 'x y z')).toBe(0);
  });

  it('smooths a missing 4-gram match the NIST way (exp)', () => {
    // hyp: the cat sat on the mat; ref: the cat is on the mat (6 tokens each, BP = 1)
    // 1-grams 5/6 (the ×2, cat, on, mat), 2-grams 3/5 (the cat, on the, the mat),
    // 3-grams 1/4 (on the mat), 4-grams 0/3 → exp smoothing 1/(2·3).
    // BLEU = 100 · (5/6 · 3/5 · 1/4 · 1/6)^(1/4) = 100 · 48^(−1/4) ≈ 37.99
    expect(sentenceBleu('the cat sat on the mat', 'the cat is on the mat')).toBeCloseTo(100 * 48 ** -0.25, 10);
  });

  it('offers sacreBLEU’s other smoothing methods', () => {
    const score = (smoothMethod: 'floor' | 'add-k' | 'none') =>
      sentenceBleu('the cat sat on the mat', 'the cat is on the mat', { smoothMethod });
    // floor 0.1: 4-gram precision 0.1/3 → 100 · (1/8 · 1/30)^(1/4)
    expect(score('floor')).toBeCloseTo(100 * 240 ** -0.25, 10);
    // add-k 1 on orders ≥ 2: 5/6 · 4/6 · 2/5 · 1/4 = 1/18
    expect(score('add-k')).toBeCloseTo(100 * 18 ** -0.25, 10);
    // none: a zero precision zeroes the score
    expect(score('none')).toBe(0);
  });

  it('applies the brevity penalty and scores only the n-gram orders a short hypothesis has', () => {
    // hyp "the cat" (2) vs ref of 6: BP = e^(1 − 6/2) = e^−2; 1- and 2-grams all match; no 3-grams,
    // so the effective order is 2: BLEU = 100 · e^−2 ≈ 13.53
    expect(sentenceBleu('the cat', 'the cat sat on the mat')).toBeCloseTo(100 * Math.exp(-2), 10);
  });

  it('takes the closest reference length and the best count over several references', () => {
    // Reference lengths 6 and 3; the hypothesis has 2 tokens, so 3 is closest: BP = e^(1 − 3/2).
    expect(sentenceBleu('the cat', ['the cat sat on the mat', 'the cat sat'])).toBeCloseTo(100 * Math.exp(-0.5), 10);
  });

  it('is case-sensitive unless lowercase is set', () => {
    expect(sentenceBleu('The Cat', 'the cat')).toBe(0);
    expect(sentenceBleu('The Cat', 'the cat', { lowercase: true })).toBeCloseTo(100, 10);
  });

  it('scores empty and punctuation-only texts', () => {
    expect(sentenceBleu('', '')).toBe(0);
    expect(sentenceBleu('', 'the cat')).toBe(0);
    expect(sentenceBleu('the cat', '')).toBe(0);
    // "!" and "?" are tokens of their own: "! ?" matches itself fully (1- and 2-grams).
    expect(sentenceBleu('!?', '! ?')).toBeCloseTo(100, 10);
  });

  it('handles Unicode and newlines', () => {
    expect(sentenceBleu('naïve café\nau lait', 'naïve café au lait')).toBeCloseTo(100, 10);
    expect(sentenceBleu('東京 は 大きい', '東京 は 大きい')).toBeCloseTo(100, 10);
  });

  it('scores a 100k-word text against itself as 100', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `w${i % 997}`).join(' ');
    expect(sentenceBleu(text, text)).toBeCloseTo(100, 10);
  });
});

describe('corpusBleu', () => {
  it('sums statistics over sentences before scoring', () => {
    // Sentence 1 is perfect (6 tokens); sentence 2 "a dog" vs "a dog barked" adds 2 of 3 tokens
    // with its 1- and 2-grams matching and no 3- or 4-grams. Totals: hyp 8, ref 9; precisions
    // 8/8, 6/6, 4/4, 3/3 → BLEU = 100 · e^(1 − 9/8)
    expect(corpusBleu(['the cat sat on the mat', 'a dog'], ['the cat sat on the mat', 'a dog barked'])).toBeCloseTo(
      100 * Math.exp(-1 / 8),
      10,
    );
  });

  it('keeps all four orders, unlike sentence BLEU', () => {
    // No 3-grams at all: precision 0 for orders 3 and 4, so the corpus score is 0.
    expect(corpusBleu(['the cat'], ['the cat sat on the mat'])).toBe(0);
    expect(corpusBleu([], [])).toBe(0);
  });

  it('accepts several references per sentence and refuses mismatched lengths', () => {
    expect(corpusBleu(['the cat sat on the mat'], [['a dog', 'the cat sat on the mat']])).toBeCloseTo(100, 10);
    expect(() => corpusBleu(['a', 'b'], ['a'])).toThrow('2 predictions but 1 references');
  });
});

describe('bleu metric', () => {
  it('scores each row by sentence BLEU of prediction against target', async () => {
    expect(await rowValue(bleuMetric(), 'the cat sat on the mat', 'the cat is on the mat')).toBeCloseTo(100 * 48 ** -0.25, 10);
    expect(
      await rowValue(builtInMetric('bleu', { smooth_method: 'add-k' }), 'the cat sat on the mat', 'the cat is on the mat'),
    ).toBeCloseTo(100 * 18 ** -0.25, 10);
    expect(await rowValue(builtInMetric('bleu', { lowercase: true }), 'THE CAT', 'the cat')).toBeCloseTo(100, 10);
  });

  it('rejects unknown smoothing methods', () => {
    expect(() => builtInMetric('bleu', { smooth_method: 'plus-one' })).toThrow(ConfigError);
  });
});
