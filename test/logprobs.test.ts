/**
 * `scoring: logprobs` (G-Eval) end to end against the scripted server, which sends token
 * log-probabilities when asked: the value is the probability-weighted mean of the score tokens,
 * an answer without them is an error row, and a provider that has none stops the run before its
 * first call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, dryRun, evaluate, makeGenaiMetricFromPrompt, Store, type PromptJudgeOptions } from '../src/index.js';
import type { Panel } from '../src/judges/jury.js';
import { scoreByLogprobs, type TokenLogprob } from '../src/judges/logprobs.js';
import { byModel, verdict, verdictWithLogprobs } from './fixtures/llm-server.js';
import { useJudgeServer } from './support/judge-server.js';

const judge = useJudgeServer();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'juror-logprobs-'));
});

const rows = [{ response: 'Paris is the capital of France.' }];

function scored(options: Partial<PromptJudgeOptions> = {}) {
  return makeGenaiMetricFromPrompt({ name: 'correct', judgePrompt: 'Is this correct? {response}', scoring: 'logprobs', ...options });
}

describe('scoring: logprobs', () => {
  it('scores a 1–5 judge by the probability-weighted mean of its score tokens: P(4)=0.6, P(5)=0.4 → 4.4', async () => {
    judge.server.setHandler(() => verdictWithLogprobs({ '4': 0.6, '5': 0.4 }));
    const store = await Store.open({ path: join(dir, 'scale.db') });
    try {
      const result = await evaluate(judge.options({ data: rows, metrics: [scored()], store }));
      expect(judge.server.requests[0]!.body).toMatchObject({ logprobs: true, top_logprobs: 20 });
      const row = result.tables.eval_results_table[0]!;
      expect(row['correct/v1/score']).toBeCloseTo(4.4, 12);
      // The spread of the distribution: 0.6·0.4² + 0.4·0.6² = 0.24.
      expect(row['correct/v1/spread']).toBeCloseTo(Math.sqrt(0.24), 12);
      const panel = JSON.parse((await store.results(result.runId, { from: 0, to: 0 }))[0]!.panel!) as Panel;
      expect(panel).toMatchObject({ kind: 'single', level: 'interval' });
      expect(panel.verdicts[0]!.distribution).toEqual({ '4': expect.closeTo(0.6, 12), '5': expect.closeTo(0.4, 12) });

      // The answer is cached with its log-probabilities: a second run calls nothing and scores the same.
      const again = await evaluate(judge.options({ data: rows, metrics: [scored()], store }));
      expect(judge.server.requests).toHaveLength(1);
      expect(again.tables.eval_results_table[0]!['correct/v1/score']).toBeCloseTo(4.4, 12);
    } finally {
      await store.close();
    }
  });

  it('makes a yes/no judge’s value the probability of yes, its score the weighted 1–5 mean', async () => {
    judge.server.setHandler(() => verdictWithLogprobs({ '4': 0.6, '5': 0.3, '2': 0.1 }));
    const result = await evaluate(judge.options({ data: rows, metrics: [scored({ metricMetadata: { score_threshold: 3 } })] }));
    const row = result.tables.eval_results_table[0]!;
    // P(score > 3) = 0.6 + 0.3; the score 4·0.6 + 5·0.3 + 2·0.1 = 4.1.
    expect(row['correct/v1/score']).toBeCloseTo(0.9, 12);
    expect(row['correct/v1/label']).toBe('yes');
    expect(result.metrics['correct/v1/ratio']).toBe(1);
  });

  it('renormalizes over the allowed scores among the alternatives', async () => {
    // "7" is not on a 1–5 scale: p(3) = 0.3 / 0.6, p(5) = 0.3 / 0.6 → 4.
    judge.server.setHandler(() => verdictWithLogprobs({ '3': 0.3, '5': 0.3, '7': 0.2 }));
    const result = await evaluate(judge.options({ data: rows, metrics: [scored()] }));
    expect(result.tables.eval_results_table[0]!['correct/v1/score']).toBeCloseTo(4, 12);
  });

  it('makes an answer without log-probabilities an error row, never the written score', async () => {
    judge.server.setHandler(() => verdict(4));
    const result = await evaluate(judge.options({ data: rows, metrics: [scored()] }));
    expect(result.errors['correct/v1']).toBe(1);
    expect(result.tables.eval_results_table[0]!['correct/v1/error']).toMatch(/no token log-probabilities/);
    expect(result.failedMetrics).toEqual(['correct/v1']);
  });

  it('reads the log-probabilities of an OpenAI-compatible endpoint', async () => {
    judge.server.setHandler(() => verdictWithLogprobs({ '4': 0.6, '5': 0.4 }));
    const result = await evaluate(
      judge.options({
        data: rows,
        endpoints: { local: { base_url: judge.server.url } },
        metrics: [scored({ model: 'local:/judge-x' })],
      }),
    );
    expect(judge.server.requests[0]!.body).toMatchObject({ model: 'judge-x', logprobs: true, top_logprobs: 20 });
    expect(result.tables.eval_results_table[0]!['correct/v1/score']).toBeCloseTo(4.4, 12);
  });

  it('averages a jury of logprob-scored models', async () => {
    judge.server.setHandler(
      byModel({
        'judge-a': () => verdictWithLogprobs({ '4': 0.6, '5': 0.4 }),
        'judge-b': () => verdictWithLogprobs({ '2': 0.5, '3': 0.5 }),
      }),
    );
    const result = await evaluate(judge.options({ data: rows, metrics: [scored({ models: ['openai:/judge-a', 'openai:/judge-b'] })] }));
    // (4.4 + 2.5) / 2.
    expect(result.tables.eval_results_table[0]!['correct/v1/score']).toBeCloseTo(3.45, 12);
  });

  it.each([
    ['anthropic:/claude-3-5-haiku-latest', { ANTHROPIC_API_KEY: 'test' }],
    ['google:/gemini-2.0-flash', { GEMINI_API_KEY: 'test' }],
    ['openai:/o3-mini', {}],
  ])('refuses %s before any call, naming samples: as the alternative', async (model, env) => {
    const error = await evaluate(
      judge.options({
        data: rows,
        metrics: [scored({ model })],
        env: { OPENAI_BASE_URL: judge.server.url, OPENAI_API_KEY: 'test', ...env },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${model} gives no token log-probabilities, which scoring: logprobs reads`);
    expect((error as ConfigError).where.field).toBe('metrics.correct.model');
    expect((error as ConfigError).hint).toMatch(/^use samples:/);
    expect(judge.server.requests).toHaveLength(0);
  });
});

describe('reading the score token', () => {
  const scale = { type: 'scale', min: 1, max: 5 } as const;
  const token = (text: string, alternatives: Record<string, number> = { [text]: 1 }): TokenLogprob => ({
    token: text,
    logprob: Math.log(alternatives[text] ?? 1e-9),
    top: Object.entries(alternatives).map(([t, p]) => ({ token: t, logprob: Math.log(p) })),
  });
  const answer = (...tokens: TokenLogprob[]) => [token('{"justification":"ok","score":'), ...tokens, token('}')];

  it('merges alternatives spelling one score (" 4" and "4") and adds the chosen token when the alternatives lack it', () => {
    const merged = scoreByLogprobs(
      scale,
      { value: 4, score: 4, justification: 'ok' },
      answer(token(' 4', { ' 4': 0.3, '4': 0.3, ' 2': 0.4 })),
    );
    expect(merged).toMatchObject({ ok: true, verdict: { value: expect.closeTo(0.6 * 4 + 0.4 * 2, 12) } });
    const lacking = answer({ token: '5', logprob: Math.log(0.5), top: [{ token: '3', logprob: Math.log(0.5) }] });
    expect(scoreByLogprobs(scale, { value: 5, score: 5, justification: 'ok' }, lacking)).toMatchObject({ verdict: { value: 4 } });
  });

  it('refuses a score written over several tokens', () => {
    const split = scoreByLogprobs(
      { type: 'scale', min: 1, max: 10 },
      { value: 10, score: 10, justification: 'ok' },
      answer(token('1'), token('0')),
    );
    expect(split).toEqual({ ok: false, reason: expect.stringMatching(/^the score 10 is written over several tokens/) });
  });
});

describe('a dry run', () => {
  it('prices a logprob-scored judge like any other, without a call', async () => {
    const report = await dryRun(judge.options({ data: rows, metrics: [scored()] }));
    expect(report.estimates.map((e) => [e.name, e.calls])).toEqual([['correct/v1', 1]]);
    expect(judge.server.requests).toHaveLength(0);
  });
});
