import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeGenaiMetric, makeGenaiMetricFromPrompt, type Judge } from './definition.js';
import { judgeFromConfig, judgeToConfig, judgeToYaml } from './serialize.js';
import { configError } from '../../test/support/errors.js';

const definition = 'Assesses how well the translation preserves cultural nuances and idioms.';
const gradingPrompt = 'Score from 1-5, where 1 is culturally insensitive and 5 is highly culturally aware.';

const judges: Array<[string, Judge]> = [
  [
    'a rubric judge with examples, grading context, includeInput false and custom aggregations',
    makeGenaiMetric({
      name: 'faithfulness',
      definition: 'Assesses whether the output is supported by the context.',
      gradingPrompt: 'Faithfulness: 1 when the output contradicts the context, 5 when every claim is in it.',
      version: 'v2',
      model: 'openai:/gpt-4o',
      parameters: { temperature: 0.2, max_tokens: 300 },
      gradingContextColumns: ['context'],
      includeInput: false,
      aggregations: ['median', 'min', 'max'],
      greaterIsBetter: true,
      examples: [
        {
          input: 'What is the capital?',
          output: 'Paris.',
          score: 5,
          justification: 'Stated in the context.',
          gradingContext: { context: 'Paris is the capital of France.' },
        },
        {
          output: 'Lyon.',
          score: 1,
          justification: 'Contradicts the context.',
          gradingContext: { context: 'Paris is the capital of France.' },
        },
      ],
    }),
  ],
  [
    'a prompt judge with score_threshold "2"',
    makeGenaiMetricFromPrompt({
      name: 'professional',
      judgePrompt: "Your task is to determine if the response has a professional tone. The response is: '{response}'",
      metricMetadata: { assessment_type: 'ANSWER', score_threshold: '2' },
    }),
  ],
  [
    'a yes/no judge made in TypeScript with an explicit threshold and no metadata',
    makeGenaiMetricFromPrompt({ name: 'polite', judgePrompt: 'Is {response} polite?', output: { type: 'yes_no', threshold: 2 } }),
  ],
  [
    'a binary judge',
    makeGenaiMetric({
      name: 'on_topic',
      definition,
      gradingPrompt: '1 if on topic, else 0.',
      output: { type: 'binary' },
      greaterIsBetter: false,
    }),
  ],
  [
    'a categories judge',
    makeGenaiMetric({
      name: 'tone',
      definition,
      gradingPrompt: 'Label the tone.',
      output: { type: 'categories', labels: { formal: 2, neutral: 1, rude: 0 } },
      examples: [{ input: 'Hi', output: 'Good day to you.', score: 'formal', justification: 'Formal greeting.' }],
    }),
  ],
  [
    'a 1–10 scale judge',
    makeGenaiMetric({ name: 'quality', definition, gradingPrompt: 'Score from 1 to 10.', output: { type: 'scale', min: 1, max: 10 } }),
  ],
  [
    'a RETRIEVAL judge',
    makeGenaiMetricFromPrompt({
      name: 'has_pii',
      judgePrompt: "Does '{retrieved_context}' contain PII?",
      metricMetadata: { assessment_type: 'RETRIEVAL' },
    }),
  ],
  ['a default rubric judge', makeGenaiMetric({ name: 'cultural_sensitivity', definition, gradingPrompt })],
];

describe('judgeToConfig → judgeFromConfig', () => {
  it.each(judges)('reloads %s as the same judge', (_what, judge) => {
    expect(judgeFromConfig(judgeToConfig(judge))).toEqual(judge);
  });

  it('writes snake_case keys', () => {
    const config = judgeToConfig(judges[0]![1]) as Record<string, unknown>;
    expect(Object.keys(config)).toEqual(
      expect.arrayContaining(['grading_prompt', 'grading_context_columns', 'include_input', 'greater_is_better', 'metric_metadata']),
    );
    expect((config.examples as Array<Record<string, unknown>>)[0]!.grading_context).toEqual({ context: 'Paris is the capital of France.' });
  });

  it('writes a prompt judge with judge_prompt and without rubric keys', () => {
    const config = judgeToConfig(judges[1]![1]) as Record<string, unknown>;
    expect(config.judge_prompt).toBe("Your task is to determine if the response has a professional tone. The response is: '{response}'");
    expect(config).not.toHaveProperty('definition');
    expect(config).not.toHaveProperty('grading_prompt');
  });
});

describe('judgeToYaml → YAML text → judgeFromConfig', () => {
  it.each(judges)('reloads %s as the same judge', (_what, judge) => {
    expect(judgeFromConfig(parse(judgeToYaml(judge)))).toEqual(judge);
  });

  it('keeps multi-line prompts and text with quotes, colons and braces', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'tricky',
      judgePrompt: 'Line one: "{request}"\n  indented line\n\nReply with {{"ok": true}} for {response}\n',
      examples: [{ output: "it's: # not a comment", score: 4, justification: '- a dash\nand a newline' }],
    });
    expect(judgeFromConfig(parse(judgeToYaml(judge)))).toEqual(judge);
  });

  it('keeps score_threshold "2" a string', () => {
    const yaml = judgeToYaml(judges[1]![1]);
    expect((parse(yaml) as { metric_metadata: Record<string, unknown> }).metric_metadata.score_threshold).toBe('2');
  });
});

