/**
 * Pairwise judges: the definition (prompt with {response_a}/{response_b}, rubric with pairwise:
 * true), the prompts they send, and judgePairs/summarizePairs through evaluate() against the
 * scripted server answering by the markers of each response. Rates are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { verdict } from '../../test/fixtures/llm-server.js';
import { useJudgeServer } from '../../test/support/judge-server.js';
import { alwaysFirst, pairwiseByMarker } from '../../test/support/pairwise.js';
import { block } from '../../test/support/prompts.js';
import { ConfigError } from '../errors.js';
import { makeGenaiMetric, makeGenaiMetricFromPrompt } from './definition.js';
import { judgePairs, summarizePairs, type PairVerdict, type ResponsePair } from './pairwise.js';
import { judgeVariables, renderJudgePrompt } from './prompt.js';
import { judgeFromConfig, judgeToConfig } from './serialize.js';

const judges = useJudgeServer();
/** The scripted server's options for judgePairs (which makes the data and metrics itself). */
function pairOptions() {
  const { data: _data, metrics: _metrics, ...rest } = judges.options({ data: [], metrics: [] });
  return rest;
}

const promptJudge = makeGenaiMetricFromPrompt({
  name: 'helpful_pair',
  judgePrompt: 'Question: {inputs}\nWhich answer is more helpful?\nA: {response_a}\nB: {response_b}',
});
const rubricJudge = makeGenaiMetric({
  name: 'helpfulness',
  definition: 'How much the answer helps the user.',
  gradingPrompt: 'The more complete and correct answer is better.',
  pairwise: true,
});

/**
 * p0, p1: A's response is good; p2: B's; p3: neither. A fair judge: A wins 2, B wins 1, 1 tie.
 */
const PAIRS: ResponsePair[] = [
  { id: 'p0', a: '[GOOD] Paris', b: 'Lyon', record: { inputs: 'capital of France?' } },
  { id: 'p1', a: '[GOOD] 4', b: '5', record: { inputs: '2 + 2?' } },
  { id: 'p2', a: 'blue', b: '[GOOD] red', record: { inputs: 'colour of blood?' } },
  { id: 'p3', a: 'maybe', b: 'perhaps', record: { inputs: 'will it rain?' } },
];

describe('pairwise judge definitions', () => {
  it('a prompt using {response_a} and {response_b} is pairwise and answers A, B or tie', () => {
    expect(promptJudge.pairwise).toBe(true);
    expect(promptJudge.output).toEqual({ type: 'categories', labels: { A: 1, B: 0, tie: 0.5 } });
    expect(makeGenaiMetricFromPrompt({ name: 'single', judgePrompt: 'Is {response} polite?' }).pairwise).toBeUndefined();
  });

  it('a prompt with only one of the two responses is a config error naming the missing one', () => {
    const make = () => makeGenaiMetricFromPrompt({ name: 'half', judgePrompt: 'Is {response_a} better?' });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow("judge 'half': judge_prompt uses {response_a} but not {response_b}");
  });

  it('refuses another output, examples or RETRIEVAL, naming the field', () => {
    const base = { name: 'h', definition: 'd', gradingPrompt: 'g', pairwise: true };
    expect(() => makeGenaiMetric({ ...base, output: { type: 'scale', min: 1, max: 5 } })).toThrow(/output cannot be set/);
    expect(() => makeGenaiMetric({ ...base, examples: [{ output: 'x', score: 'A', justification: 'j' }] })).toThrow(/no few-shot examples/);
    expect(() => makeGenaiMetric({ ...base, metricMetadata: { assessment_type: 'RETRIEVAL' } })).toThrow(/assessment_type is ANSWER/);
  });

  it('survives YAML: pairwise: true on a rubric judge, the prompt alone on a prompt judge', () => {
    expect(judgeFromConfig(judgeToConfig(rubricJudge))).toEqual(rubricJudge);
    expect(judgeFromConfig(judgeToConfig(promptJudge))).toEqual(promptJudge);
    expect(judgeToConfig(rubricJudge)).toMatchObject({ pairwise: true });
    const fromYaml = judgeFromConfig({ name: 'hp', definition: 'd', grading_prompt: 'g', pairwise: true });
    expect(fromYaml.pairwise).toBe(true);
  });

  it('a pairwise rubric judge reads both responses, each in its own data block, and is told about ties and order', () => {
    expect(judgeVariables(rubricJudge)).toEqual(['inputs', 'response_a', 'response_b']);
    const values: Record<string, string> = { inputs: 'Q?', response_a: 'first answer', response_b: 'second answer' };
    const messages = renderJudgePrompt(rubricJudge, (name) => values[name] ?? '');
    expect(block(messages.user, 'response_a')).toBe('first answer');
    expect(block(messages.user, 'response_b')).toBe('second answer');
    expect(block(messages.user, 'input')).toBe('Q?');
    expect(messages.system).toContain('"tie" if neither is better');
    expect(messages.system).toContain('the order in which they are shown and their length are no reason');
    expect(messages.system).toContain('one of "A", "B", "tie"');
  });
});

