/**
 * ROUGE against values worked by hand with rouge-score's definitions (F = 2PR / (P + R)), starting
 * from the example in rouge-score's own docstring.
 */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric } from '../metric.js';
import { rougeMetric, rougeScore, rougeTokens } from './rouge.js';

const chatFor = () => {
  throw new Error('no judge');
};

async function rowValue(metric: Metric, prediction: unknown, target: unknown): Promise<number> {
  const score = metric.prepare({ columns: new Columns({ columns: ['predictions', 'targets'], hasModel: false }), chatFor });
  const outcome = await score({ index: 0, record: { predictions: prediction, targets: target } });
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value;
}

const F = (p: number, r: number) => (2 * p * r) / (p + r);
const TARGET = 'The quick brown fox jumps over the lazy dog';
const PREDICTION = 'The quick brown dog jumps on the log.';

describe('rouge-score tokens', () => {
  it('lower-cases, cuts at anything outside a-z0-9, and drops nothing else', () => {
    expect(rougeTokens("Don't stop—it's 3.14, OK?")).toEqual(['don', 't', 'stop', 'it', 's', '3', '14', 'ok']);
  });

  it('drops letters outside a-z, as rouge-score does (accents, other scripts)', () => {
    expect(rougeTokens('Café naïve')).toEqual(['caf', 'na', 've']);
    expect(rougeTokens('你好 世界')).toEqual([]);
    // The Kelvin sign lower-cases to a plain k, in Python as in JavaScript.
    expect(rougeTokens('\u212a')).toEqual(['k']);
  });

  it('stems only tokens longer than 3 characters', () => {
    expect(rougeTokens('running dogs was', true)).toEqual(['run', 'dog', 'was']);
  });
});

describe('rouge1, rouge2, rougeL (rouge-score docstring example)', () => {
  // target:     the quick brown fox jumps over the lazy dog   (9 tokens)
  // prediction: the quick brown dog jumps on the log          (8 tokens)
  it('rouge1: 6 shared unigrams (the ×2, quick, brown, dog, jumps), P = 6/8, R = 6/9, F = 12/17', () => {
    expect(rougeScore('rouge1', TARGET, PREDICTION).fmeasure).toBeCloseTo(12 / 17, 12);
    expect(rougeScore('rouge1', TARGET, PREDICTION, true).fmeasure).toBeCloseTo(0.7058823529, 10);
  });

  it('rouge2: 2 shared bigrams (the quick, quick brown), P = 2/7, R = 2/8, F = 4/15', () => {
    expect(rougeScore('rouge2', TARGET, PREDICTION).fmeasure).toBeCloseTo(4 / 15, 12);
  });

  it('rougeL: LCS "the quick brown jumps the" = 5, P = 5/8, R = 5/9, F = 10/17', () => {
    expect(rougeScore('rougeL', TARGET, PREDICTION, true).fmeasure).toBeCloseTo(0.5882352941, 10);
    expect(rougeScore('rougeL', TARGET, PREDICTION).precision).toBeCloseTo(5 / 8, 12);
    expect(rougeScore('rougeL', TARGET, PREDICTION).recall).toBeCloseTo(5 / 9, 12);
  });

  it('use_stemmer matches inflections: running dogs / the dog runs → run, dog shared, P = 2/3, R = 1, F = 0.8', () => {
    expect(rougeScore('rouge1', 'running dogs', 'the dog runs').fmeasure).toBe(0);
    expect(rougeScore('rouge1', 'running dogs', 'the dog runs', true).fmeasure).toBeCloseTo(0.8, 12);
  });
});