describe('judgeFromConfig: building judges from what users write', () => {
  it('makes a prompt judge when judge_prompt is given', () => {
    const judge = judgeFromConfig({
      name: 'professional',
      judge_prompt: 'Is {response} professional?',
      metric_metadata: { score_threshold: '2' },
    });
    expect(judge.kind).toBe('prompt');
    expect(judge.output).toEqual({ type: 'yes_no', threshold: 2 });
  });

  it('makes a rubric judge with MLflow’s defaults from definition and grading_prompt', () => {
    expect(judgeFromConfig({ name: 'cultural_sensitivity', definition, grading_prompt: gradingPrompt })).toEqual(
      makeGenaiMetric({ name: 'cultural_sensitivity', definition, gradingPrompt }),
    );
  });

  it.each([
    ['scale', { type: 'scale', min: 1, max: 5 }],
    ['binary', { type: 'binary' }],
    [{ scale: [0, 10] }, { type: 'scale', min: 0, max: 10 }],
    [{ yes_no: { threshold: 4 } }, { type: 'yes_no', threshold: 4 }],
    [{ categories: { good: 1, bad: 0 } }, { type: 'categories', labels: { good: 1, bad: 0 } }],
  ])('reads output %j', (output, expected) => {
    expect(judgeFromConfig({ name: 'j', definition, grading_prompt: gradingPrompt, output }).output).toEqual(expected);
  });

  it('reads output yes_no with the threshold from score_threshold', () => {
    const judge = judgeFromConfig({ name: 'j', judge_prompt: '{response}', output: 'yes_no', metric_metadata: { score_threshold: '2' } });
    expect(judge.output).toEqual({ type: 'yes_no', threshold: 2 });
  });

  it('reads output yes_no without score_threshold as threshold 3', () => {
    expect(judgeFromConfig({ name: 'j', judge_prompt: '{response}', output: 'yes_no' }).output).toEqual({ type: 'yes_no', threshold: 3 });
  });

  // Bug: serialize.ts outputFromConfig turns `output: yes_no` + a non-numeric score_threshold into
  // threshold NaN (no score is above NaN, so every row would be "no"); without `output:` the same
  // metadata is a ConfigError on metric_metadata.score_threshold (definition.ts defaultOutput).
  it('rejects output yes_no with a score_threshold that is not a number', () => {
    const error = configError(() =>
      judgeFromConfig(
        { name: 'j', judge_prompt: '{response}', output: 'yes_no', metric_metadata: { score_threshold: 'high' } },
        'metrics[0]',
      ),
    );
    expect(error.where.field).toBe('metrics[0].metric_metadata.score_threshold');
  });
});

describe('judgeFromConfig errors name the field', () => {
  it('names an unknown key next to the valid ones', () => {
    const error = configError(() =>
      judgeFromConfig({ name: 'cs', definition, grading_prompt: gradingPrompt, grading_promt: gradingPrompt }, 'metrics[0]'),
    );
    expect(error.where.field).toBe('metrics[0].grading_promt');
    expect(error.message).toContain('grading_promt');
    expect(error.hint).toContain('grading_prompt');
  });

  // Bug: serialize.ts judgeFromConfig reports only zod's first issue; for a misspelt required key
  // that is "grading_prompt: expected string, received undefined", so the error never mentions
  // the key the user actually wrote (grading_promt) nor lists the valid keys.
  it('names a misspelt key that replaces a required one', () => {
    const error = configError(() => judgeFromConfig({ name: 'cs', definition, grading_promt: gradingPrompt }, 'metrics[0]'));
    expect(error.where.field).toContain('grading_promt');
  });

  it('names an empty required field and says what to write there', () => {
    const error = configError(() => judgeFromConfig({ name: 'cs', definition: '', grading_prompt: gradingPrompt }, 'metrics[1]'));
    expect(error.where.field).toBe('metrics[1].definition');
    expect(error.hint).toMatch(/^write the judge's definition: what it assesses/);
  });

  it("says what a prompt judge's empty prompt should hold", () => {
    const error = configError(() => judgeFromConfig({ name: 'tone', judge_prompt: '' }, 'metrics[0]'));
    expect(error.where.field).toBe('metrics[0].judge_prompt');
    expect(error.hint).toContain('{column} variables');
  });

  it('names a bad field inside an example', () => {
    const error = configError(() =>
      judgeFromConfig(
        { name: 'cs', definition, grading_prompt: gradingPrompt, examples: [{ output: 'Hola', score: 5, justification: 'ok', note: 'x' }] },
        'metrics[0]',
      ),
    );
    expect(error.where.field).toBe('metrics[0].examples[0].note');
  });

  it('prefixes errors of the judge definition with the entry’s field', () => {
    const error = configError(() =>
      judgeFromConfig(
        { name: 'cs', definition, grading_prompt: gradingPrompt, examples: [{ output: 'Hola', score: 7, justification: 'ok' }] },
        'metrics[2]',
      ),
    );
    expect(error.where.field).toBe('metrics[2].examples[0].score');
  });

  it('rejects an entry that is neither a rubric nor a prompt judge', () => {
    const error = configError(() => judgeFromConfig({ name: 'cs', prompt: 'Is it good?' }, 'metrics[0]'));
    expect(error.where.field).toBe('metrics[0]');
    expect(error.message).toMatch(/neither/);
    expect(error.hint).toMatch(/give definition and grading_prompt .* or judge_prompt/);
  });

  it.each([['faithfulness'], [42], [null], [['a', 'b']]])('rejects the non-object entry %j', (entry) => {
    const error = configError(() => judgeFromConfig(entry, 'metrics[3]'));
    expect(error.where.field).toBe('metrics[3]');
    expect(error.hint).toContain('write a built-in metric name, or a judge with name');
  });

  it('names the field "judge" when no field is given', () => {
    expect(configError(() => judgeFromConfig('x')).where.field).toBe('judge');
  });
});
