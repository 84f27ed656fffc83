/** The one schema of label-job options: defaults, and errors naming the field as the API names it (the CLI maps those to flags). */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseLabelJobOptions } from './options.js';

/** The ConfigError `input` raises. */
function problem(input: unknown): ConfigError {
  try {
    parseLabelJobOptions(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('parseLabelJobOptions', () => {
  it('takes a prompt or a builtin judge, with a sample of 16 by default', () => {
    expect(parseLabelJobOptions({ prompt: 'Is {answer} right?' })).toEqual({ prompt: 'Is {answer} right?', sampleSize: 16 });
    expect(
      parseLabelJobOptions({ builtin: 'faithfulness', sampleSize: 3, seed: 0, colMapping: { outputs: 'answer' }, review: true }),
    ).toMatchObject({ sampleSize: 3, seed: 0, review: true });
  });

  it('needs exactly one of prompt and builtin, naming prompt with an example', () => {
    for (const input of [{}, { prompt: 'x {answer}', builtin: 'faithfulness' }]) {
      const error = problem(input);
      expect(error.where.field).toBe('prompt');
      expect(error.hint).toContain('faithfulness');
    }
    expect(problem({}).message).toBe('give the criterion: a prompt or a builtin judge');
  });

  it('names each bad field as the API does, with what to write', () => {
    expect(problem({ prompt: 'p', sampleSize: 0 })).toMatchObject({
      where: { field: 'sample_size' },
      message: 'must be at least 1',
      hint: 'e.g. 16',
    });
    expect(problem({ prompt: 'p', sampleSize: Number('abc') })).toMatchObject({
      where: { field: 'sample_size' },
      message: 'must be a whole number',
    });
    expect(problem({ prompt: 'p', seed: 2.5 })).toMatchObject({ where: { field: 'seed' }, message: 'must be a whole number' });
    expect(problem({ prompt: 'p', output: 'maybe' })).toMatchObject({ where: { field: 'output' }, hint: 'use binary, yes_no, scale_1_5' });
    expect(problem({ prompt: 'p', name: '1st' })).toMatchObject({
      where: { field: 'name' },
      message: 'must be letters, digits, _ . or -, starting with a letter',
    });
    expect(problem({ prompt: 'p', colMapping: { context: 3 } }).where.field).toBe('col_mapping.context');
    expect(
      problem({
        prompt: 'p',
        examples: [
          { output: 'a', score: 1, justification: 'j' },
          { output: 'b', score: 0, justification: '' },
        ],
      }),
    ).toMatchObject({ where: { field: 'examples[1].justification' }, message: 'must not be empty' });
  });

  it('names an unknown option before the problems it causes', () => {
    expect(problem({ sample: 3 })).toMatchObject({
      where: { field: 'sample' },
      message: "unknown option 'sample'",
      hint: expect.stringContaining('sampleSize'),
    });
  });
});
