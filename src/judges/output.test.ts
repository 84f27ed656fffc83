import { describe, expect, it } from 'vitest';
import type { OutputKind } from './definition.js';
import { allowedScores, answerSchema, parseAnswer, sharedAnswerSchema, toVerdict, type ParseResult } from './output.js';

const scale: OutputKind = { type: 'scale', min: 1, max: 5 };
const yesNo3: OutputKind = { type: 'yes_no', threshold: 3 };
const yesNo2: OutputKind = { type: 'yes_no', threshold: 2 };
const binary: OutputKind = { type: 'binary' };
const categories: OutputKind = { type: 'categories', labels: { good: 2, fair: 1, bad: 0 } };

/** The verdict of a successful parse (failing the test with the reason otherwise). */
function verdictOf(result: ParseResult) {
  if (!result.ok) throw new Error(`expected a verdict, got: ${result.reason}`);
  return result.verdict;
}

/** The reason of a failed parse (failing the test if it succeeded). */
function reasonOf(result: ParseResult): string {
  if (result.ok) throw new Error(`expected a failure, got the verdict ${JSON.stringify(result.verdict)}`);
  return result.reason;
}

describe('answerSchema', () => {
  it('allows the integers of the scale for a scale judge', () => {
    expect(answerSchema(scale)).toEqual({
      type: 'object',
      properties: {
        justification: { type: 'string', description: expect.any(String) },
        score: { type: 'integer', enum: [1, 2, 3, 4, 5] },
      },
      required: ['justification', 'score'],
      additionalProperties: false,
    });
  });

  it('allows the integers of a 1–10 scale', () => {
    expect((answerSchema({ type: 'scale', min: 1, max: 10 }).properties as Record<string, unknown>).score).toEqual({
      type: 'integer',
      enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    });
  });

  it('asks a yes/no judge for a 1–5 score, whatever the threshold', () => {
    expect((answerSchema(yesNo2).properties as Record<string, unknown>).score).toEqual({ type: 'integer', enum: [1, 2, 3, 4, 5] });
  });

  it('allows 0 and 1 for a binary judge', () => {
    expect((answerSchema(binary).properties as Record<string, unknown>).score).toEqual({ type: 'integer', enum: [0, 1] });
  });

  it('allows the label strings for a categories judge', () => {
    expect((answerSchema(categories).properties as Record<string, unknown>).score).toEqual({
      type: 'string',
      enum: ['good', 'fair', 'bad'],
    });
  });

  it.each([
    ['scale', scale],
    ['yes_no', yesNo3],
    ['binary', binary],
    ['categories', categories],
  ] as const)('requires justification and score and nothing else (%s)', (_name, kind) => {
    const schema = answerSchema(kind);
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['justification', 'score']);
    expect(schema.additionalProperties).toBe(false);
    expect((schema.properties as Record<string, { type: string }>).justification!.type).toBe('string');
  });

  it.each([
    ['scale', scale],
    ['yes_no', yesNo3],
    ['binary', binary],
    ['categories', categories],
  ] as const)('puts justification before score, so the judge reasons first (%s)', (_name, kind) => {
    expect(Object.keys(answerSchema(kind).properties as object)).toEqual(['justification', 'score']);
  });

  it('describes a scale too long to enumerate instead of listing it', () => {
    // 0–100 has 101 values, more than the 21 that are listed as an enum.
    const score = (answerSchema({ type: 'scale', min: 0, max: 100 }).properties as Record<string, Record<string, unknown>>).score!;
    expect(score.type).toBe('integer');
    expect(score.enum).toBeUndefined();
    expect(score.description).toContain('0');
    expect(score.description).toContain('100');
  });
});

describe('sharedAnswerSchema', () => {
  it('is answerSchema, one object per kind, made again when the kind is edited', () => {
    const kind: OutputKind = { type: 'scale', min: 1, max: 5 };
    const schema = sharedAnswerSchema(kind);
    expect(schema).toEqual(answerSchema(kind));
    expect(sharedAnswerSchema(kind)).toBe(schema);
    (kind as { max: number }).max = 10;
    expect(sharedAnswerSchema(kind)).toEqual(answerSchema({ type: 'scale', min: 1, max: 10 }));
  });
});

describe('allowedScores', () => {
  it('lists each kind’s scores in order', () => {
    expect(allowedScores({ type: 'scale', min: 0, max: 3 })).toEqual([0, 1, 2, 3]);
    expect(allowedScores(yesNo2)).toEqual([1, 2, 3, 4, 5]);
    expect(allowedScores(binary)).toEqual([0, 1]);
    expect(allowedScores(categories)).toEqual(['good', 'fair', 'bad']);
  });
});

