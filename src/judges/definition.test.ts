import { describe, expect, it } from 'vitest';
import { configError } from '../../test/support/errors.js';
import { canonicalJson, judgeHash, judgeKey, makeGenaiMetric, makeGenaiMetricFromPrompt, type RubricJudgeOptions } from './definition.js';

const rubric: RubricJudgeOptions = {
  name: 'cultural_sensitivity',
  definition: 'Assesses how well the translation preserves cultural nuances and idioms.',
  gradingPrompt: 'Score from 1-5, where 1 is culturally insensitive and 5 is highly culturally aware.',
};

const professionalPrompt = "Your task is to determine if the response has a professional tone. The response is: '{response}'";

describe('makeGenaiMetric defaults (MLflow make_genai_metric)', () => {
  it('is a rubric judge at version v1', () => {
    const judge = makeGenaiMetric(rubric);
    expect(judge.kind).toBe('rubric');
    expect(judge.version).toBe('v1');
    expect(judgeKey(judge)).toBe('cultural_sensitivity/v1');
  });

  it('keeps the definition and grading prompt as given', () => {
    const judge = makeGenaiMetric(rubric);
    expect(judge.definition).toBe(rubric.definition);
    expect(judge.gradingPrompt).toBe(rubric.gradingPrompt);
  });

  it('includes the input by default', () => {
    expect(makeGenaiMetric(rubric).includeInput).toBe(true);
  });

  it('has no grading context columns and no examples by default', () => {
    const judge = makeGenaiMetric(rubric);
    expect(judge.gradingContextColumns).toEqual([]);
    expect(judge.examples).toEqual([]);
  });

  it('uses temperature 0 when no parameters are given', () => {
    expect(makeGenaiMetric(rubric).parameters).toEqual({ temperature: 0 });
  });

  it('merges the default temperature with the parameters given', () => {
    expect(makeGenaiMetric({ ...rubric, parameters: { max_tokens: 200 } }).parameters).toEqual({ temperature: 0, max_tokens: 200 });
  });

  it('lets the parameters override the default temperature', () => {
    expect(makeGenaiMetric({ ...rubric, parameters: { temperature: 0.7 } }).parameters).toEqual({ temperature: 0.7 });
  });

  it('aggregates by mean, variance and p90', () => {
    expect(makeGenaiMetric(rubric).aggregations).toEqual(['mean', 'variance', 'p90']);
  });

  it('treats a greater score as better', () => {
    expect(makeGenaiMetric(rubric).greaterIsBetter).toBe(true);
  });

  it('scores on a 1–5 scale', () => {
    expect(makeGenaiMetric(rubric).output).toEqual({ type: 'scale', min: 1, max: 5 });
  });

  it('is an ANSWER assessment with empty metadata', () => {
    const judge = makeGenaiMetric(rubric);
    expect(judge.assessmentType).toBe('ANSWER');
    expect(judge.metricMetadata).toEqual({});
  });

  it('has no model unless one is given', () => {
    expect('model' in makeGenaiMetric(rubric)).toBe(false);
    expect(makeGenaiMetric({ ...rubric, model: 'openai:/gpt-4' }).model).toBe('openai:/gpt-4');
  });
});

