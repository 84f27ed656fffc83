/**
 * The engine under load and faults, against the scripted server: rate limits, retries, capability
 * fallback, the cache, interruption and resume, budgets, dry runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dryRun, evaluate, makeGenaiMetric, makeGenaiMetricFromPrompt, ProviderError, Store, type EvaluateOptions } from '../src/index.js';
import { startLlmServer, verdict, type ChatRequest, type LlmServer } from './fixtures/llm-server.js';

let server: LlmServer;
let dir: string;

beforeAll(async () => {
  server = await startLlmServer();
  dir = mkdtempSync(join(tmpdir(), 'juror-engine-'));
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setOptions({ latencyMs: 0, maxConcurrent: undefined, concurrencyRetryAfterMs: undefined, requestsPerSecond: undefined });
});

const judge = makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5.' });

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({ inputs: 'question', outputs: `answer ${i}` }));
}

/** The row an answer request is about: the text of its output block. */
function rowOf(req: ChatRequest): string {
  return /name="output">\n([\s\S]*?)\n<\//.exec(req.body.messages.find((m: { role: string }) => m.role === 'user').content)![1]!;
}

function options(extra: Partial<EvaluateOptions> & Pick<EvaluateOptions, 'data'>): EvaluateOptions {
  return {
    metrics: [judge],
    judgeModel: 'openai:/gpt-test',
    env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' },
    store: { path: join(dir, `${Math.random().toString(36).slice(2)}.db`) },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  };
}

describe('rate limits', () => {
  it('scores every row through a 429 storm and never retries before Retry-After', async () => {
    let openAt = 0;
    server.setHandler((req) => {
      openAt ||= req.receivedAt + 300;
      return req.receivedAt < openAt ? { status: 429, headers: { 'retry-after-ms': String(openAt - req.receivedAt) } } : verdict(4);
    });
    const result = await evaluate(options({ data: rows(20) }));
    expect(result.perMetric[0]!.rowsScored).toBe(20);
    expect(server.requests.filter((r) => r.receivedAt < openAt)).not.toHaveLength(0);
    // Each row's first retry arrives no earlier than the moment its 429 said.
    for (const row of new Set(server.requests.map(rowOf))) {
      const attempts = server.requests.filter((r) => rowOf(r) === row);
      for (let i = 1; i < attempts.length; i++)
        expect(attempts[i]!.receivedAt).toBeGreaterThanOrEqual(Math.min(openAt, attempts[i - 1]!.receivedAt + 1) - 1);
      expect(attempts.at(-1)!.receivedAt).toBeGreaterThanOrEqual(openAt - 1);
    }
  });

  it('stays under a server concurrency cap by backing off on 429s', async () => {
    server.setOptions({ maxConcurrent: 4, latencyMs: 20 });
    server.setHandler(() => verdict(3));
    const result = await evaluate(options({ data: rows(40), providers: { openai: { maxConcurrency: 16 } } }));
    expect(result.perMetric[0]!.rowsScored).toBe(40);
    expect(result.calls.rateLimited).toBeGreaterThan(0);
  });

  // Issue #10: a provider capped at 4 in flight, asked for 32, used to leave rows as `HTTP 429 … gave up after 9 attempts`.
  for (const [header, afterMs] of [
    ['a 50 ms retry-after-ms', 50],
    ['no Retry-After at all', null],
  ] as const) {
    it(`settles at a provider's concurrency cap and scores every row, with ${header}`, async () => {
      server.setOptions({ maxConcurrent: 4, concurrencyRetryAfterMs: afterMs, latencyMs: 10 });
      server.setHandler(() => verdict(3));
      // Two retries: enough for 5xx, and 429s must not use them up.
      const result = await evaluate(
        options({
          data: rows(200),
          providers: { openai: { maxConcurrency: 32 } },
          retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 },
        }),
      );
      expect(result.status).toBe('finished');
      expect(result.errors['quality/v1']).toBe(0);
      expect(result.perMetric[0]!.rowsScored).toBe(200);
      expect(server.stats.maxInFlight).toBeLessThanOrEqual(4);
      // Probing above the cap costs some 429s (44–51 on an idle machine, more when the machine is
      // busy and round trips vary), but concurrency must settle near it rather than keep hammering:
      // fewer 429s than rows (the old scheduler: 245, and error rows).
      expect(server.stats.rateLimited).toBeGreaterThan(0);
      expect(server.stats.rateLimited).toBeLessThan(200);
      expect(result.calls.rateLimited).toBe(server.stats.rateLimited);
    });
  }

  it('stops the run as a provider failure, resumably, once a row has waited out its rate-limit allowance', async () => {
    server.setHandler(() => ({ status: 429 }));
    const path = join(dir, 'rate-limited.db');
    const run = evaluate(options({ data: rows(5), store: { path }, retry: { baseDelayMs: 5, maxDelayMs: 20, rateLimitWaitMs: 200 } }));
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).describe()).toMatch(/rate-limited .*HTTP 429.*\n {2}fix: .*max_concurrency/);
    const store = await Store.open({ path });
    const [stored] = await store.listRuns();
    await store.close();
    expect(stored!.status).toBe('failed');
    expect(stored!.rows_done).toBe(0);

    server.setHandler(() => verdict(4));
    const resumed = await evaluate(options({ data: rows(5), store: { path }, resume: stored!.id }));
    expect(resumed.status).toBe('finished');
    expect(resumed.perMetric[0]!.rowsScored).toBe(5);
  });

  it('paces requests to the configured requests per minute', async () => {
    server.setHandler(() => verdict(3));
    const started = Date.now();
    await evaluate(options({ data: rows(6), providers: { openai: { rpm: 600 } } }));
    // 600 rpm = one start every 100 ms: six starts span at least 500 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(490);
    // Arrivals at the server span five intervals, give or take a few ms of scheduling each.
    const arrivals = server.requests.map((r) => r.receivedAt);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(450);
  });
});

