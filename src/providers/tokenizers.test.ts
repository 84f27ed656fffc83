import { getEncodingNameForModel } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { loadEncoding, openAiEncoding } from './tokenizers.js';

describe('openAiEncoding', () => {
  it("agrees with js-tiktoken's own model table on every chat model it lists", () => {
    const chatModels = [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4o-2024-08-06',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.5-preview',
      'gpt-5',
      'o1',
      'o3-mini',
      'gpt-4',
      'gpt-4-turbo',
      'gpt-4-0613',
      'gpt-3.5-turbo',
      'gpt-3.5-turbo-16k',
    ];
    let compared = 0;
    for (const model of chatModels) {
      let listed: string;
      try {
        listed = getEncodingNameForModel(model as Parameters<typeof getEncodingNameForModel>[0]);
      } catch {
        continue; // a model newer than this js-tiktoken: nothing to compare with
      }
      expect(openAiEncoding(model), model).toBe(listed);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('takes o200k_base for a model family tiktoken does not know yet', () => {
    expect(openAiEncoding('gpt-7-nano')).toBe('o200k_base');
    expect(openAiEncoding('o9')).toBe('o200k_base');
  });
});

describe('loadEncoding', () => {
  it('builds each encoding once and counts as tiktoken does', async () => {
    const first = loadEncoding('cl100k_base');
    expect(loadEncoding('cl100k_base')).toBe(first);
    // tiktoken: "tiktoken is great!" is 6 tokens in cl100k_base.
    expect((await first).encode('tiktoken is great!').length).toBe(6);
  });
});
