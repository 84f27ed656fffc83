/**
 * Token counts against the examples of OpenAI's cookbook "How to count tokens with tiktoken"
 * (its compare_encodings table) and sums that follow from how BPE treats repeated words.
 */
import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric } from '../metric.js';
import { countTokens, tokenCountMetric } from './token-count.js';

const chatFor = () => {
  throw new Error('no judge');
};

async function rowValue(metric: Metric, record: Record<string, unknown>, outputs?: string): Promise<number> {
  const hasModel = outputs !== undefined;
  const score = metric.prepare({ columns: new Columns({ columns: Object.keys(record), hasModel }), chatFor });
  const outcome = await score({ index: 0, record, ...(hasModel ? { outputs } : {}) });
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value;
}

describe('countTokens', () => {
  it('counts cl100k_base tokens as the cookbook shows', async () => {
    expect(await countTokens('tiktoken is great!')).toBe(6);
    expect(await countTokens('antidisestablishmentarianism')).toBe(6);
    expect(await countTokens('2 + 2 = 4')).toBe(7);
    expect(await countTokens('お誕生日おめでとう')).toBe(9);
  });

  it('counts with other encodings', async () => {
    expect(await countTokens('お誕生日おめでとう', 'o200k_base')).toBe(8);
    expect(await countTokens('お誕生日おめでとう', 'r50k_base')).toBe(14);
    expect(await countTokens('antidisestablishmentarianism', 'p50k_base')).toBe(5);
  });

  it('counts nothing in empty text', async () => {
    expect(await countTokens('')).toBe(0);
  });

  it('counts special-token text as plain text instead of refusing it', async () => {
    // "<|endoftext|>" is one special token only when allowed; as text it is several ordinary ones.
    expect(await countTokens('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('counts 100k repeated words as 100k tokens, as one " hello" is one token', async () => {
    expect(await countTokens('hello hello hello')).toBe(3);
    expect(await countTokens(Array.from({ length: 100_000 }, () => 'hello').join(' '))).toBe(100_000);
  });
});

describe('token_count metric', () => {
  it('counts the prediction column, cl100k_base by default', async () => {
    expect(await rowValue(tokenCountMetric(), { predictions: 'tiktoken is great!' })).toBe(6);
    expect(await rowValue(builtInMetric('token_count', { encoding: 'o200k_base' }), { response: 'お誕生日おめでとう' })).toBe(8);
  });

  it("counts the model under test's answer when there is one", async () => {
    expect(await rowValue(builtInMetric('token_count'), { question: 'q' }, '2 + 2 = 4')).toBe(7);
  });

  it('needs predictions, and a known encoding', () => {
    const columns = new Columns({ columns: ['question'], hasModel: false });
    expect(() => tokenCountMetric().prepare({ columns, chatFor })).toThrow(ConfigError);
    expect(() => builtInMetric('token_count', { encoding: 'cl200k' })).toThrow(ConfigError);
  });
});
