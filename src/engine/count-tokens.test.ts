import { readFileSync } from 'node:fs';
import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { countTokens } from './count-tokens.js';

const encoder = getEncoding('o200k_base');
/** Ordinary prose and code with tables: the project's README, long enough for several chunks. */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('countTokens', () => {
  it('matches the exact count of ordinary text within 1%', () => {
    const exact = encoder.encode(README, [], []).length;
    expect(README.length).toBeGreaterThan(16_384);
    expect(Math.abs(countTokens(encoder, README) - exact) / exact).toBeLessThan(0.01);
  });

  it('matches the exact count of a short text', () => {
    const text = 'The judge answers JSON with the justification before the score.';
    expect(countTokens(encoder, text)).toBe(encoder.encode(text).length);
  });

  it('counts text that looks like a special token as plain text', () => {
    expect(countTokens(encoder, 'quoting <|endoftext|> is fine')).toBe(encoder.encode('quoting <|endoftext|> is fine', [], []).length);
  });

  it('counts 10 MB of one repeated word at millions of tokens', () => {
    const count = countTokens(encoder, 'lorem'.repeat(2_000_000));
    // tiktoken takes 0.4 tokens a character on this word's shorter runs.
    expect(count).toBeGreaterThan(1_000_000);
    expect(Math.abs(count - 4_000_000) / 4_000_000).toBeLessThan(0.05);
  });

  it('counts a run of megabytes of spaces', () => {
    expect(countTokens(encoder, ' '.repeat(1_000_000))).toBeGreaterThan(1_000);
  });
});