describe('yes/no output (Databricks custom judges)', () => {
  it('answers yes/no with the given numeric score_threshold', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'professional',
      judgePrompt: professionalPrompt,
      metricMetadata: { score_threshold: 2 },
    });
    expect(judge.output).toEqual({ type: 'yes_no', threshold: 2 });
  });

  it('reads a score_threshold written as the string "2"', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'professional',
      judgePrompt: professionalPrompt,
      metricMetadata: { assessment_type: 'ANSWER', score_threshold: '2' },
    });
    expect(judge.output).toEqual({ type: 'yes_no', threshold: 2 });
  });

  it('uses threshold 3 when only assessment_type is given', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'professional',
      judgePrompt: professionalPrompt,
      metricMetadata: { assessment_type: 'ANSWER' },
    });
    expect(judge.output).toEqual({ type: 'yes_no', threshold: 3 });
  });

  it('turns a rubric judge into yes/no too when score_threshold is given', () => {
    expect(makeGenaiMetric({ ...rubric, metricMetadata: { score_threshold: 4 } }).output).toEqual({ type: 'yes_no', threshold: 4 });
  });

  it('keeps the metadata as given', () => {
    const metricMetadata = { assessment_type: 'ANSWER' as const, score_threshold: '2', owner: 'qa' };
    expect(makeGenaiMetricFromPrompt({ name: 'professional', judgePrompt: professionalPrompt, metricMetadata }).metricMetadata).toEqual(
      metricMetadata,
    );
  });

  it('prefers an explicit output over the one metadata implies', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'professional',
      judgePrompt: professionalPrompt,
      metricMetadata: { assessment_type: 'ANSWER' },
      output: { type: 'binary' },
    });
    expect(judge.output).toEqual({ type: 'binary' });
  });

  it('adds ratio (the share of yes) to the default aggregations of a yes/no judge', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'professional',
      judgePrompt: professionalPrompt,
      metricMetadata: { score_threshold: 2 },
    });
    expect(judge.aggregations).toEqual(['mean', 'variance', 'p90', 'ratio']);
  });

  it('adds ratio to the default aggregations of a binary judge', () => {
    expect(makeGenaiMetric({ ...rubric, output: { type: 'binary' } }).aggregations).toEqual(['mean', 'variance', 'p90', 'ratio']);
  });

  it('does not add ratio for categories', () => {
    const judge = makeGenaiMetric({ ...rubric, output: { type: 'categories', labels: { good: 1, bad: 0 } } });
    expect(judge.aggregations).toEqual(['mean', 'variance', 'p90']);
  });

  it('keeps the aggregations given', () => {
    expect(makeGenaiMetric({ ...rubric, aggregations: ['median', 'max'] }).aggregations).toEqual(['median', 'max']);
  });
});

describe('RETRIEVAL assessments', () => {
  const hasPii =
    "Your task is to determine whether the retrieved content has any PII information. This was the content: '{retrieved_context}'";

  it('answers yes/no with threshold 3 per chunk', () => {
    const judge = makeGenaiMetricFromPrompt({ name: 'has_pii', judgePrompt: hasPii, metricMetadata: { assessment_type: 'RETRIEVAL' } });
    expect(judge.assessmentType).toBe('RETRIEVAL');
    expect(judge.output).toEqual({ type: 'yes_no', threshold: 3 });
  });

  it('reads the assessment type case-insensitively', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'has_pii',
      judgePrompt: hasPii,
      metricMetadata: { assessment_type: 'retrieval' as unknown as 'RETRIEVAL' },
    });
    expect(judge.assessmentType).toBe('RETRIEVAL');
  });

  it('aggregates the per-row precision without ratio', () => {
    const judge = makeGenaiMetricFromPrompt({ name: 'has_pii', judgePrompt: hasPii, metricMetadata: { assessment_type: 'RETRIEVAL' } });
    expect(judge.aggregations).toEqual(['mean', 'variance', 'p90']);
  });

  it('accepts a binary output', () => {
    const judge = makeGenaiMetricFromPrompt({
      name: 'has_pii',
      judgePrompt: hasPii,
      metricMetadata: { assessment_type: 'RETRIEVAL' },
      output: { type: 'binary' },
    });
    expect(judge.output).toEqual({ type: 'binary' });
    expect(judge.aggregations).toEqual(['mean', 'variance', 'p90']);
  });

  it('rejects a scale output, naming the output field', () => {
    const error = configError(() =>
      makeGenaiMetricFromPrompt({
        name: 'has_pii',
        judgePrompt: hasPii,
        metricMetadata: { assessment_type: 'RETRIEVAL' },
        output: { type: 'scale', min: 1, max: 5 },
      }),
    );
    expect(error.where.field).toBe('output');
    expect(error.hint).toMatch(/output: yes_no .*or output: binary/);
  });
});