describe('parseAnswer: reading the answer text', () => {
  it('reads bare JSON', () => {
    expect(verdictOf(parseAnswer(scale, '{"justification": "Clear and idiomatic.", "score": 4}'))).toEqual({
      value: 4,
      score: 4,
      justification: 'Clear and idiomatic.',
    });
  });

  it('reads JSON in a ```json fence', () => {
    const text = 'Here is my answer:\n```json\n{"justification": "Mostly right.", "score": 3}\n```\n';
    expect(verdictOf(parseAnswer(scale, text))).toEqual({ value: 3, score: 3, justification: 'Mostly right.' });
  });

  it('reads JSON in a fence without a language', () => {
    expect(verdictOf(parseAnswer(scale, '```\n{"justification": "ok", "score": 2}\n```')).score).toBe(2);
  });

  it('reads a JSON object surrounded by prose', () => {
    const text = 'After careful thought, {"justification": "It keeps the idiom.", "score": 5} is my verdict.';
    expect(verdictOf(parseAnswer(scale, text))).toEqual({ value: 5, score: 5, justification: 'It keeps the idiom.' });
  });

  it('reads a numeric string score as a number', () => {
    expect(verdictOf(parseAnswer(scale, '{"justification": "Good.", "score": "4"}'))).toEqual({
      value: 4,
      score: 4,
      justification: 'Good.',
    });
  });

  it('reads MLflow’s two-line format', () => {
    expect(verdictOf(parseAnswer(scale, 'score: 4\njustification: The translation keeps the tone.'))).toEqual({
      value: 4,
      score: 4,
      justification: 'The translation keeps the tone.',
    });
  });

  it('reads the two-line format with the justification first', () => {
    expect(verdictOf(parseAnswer(scale, 'justification: Keeps the tone.\nscore: 2'))).toEqual({
      value: 2,
      score: 2,
      justification: 'Keeps the tone.',
    });
  });

  it('rejects an empty answer', () => {
    expect(reasonOf(parseAnswer(scale, ''))).toMatch(/empty/);
    expect(reasonOf(parseAnswer(scale, '  \n '))).toMatch(/empty/);
  });

  it('rejects an answer that is neither JSON nor the two-line format', () => {
    expect(reasonOf(parseAnswer(scale, 'I would say it is pretty good, maybe a four.'))).toMatch(/not JSON/);
  });

  it('rejects an answer without a justification', () => {
    expect(reasonOf(parseAnswer(scale, '{"score": 4}'))).toMatch(/justification/);
  });

  it('rejects an answer whose justification is blank', () => {
    expect(reasonOf(parseAnswer(scale, '{"justification": "  ", "score": 4}'))).toMatch(/justification/);
  });

  it('rejects a score above the scale', () => {
    expect(reasonOf(parseAnswer(scale, '{"justification": "Superb.", "score": 7}'))).toMatch(/7/);
  });

  it('rejects a score below the scale', () => {
    expect(parseAnswer(scale, '{"justification": "Awful.", "score": 0}').ok).toBe(false);
  });

  it('rejects a score that is not an integer', () => {
    expect(reasonOf(parseAnswer(scale, '{"justification": "In between.", "score": 3.5}'))).toMatch(/3\.5/);
  });

  it('rejects a score that is not a number', () => {
    expect(parseAnswer(scale, '{"justification": "Good.", "score": "four"}').ok).toBe(false);
    expect(parseAnswer(scale, '{"justification": "Good.", "score": null}').ok).toBe(false);
    expect(parseAnswer(scale, '{"justification": "Good.", "score": true}').ok).toBe(false);
  });
});