describe('an endpoint that cannot be reached', () => {
  it('stops the run after a few attempts instead of failing every row slowly', async () => {
    const closed = await startLlmServer();
    const url = closed.url;
    await closed.close();
    const started = Date.now();
    const run = evaluate({ ...options({ data: rows(50) }), env: { OPENAI_BASE_URL: url, OPENAI_API_KEY: 'test' } });
    await expect(run).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('getting a usable answer', () => {
  it('falls back to a tool call when structured output is refused, and remembers it', async () => {
    server.setHandler((req) => {
      if (req.body.response_format) return { status: 400, body: { error: { message: 'response_format is not supported' } } };
      if (req.body.tools) return { toolCall: { name: 'verdict', arguments: { justification: 'fine', score: 4 } } };
      return { text: 'unexpected' };
    });
    const result = await evaluate(options({ data: rows(5), rowConcurrency: 1 }));
    expect(result.metrics['quality/v1/mean']).toBe(4);
    // One refused structured call, then tools only.
    expect(server.requests.filter((r) => r.body.response_format)).toHaveLength(1);
    expect(server.requests.filter((r) => r.body.tools)).toHaveLength(5);
  });

  it('falls back to plain text read by the tolerant parser when nothing structured is accepted', async () => {
    server.setHandler((req) =>
      req.body.response_format || req.body.tools ? { status: 400 } : { text: 'score: 2\njustification: too vague' },
    );
    const result = await evaluate(options({ data: rows(3), rowConcurrency: 1 }));
    expect(result.metrics['quality/v1/mean']).toBe(2);
    expect(result.tables.eval_results_table[0]!['quality/v1/justification']).toBe('too vague');
  });

  it('fixes a malformed first answer for every prompt with the re-ask', async () => {
    server.setHandler((req) => (req.body.messages.length === 2 ? { text: '{"score": 4' } : verdict(4)));
    const result = await evaluate(options({ data: rows(10) }));
    expect(result.errors['quality/v1']).toBe(0);
    expect(server.requests).toHaveLength(20);
  });
});

describe('the cache', () => {
  it('answers an identical second run without calling the provider, with identical results', async () => {
    server.setHandler((req) => verdict((rowOf(req).length % 5) + 1, `about ${rowOf(req)}`));
    const path = join(dir, 'cache.db');
    const first = await evaluate(options({ data: rows(12), store: { path } }));
    const calls = server.requests.length;
    const second = await evaluate(options({ data: rows(12), store: { path } }));
    expect(server.requests.length).toBe(calls);
    expect(second.calls).toMatchObject({ made: 0, cached: 12 });
    expect(second.metrics).toEqual(first.metrics);
    expect(second.tables.eval_results_table).toEqual(first.tables.eval_results_table);
    expect(second.costUsd).toBe(0);
  });

  it('calls again with the cache off, and after any change to the judge', async () => {
    server.setHandler(() => verdict(3));
    const path = join(dir, 'cache-off.db');
    await evaluate(options({ data: rows(3), store: { path } }));
    await evaluate(options({ data: rows(3), store: { path }, cache: false }));
    expect(server.requests).toHaveLength(6);
    const edited = makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5, strictly.' });
    await evaluate(options({ data: rows(3), store: { path }, metrics: [edited] }));
    expect(server.requests).toHaveLength(9);
  });

  it('does not cache errors', async () => {
    const path = join(dir, 'cache-errors.db');
    server.setHandler(() => ({ text: 'no idea' }));
    await evaluate(options({ data: rows(2), store: { path } }));
    server.setHandler(() => verdict(5));
    const second = await evaluate(options({ data: rows(2), store: { path } }));
    expect(second.calls.cached).toBe(0);
    expect(second.metrics['quality/v1/mean']).toBe(5);
  });
});

describe('interruption and resume', () => {
  it('stops on abort without new calls, keeps finished rows, and resumes without calling for them', async () => {
    server.setOptions({ latencyMs: 20 });
    server.setHandler(() => verdict(4));
    const path = join(dir, 'resume.db');
    const controller = new AbortController();
    const first = await evaluate(
      options({
        data: rows(100),
        store: { path },
        rowConcurrency: 4,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.rowsDone === 30) controller.abort();
        },
      }),
    );
    expect(first.status).toBe('interrupted');
    const callsBefore = server.requests.length;
    expect(callsBefore).toBeLessThan(40);
    const store = await Store.open({ path });
    const stored = await store.getRun(first.runId);
    await store.close();
    expect(stored.status).toBe('interrupted');

    const resumed = await evaluate(options({ data: rows(100), store: { path }, resume: first.runId, cache: false }));
    expect(resumed.status).toBe('finished');
    expect(resumed.perMetric[0]!.rowsScored).toBe(100);
    expect(resumed.metrics['quality/v1/mean']).toBe(4);
    expect(resumed.tables.eval_results_table).toHaveLength(100);
    // Every row scored exactly once: calls after the interruption cover only what was not stored.
    expect(server.requests.length).toBeLessThanOrEqual(100 + 4);
  });

  it('refuses to resume when the data changed', async () => {
    server.setHandler(() => verdict(4));
    const path = join(dir, 'resume-changed.db');
    const first = await evaluate(options({ data: rows(3), store: { path } }));
    await expect(evaluate(options({ data: rows(4), store: { path }, resume: first.runId }))).rejects.toThrow(/has changed since it ran/);
  });

  it('stops before passing the budget, resumably', async () => {
    server.setHandler(() => ({ ...verdict(4), usage: { prompt_tokens: 1000, completion_tokens: 0 } }));
    // $1 per million input tokens: each call costs $0.001.
    const path = join(dir, 'budget.db');
    const result = await evaluate(
      options({ data: rows(50), store: { path }, prices: { 'gpt-test': { input: 1, output: 0 } }, maxCostUsd: 0.01, rowConcurrency: 1 }),
    );
    expect(result.status).toBe('interrupted');
    expect(result.stopReason).toMatch(/budget/);
    expect(result.costUsd).toBeLessThanOrEqual(0.01 + 1e-12);
    expect(result.costUsd).toBeGreaterThanOrEqual(0.009 - 1e-12);
    const resumed = await evaluate(
      options({ data: rows(50), store: { path }, prices: { 'gpt-test': { input: 1, output: 0 } }, resume: result.runId, cache: false }),
    );
    expect(resumed.perMetric[0]!.rowsScored).toBe(50);
  });
});

describe('dry run', () => {
  it('counts calls per metric, including one per chunk, and renders a prompt without calling', async () => {
    const hasPii = makeGenaiMetricFromPrompt({
      name: 'has_pii',
      judgePrompt: "PII in '{retrieved_context}'?",
      metricMetadata: { assessment_type: 'RETRIEVAL' },
    });
    const data = [
      { inputs: 'q', outputs: 'a', retrieved_context: ['one', 'two'] },
      { inputs: 'q', outputs: 'b', retrieved_context: ['three'] },
    ];
    const report = await dryRun(options({ data, metrics: [judge, hasPii] }));
    expect(server.requests).toHaveLength(0);
    expect(report.estimates.map((e) => [e.name, e.calls])).toEqual([
      ['quality/v1', 2],
      ['has_pii/v1', 3],
    ]);
    expect(report.estimates[0]!.inputTokens).toBeGreaterThan(0);
    expect(report.samples[0]!.user).toContain('Grade the quality of this output.');
    expect(report.samples[1]!.user).toContain('one');
  });
});