describe('definition errors', () => {
  it('rejects an empty definition', () => {
    const error = configError(() => makeGenaiMetric({ ...rubric, definition: '' }));
    expect(error.where.field).toBe('definition');
    expect(error.message).toContain('cultural_sensitivity');
    expect(error.hint).toBe("write the judge's definition");
  });

  it('rejects a definition of only whitespace', () => {
    expect(configError(() => makeGenaiMetric({ ...rubric, definition: '  \n ' })).where.field).toBe('definition');
  });

  it('rejects an empty grading prompt', () => {
    const error = configError(() => makeGenaiMetric({ ...rubric, gradingPrompt: '' }));
    expect(error.where.field).toBe('grading_prompt');
    expect(error.hint).toBe("write the judge's grading_prompt");
  });

  it('rejects an empty judge prompt', () => {
    const error = configError(() => makeGenaiMetricFromPrompt({ name: 'professional', judgePrompt: ' ' }));
    expect(error.where.field).toBe('judge_prompt');
    expect(error.hint).toBe("write the judge's judge_prompt");
  });

  it.each(['', '1st', 'has space', 'a/b', '-dash'])('rejects the judge name %j', (name) => {
    const error = configError(() => makeGenaiMetric({ ...rubric, name }));
    expect(error.where.field).toBe('name');
    expect(error.hint).toContain('use letters, digits, _ . or -, starting with a letter');
  });

  it('accepts a name of letters, digits, _ . and -', () => {
    expect(makeGenaiMetric({ ...rubric, name: 'Tone-check_2.b' }).name).toBe('Tone-check_2.b');
  });

  it('rejects an invalid version', () => {
    const error = configError(() => makeGenaiMetric({ ...rubric, version: 'v 2' }));
    expect(error.where.field).toBe('version');
    expect(error.hint).toContain('such as v1 or v2');
  });

  it('rejects an unknown assessment_type', () => {
    const error = configError(() =>
      makeGenaiMetricFromPrompt({
        name: 'professional',
        judgePrompt: professionalPrompt,
        metricMetadata: { assessment_type: 'CHUNK' as 'ANSWER' },
      }),
    );
    expect(error.where.field).toBe('metric_metadata.assessment_type');
    expect(error.hint).toMatch(/use ANSWER .* or RETRIEVAL/);
  });

  it('rejects a score_threshold that is not a number', () => {
    const error = configError(() =>
      makeGenaiMetricFromPrompt({ name: 'professional', judgePrompt: professionalPrompt, metricMetadata: { score_threshold: 'high' } }),
    );
    expect(error.where.field).toBe('metric_metadata.score_threshold');
    expect(error.hint).toContain('a number from 1 to 5');
  });

  it('rejects a scale whose bounds are not an increasing range of integers', () => {
    expect(configError(() => makeGenaiMetric({ ...rubric, output: { type: 'scale', min: 5, max: 1 } })).where.field).toBe('output');
    expect(configError(() => makeGenaiMetric({ ...rubric, output: { type: 'scale', min: 1, max: 4.5 } })).where.field).toBe('output');
  });

  it('rejects categories with a single label', () => {
    expect(configError(() => makeGenaiMetric({ ...rubric, output: { type: 'categories', labels: { good: 1 } } })).where.field).toBe(
      'output',
    );
  });
});