describe('judgePairs', () => {
  it('asks both orders of every pair: 2 calls per pair, each response once in each position', async () => {
    judges.server.setHandler(pairwiseByMarker());
    await judgePairs(promptJudge, PAIRS, pairOptions());
    const shown = judges.server.requests.map((r) => [block(r.lastUser, 'response_a'), block(r.lastUser, 'response_b')].join(' | ')).sort();
    expect(shown).toEqual(
      [
        '[GOOD] Paris | Lyon',
        'Lyon | [GOOD] Paris',
        '[GOOD] 4 | 5',
        '5 | [GOOD] 4',
        'blue | [GOOD] red',
        '[GOOD] red | blue',
        'maybe | perhaps',
        'perhaps | maybe',
      ].sort(),
    );
  });

  it('a fair judge: B wins 1 of 4, loses 2, ties 1; always consistent; no first-position preference', async () => {
    judges.server.setHandler(pairwiseByMarker());
    const { verdicts } = await judgePairs(rubricJudge, PAIRS, pairOptions());
    expect(verdicts.map((v) => [v.id, v.winner, v.consistent])).toEqual([
      ['p0', 'a', true],
      ['p1', 'a', true],
      ['p2', 'b', true],
      ['p3', 'tie', true],
    ]);
    // p0: A first → "A"; B first → "B" (the good one is second): the same winner, a.
    expect(verdicts[0]!.aFirst).toMatchObject({ label: 'A' });
    expect(verdicts[0]!.bFirst).toMatchObject({ label: 'B' });
    const summary = summarizePairs(verdicts);
    expect(summary).toMatchObject({ pairs: 4, judged: 4, errors: 0, decisive: 6 });
    expect(summary.wins.value).toBe(0.25);
    expect(summary.losses.value).toBe(0.5);
    expect(summary.ties.value).toBe(0.25);
    expect(summary.consistency.value).toBe(1);
    // Six answers named a response (two per decided pair), three of them the first shown: 3/6.
    expect(summary.first_position.value).toBe(0.5);
    expect(summary.consistency.interval).toEqual([1, 1]);
    expect(summary.wins.interval![0]).toBeGreaterThanOrEqual(0);
    expect(summary.wins.interval![1]).toBeLessThanOrEqual(1);
  });

  it('a judge that always answers A: every pair order-dependent, so all ties, consistency 0, first position 1', async () => {
    judges.server.setHandler(alwaysFirst);
    const summary = summarizePairs((await judgePairs(promptJudge, PAIRS, pairOptions())).verdicts);
    expect(summary).toMatchObject({ judged: 4, decisive: 8 });
    expect([summary.wins.value, summary.losses.value, summary.ties.value]).toEqual([0, 0, 1]);
    expect(summary.consistency.value).toBe(0);
    expect(summary.first_position.value).toBe(1);
  });

  it('a judge biased only when it cannot tell: p3 flips with the order (consistency 3/4, first position 5/8)', async () => {
    judges.server.setHandler(pairwiseByMarker('first'));
    const { verdicts } = await judgePairs(promptJudge, PAIRS, pairOptions());
    expect(verdicts[3]).toMatchObject({ winner: 'tie', consistent: false });
    const summary = summarizePairs(verdicts);
    expect(summary.consistency.value).toBe(0.75);
    // Decided pairs: 3 of 6 answers first; p3: both answers "A", both first → (3 + 2) / (6 + 2).
    expect(summary.first_position.value).toBe(5 / 8);
    expect([summary.wins.value, summary.losses.value, summary.ties.value]).toEqual([0.25, 0.5, 0.25]);
  });

  it('a pair whose judge answer is unusable in one order is an error, left out of the rates', async () => {
    judges.server.setHandler((req) => (block(req.text, 'response_a') === 'perhaps' ? { text: 'no idea' } : pairwiseByMarker()(req)));
    const { verdicts } = await judgePairs(promptJudge, PAIRS, pairOptions());
    const broken = verdicts.find((v) => v.id === 'p3') as PairVerdict;
    expect(broken.winner).toBeNull();
    expect(broken.aFirst).toMatchObject({ label: 'tie' });
    expect(broken.bFirst).toMatchObject({ error: expect.stringContaining('not JSON') });
    const summary = summarizePairs(verdicts);
    expect(summary).toMatchObject({ pairs: 4, judged: 3, errors: 1 });
    expect(summary.wins.value).toBeCloseTo(1 / 3, 14);
  });

  it('refuses a judge that is not pairwise', async () => {
    judges.server.setHandler(() => verdict(3));
    const single = makeGenaiMetricFromPrompt({ name: 'single', judgePrompt: 'Is {response} polite?' });
    await expect(judgePairs(single, PAIRS, pairOptions())).rejects.toThrow("judge 'single' is not a pairwise judge");
  });
});

describe('summarizePairs', () => {
  it('has no rates and no intervals without a judged pair', () => {
    const summary = summarizePairs([{ id: 'x', aFirst: { error: 'e' }, bFirst: { error: 'e' }, winner: null, consistent: null }]);
    expect(summary).toMatchObject({ pairs: 1, judged: 0, errors: 1, wins: { value: null, interval: null } });
  });
});