describe("parseAnswer: the forms MLflow's _extract_score_and_justification accepts", () => {
  it('reads capitalised keys', () => {
    expect(verdictOf(parseAnswer(scale, '{"Score": 4, "Justification": "Keeps the tone."}'))).toEqual({
      value: 4,
      score: 4,
      justification: 'Keeps the tone.',
    });
  });

  it('reads upper-case keys and a string score', () => {
    expect(verdictOf(parseAnswer(scale, '{"JUSTIFICATION": "Fine.", "SCORE": "2"}'))).toEqual({
      value: 2,
      score: 2,
      justification: 'Fine.',
    });
  });

  it('prefers the lower-case key when both cases are present', () => {
    expect(verdictOf(parseAnswer(scale, '{"Score": 1, "score": 5, "justification": "Good."}')).score).toBe(5);
  });

  it('reads capitalised keys in a fence after prose', () => {
    expect(verdictOf(parseAnswer(scale, 'My verdict:\n```json\n{"Justification": "Close.", "Score": 3}\n```')).score).toBe(3);
  });

  it('reads capitalised keys in an object inside prose', () => {
    expect(verdictOf(parseAnswer(scale, 'Verdict: {"Justification": "Close.", "Score": "3"} (done)')).score).toBe(3);
  });

  it("reads the one-line form 'score: 4, justification: …' in any case", () => {
    expect(verdictOf(parseAnswer(scale, 'Score: 4, Justification: Keeps the tone, mostly.'))).toEqual({
      value: 4,
      score: 4,
      justification: 'Keeps the tone, mostly.',
    });
  });

  it('reads the two-line form with capitalised labels', () => {
    expect(verdictOf(parseAnswer(scale, 'SCORE: 5\nJUSTIFICATION: Exact.'))).toEqual({ value: 5, score: 5, justification: 'Exact.' });
  });

  it('reads capitalised keys for a yes/no judge, applying the threshold', () => {
    expect(verdictOf(parseAnswer(yesNo3, '{"Justification": "Mostly supported.", "Score": "4"}'))).toEqual({
      value: 1,
      score: 4,
      label: 'yes',
      justification: 'Mostly supported.',
    });
  });

  it('reads capitalised keys for a 1/0 judge', () => {
    expect(verdictOf(parseAnswer(binary, '{"Justification": "Not met.", "Score": 0}'))).toEqual({
      value: 0,
      score: 0,
      justification: 'Not met.',
    });
  });

  it('reads capitalised keys and a label in another case for a categories judge', () => {
    expect(verdictOf(parseAnswer(categories, '{"Justification": "Fine.", "Score": "Fair"}'))).toMatchObject({ value: 1, label: 'fair' });
    expect(verdictOf(parseAnswer(categories, 'score: bad, justification: Wrong.'))).toMatchObject({ value: 0, label: 'bad' });
  });

  it('still refuses capitalised keys holding an unusable score or no justification', () => {
    expect(reasonOf(parseAnswer(scale, '{"Score": "four", "Justification": "Good."}'))).toMatch(/four/);
    expect(reasonOf(parseAnswer(scale, '{"Score": 4, "Reasoning": "Good."}'))).toMatch(/justification/);
    expect(reasonOf(parseAnswer(scale, 'Score - 4, because it is good'))).toMatch(/not JSON/);
  });
});

describe('binary answers', () => {
  it('accepts 0, worth 0', () => {
    expect(verdictOf(parseAnswer(binary, '{"justification": "The criterion is not met.", "score": 0}'))).toEqual({
      value: 0,
      score: 0,
      justification: 'The criterion is not met.',
    });
  });

  it('accepts 1, worth 1', () => {
    expect(verdictOf(parseAnswer(binary, '{"justification": "Met.", "score": 1}')).value).toBe(1);
  });

  it('rejects 2', () => {
    expect(parseAnswer(binary, '{"justification": "Very met.", "score": 2}').ok).toBe(false);
  });
});

describe('categories answers', () => {
  it('gives a label its score', () => {
    expect(verdictOf(parseAnswer(categories, '{"justification": "Mostly fine.", "score": "fair"}'))).toEqual({
      value: 1,
      score: 'fair',
      label: 'fair',
      justification: 'Mostly fine.',
    });
  });

  it('matches labels case-insensitively and reports the label as defined', () => {
    expect(verdictOf(parseAnswer(categories, '{"justification": "Great.", "score": " GOOD "}'))).toEqual({
      value: 2,
      score: 'good',
      label: 'good',
      justification: 'Great.',
    });
  });

  it('rejects an unknown label', () => {
    expect(reasonOf(parseAnswer(categories, '{"justification": "Meh.", "score": "excellent"}'))).toMatch(/excellent/);
  });
});

describe('yes/no answers (1–5 turned into yes above the threshold)', () => {
  it('says no for 3 with threshold 3', () => {
    expect(verdictOf(parseAnswer(yesNo3, '{"justification": "Borderline.", "score": 3}'))).toEqual({
      value: 0,
      score: 3,
      label: 'no',
      justification: 'Borderline.',
    });
  });

  it('says yes for 4 with threshold 3', () => {
    expect(verdictOf(parseAnswer(yesNo3, '{"justification": "Professional.", "score": 4}'))).toEqual({
      value: 1,
      score: 4,
      label: 'yes',
      justification: 'Professional.',
    });
  });

  it('says yes for 3 with threshold 2', () => {
    const verdict = verdictOf(parseAnswer(yesNo2, '{"justification": "Acceptable.", "score": 3}'));
    expect(verdict.value).toBe(1);
    expect(verdict.label).toBe('yes');
  });

  it('says no for 2 with threshold 2', () => {
    expect(verdictOf(parseAnswer(yesNo2, '{"justification": "Casual.", "score": 2}')).label).toBe('no');
  });

  it('rejects a score outside 1–5', () => {
    expect(parseAnswer(yesNo3, '{"justification": "Perfect.", "score": 6}').ok).toBe(false);
  });
});

describe('toVerdict', () => {
  it('checks a score given directly, as examples are checked', () => {
    expect(toVerdict(scale, 5, 'Idiomatic.')).toEqual({ ok: true, verdict: { value: 5, score: 5, justification: 'Idiomatic.' } });
    expect(toVerdict(scale, 5, undefined).ok).toBe(false);
  });
});