describe('rougeLsum', () => {
  const target = 'the cat sat\nthe dog ran';
  const prediction = 'the cat ran\nthe dog sat';

  it('unions the LCS of each target sentence with every predicted sentence', () => {
    // "the cat sat" ∪LCS {the cat ran: the cat; the dog sat: the sat} = the cat sat → 3 hits;
    // "the dog ran" ∪LCS {the ran; the dog} = the dog ran → 3 hits. P = R = 6/6.
    expect(rougeScore('rougeLsum', target, prediction).fmeasure).toBe(1);
    // rougeL treats the newline as a space: LCS "the cat the dog" = 4 of 6.
    expect(rougeScore('rougeL', target, prediction).fmeasure).toBeCloseTo(2 / 3, 12);
    // rouge2 bigrams run across the line break: the cat, the dog shared of 5 each.
    expect(rougeScore('rouge2', target, prediction).fmeasure).toBeCloseTo(0.4, 12);
  });

  it('counts a token no more often than it occurs in the prediction', () => {
    // Both target lines "a b" match the one predicted "a b", but the prediction has one a and one
    // b: 2 hits. P = 2/2, R = 2/4, F = 2/3 (without the guard it would be 4 hits, P = 2).
    expect(rougeScore('rougeLsum', 'a b\na b', 'a b').fmeasure).toBeCloseTo(2 / 3, 12);
  });

  it('skips empty lines and handles Windows line ends', () => {
    expect(rougeScore('rougeLsum', 'the cat\r\n\r\nthe dog\r\n', 'the cat\nthe dog').fmeasure).toBe(1);
  });
});

describe('edge cases', () => {
  it.each(['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const)('%s is 0 for empty, punctuation-only and non-Latin texts', (type) => {
    expect(rougeScore(type, '', 'something').fmeasure).toBe(0);
    expect(rougeScore(type, 'something', '').fmeasure).toBe(0);
    expect(rougeScore(type, '', '').fmeasure).toBe(0);
    expect(rougeScore(type, '!!! ...', '!!! ...').fmeasure).toBe(0);
    expect(rougeScore(type, '你好 世界', '你好 世界').fmeasure).toBe(0);
  });

  it('rouge2 of one-word texts is 0: there are no bigrams', () => {
    expect(rougeScore('rouge2', 'cat', 'cat').fmeasure).toBe(0);
  });

  it('rouge1 of 100k-word texts equals that of the sentence they repeat', () => {
    // the cat sat on the mat / the cat lay on a mat: the, cat, on, mat shared, P = R = 4/6.
    const target = 'the cat sat on the mat';
    const prediction = 'the cat lay on a mat';
    const times = 16_667;
    const long = (text: string) => Array.from({ length: times }, () => text).join(' ');
    expect(rougeScore('rouge1', target, prediction).fmeasure).toBeCloseTo(2 / 3, 12);
    expect(rougeScore('rouge1', long(target), long(prediction)).fmeasure).toBeCloseTo(2 / 3, 12);
  });

  it('rougeL of a 100k-word prediction against a short target', () => {
    const prediction = `the cat sat ${'word '.repeat(99_997)}`;
    // LCS = 3: P = 3/100000, R = 3/3.
    expect(rougeScore('rougeL', 'the cat sat', prediction).fmeasure).toBeCloseTo(F(3 / 100_000, 1), 12);
  });

  it('rougeLsum of many lines', () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i} says hello`).join('\n');
    expect(rougeScore('rougeLsum', text, text).fmeasure).toBe(1);
  });
});

describe('as metrics', () => {
  it('score each row by F-measure, reading predictions and targets', async () => {
    expect(await rowValue(rougeMetric('rouge1'), PREDICTION, TARGET)).toBeCloseTo(12 / 17, 12);
    expect(await rowValue(builtInMetric('rougeL', { use_stemmer: true }), PREDICTION, TARGET)).toBeCloseTo(10 / 17, 12);
    expect(await rowValue(builtInMetric('rouge1', { use_stemmer: true }), 'the dog runs', 'running dogs')).toBeCloseTo(0.8, 12);
    // A missing cell is empty text, which scores 0.
    expect(await rowValue(rougeMetric('rouge2'), null, TARGET)).toBe(0);
  });

  it('are named as MLflow names them, version v1, greater is better', () => {
    for (const type of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']) {
      const metric = builtInMetric(type);
      expect(metric).toMatchObject({ name: type, version: 'v1', greaterIsBetter: true, aggregations: ['mean', 'variance', 'p90'] });
    }
  });

  it('need a targets column before any row is scored', () => {
    const columns = new Columns({ columns: ['predictions'], hasModel: false });
    expect(() => rougeMetric('rouge1').prepare({ columns, chatFor })).toThrow(ConfigError);
    expect(() => rougeMetric('rouge1').prepare({ columns, chatFor })).toThrow("metric 'rouge1' needs '{targets}'");
  });

  it('reject unknown options', () => {
    expect(() => builtInMetric('rouge1', { stemmer: true })).toThrow(ConfigError);
    expect(() => builtInMetric('rouge1', { use_stemmer: 'yes' })).toThrow(ConfigError);
  });
});