describe('few-shot examples', () => {
  const withContext: RubricJudgeOptions = {
    ...rubric,
    name: 'faithfulness',
    gradingContextColumns: ['context'],
  };

  it('keeps valid examples as given', () => {
    const examples = [
      { input: 'Break a leg!', output: '¡Mucha mierda!', score: 5, justification: 'Uses the Spanish theatre idiom.' },
      { input: 'Break a leg!', output: '¡Rómpete una pierna!', score: 2, justification: 'A literal translation.' },
    ];
    expect(makeGenaiMetric({ ...rubric, examples }).examples).toEqual(examples);
  });

  it('accepts grading context whose keys equal the grading context columns', () => {
    const examples = [
      { output: 'Paris.', score: 5, justification: 'Stated in the context.', gradingContext: { context: 'Paris is the capital.' } },
    ];
    expect(makeGenaiMetric({ ...withContext, examples }).examples).toEqual(examples);
  });

  it('rejects an example missing a grading context column', () => {
    const error = configError(() =>
      makeGenaiMetric({ ...withContext, examples: [{ output: 'Paris.', score: 5, justification: 'Stated.' }] }),
    );
    expect(error.where.field).toBe('examples[0].grading_context');
    expect(error.hint).toContain('exactly the grading context columns of the judge');
  });

  it('rejects an example with an extra grading context key', () => {
    const error = configError(() =>
      makeGenaiMetric({
        ...withContext,
        examples: [
          { output: 'Paris.', score: 5, justification: 'Stated.', gradingContext: { context: 'Paris is the capital.' } },
          { output: 'Lyon.', score: 1, justification: 'Wrong.', gradingContext: { context: 'Paris is the capital.', source: 'atlas' } },
        ],
      }),
    );
    expect(error.where.field).toBe('examples[1].grading_context');
    expect(error.message).toContain('source');
    expect(error.hint).toContain('exactly the grading context columns of the judge');
  });

  it('rejects grading context on a judge that has no grading context columns', () => {
    const error = configError(() =>
      makeGenaiMetric({ ...rubric, examples: [{ output: 'x', score: 3, justification: 'y', gradingContext: { context: 'z' } }] }),
    );
    expect(error.where.field).toBe('examples[0].grading_context');
  });

  it('rejects an example score outside the scale', () => {
    const error = configError(() =>
      makeGenaiMetric({ ...rubric, examples: [{ input: 'Hi', output: 'Hola', score: 7, justification: 'Too good.' }] }),
    );
    expect(error.where.field).toBe('examples[0].score');
    expect(error.hint).toContain("a score the judge's output kind allows");
  });

  it('rejects an example score that is not an integer', () => {
    const error = configError(() =>
      makeGenaiMetric({ ...rubric, examples: [{ input: 'Hi', output: 'Hola', score: 3.5, justification: 'Halfway.' }] }),
    );
    expect(error.where.field).toBe('examples[0].score');
  });

  it('checks example scores of a yes/no judge against 1–5', () => {
    const base = { name: 'professional', judgePrompt: professionalPrompt, metricMetadata: { score_threshold: 2 } };
    expect(
      makeGenaiMetricFromPrompt({ ...base, examples: [{ output: 'Dear Sir,', score: 5, justification: 'Formal.' }] }).examples,
    ).toHaveLength(1);
    expect(
      configError(() => makeGenaiMetricFromPrompt({ ...base, examples: [{ output: 'yo', score: 6, justification: 'Casual.' }] })).where
        .field,
    ).toBe('examples[0].score');
  });
});

describe('few-shot examples rated yes/no (as Databricks rates them)', () => {
  const binary = { name: 'polite', judgePrompt: 'Is {response} polite?', output: { type: 'binary' } as const };
  const yesNo = { name: 'professional', judgePrompt: professionalPrompt, metricMetadata: { score_threshold: 3 } };

  it('reads Yes / no as 1 / 0 for a 1/0 judge, and keeps 1/0 scores', () => {
    const judge = makeGenaiMetricFromPrompt({
      ...binary,
      examples: [
        { output: 'Thank you!', score: 'Yes', justification: 'Polite.' },
        { output: 'Go away.', score: ' no ', justification: 'Rude.' },
        { output: 'Sure.', score: 1, justification: 'Fine.' },
        { output: 'No.', score: '0', justification: 'Curt.' },
      ],
    });
    expect(judge.examples.map((e) => e.score)).toEqual([1, 0, 1, '0']);
  });

  it('reads yes / No as 5 / 1, the clear ends of the scale, for a yes/no judge', () => {
    const judge = makeGenaiMetricFromPrompt({
      ...yesNo,
      examples: [
        { output: 'Dear Sir,', score: 'yes', justification: 'Formal.' },
        { output: 'yo', score: 'No', justification: 'Casual.' },
      ],
    });
    expect(judge.examples.map((e) => e.score)).toEqual([5, 1]);
  });

  it('refuses a 3 for a 1/0 judge and a word other than yes/no for a yes/no judge, naming the field', () => {
    const three = configError(() =>
      makeGenaiMetricFromPrompt({
        ...binary,
        examples: [
          { output: 'x', score: 'yes', justification: 'y' },
          { output: 'x', score: 3, justification: 'y' },
        ],
      }),
    );
    expect(three.where.field).toBe('examples[1].score');
    expect(three.message).toContain('score 3 is not 0 or 1');
    const maybe = configError(() =>
      makeGenaiMetricFromPrompt({ ...yesNo, examples: [{ output: 'x', score: 'maybe', justification: 'y' }] }),
    );
    expect(maybe.where.field).toBe('examples[0].score');
  });
});

describe('judgeHash', () => {
  it('is a sha256 digest', () => {
    expect(judgeHash(makeGenaiMetric(rubric))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('is the same for two equal judges built separately', () => {
    expect(judgeHash(makeGenaiMetric({ ...rubric }))).toBe(judgeHash(makeGenaiMetric({ ...rubric })));
  });

  it('does not depend on the order options were written in', () => {
    const reordered = makeGenaiMetric({
      ...rubric,
      parameters: { top_p: 1, max_tokens: 50 },
      metricMetadata: { team: 'qa', owner: 'ana' },
    });
    const ordered = makeGenaiMetric({ ...rubric, parameters: { max_tokens: 50, top_p: 1 }, metricMetadata: { owner: 'ana', team: 'qa' } });
    expect(judgeHash(reordered)).toBe(judgeHash(ordered));
  });

  it.each<[string, Partial<RubricJudgeOptions>]>([
    ['definition', { definition: 'Assesses cultural nuance.' }],
    ['grading prompt', { gradingPrompt: 'Score from 1-5.' }],
    ['version', { version: 'v2' }],
    ['model', { model: 'openai:/gpt-4o' }],
    ['temperature', { parameters: { temperature: 0.1 } }],
    ['aggregations', { aggregations: ['mean'] }],
    ['greaterIsBetter', { greaterIsBetter: false }],
    ['includeInput', { includeInput: false }],
    ['output', { output: { type: 'scale', min: 1, max: 10 } }],
    ['examples', { examples: [{ input: 'Hi', output: 'Hola', score: 5, justification: 'Right.' }] }],
  ])('changes when the %s changes', (_what, edit) => {
    expect(judgeHash(makeGenaiMetric({ ...rubric, ...edit }))).not.toBe(judgeHash(makeGenaiMetric(rubric)));
  });

  it('changes when an example justification changes', () => {
    const example = { input: 'Hi', output: 'Hola', score: 5, justification: 'Right.' };
    const a = makeGenaiMetric({ ...rubric, examples: [example] });
    const b = makeGenaiMetric({ ...rubric, examples: [{ ...example, justification: 'Correct.' }] });
    expect(judgeHash(a)).not.toBe(judgeHash(b));
  });

  it('differs between a rubric judge and a prompt judge of the same name', () => {
    const prompt = makeGenaiMetricFromPrompt({ name: rubric.name, judgePrompt: rubric.gradingPrompt });
    expect(judgeHash(prompt)).not.toBe(judgeHash(makeGenaiMetric(rubric)));
  });
});

describe('canonicalJson', () => {
  it('encodes objects with the same keys in any order identically', () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('sorts keys', () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('sorts keys of nested objects, including objects inside arrays', () => {
    expect(canonicalJson({ z: { y: 1, x: [{ d: 1, c: 2 }] }, a: null })).toBe('{"a":null,"z":{"x":[{"c":2,"d":1}],"y":1}}');
  });

  it('keeps the order of array elements', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });
});
