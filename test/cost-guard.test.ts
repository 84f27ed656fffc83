/**
 * The cost guard on long cells: a row with a 10 MB answer is counted at millions of tokens (in
 * linear time: js-tiktoken alone would take days on one 10 MB word), and `--max-cost` refuses its
 * call before it is sent, exiting 4 with the budget and the resume command. Calls made at once hold
 * their estimate, so 64 rows started together cannot pass the budget between them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, makeGenaiMetric } from '../src/index.js';
import { startLlmServer, type LlmServer } from './fixtures/llm-server.js';
import { cliEnv, removeTempDirs, runCli, writeConfig } from './cli/run-cli.js';

/** 10 MB without a space: the worst case of tiktoken's byte-pair merge. */
const HUGE = 'lorem'.repeat(2_000_000);

const config = `experiment: cost-guard
data: qa.csv
col_mapping:
  inputs: question
  predictions: answer
judge_model: openai:/gpt-4o-mini
metrics:
  - name: correctness
    definition: "Assesses whether the answer answers the question."
    grading_prompt: "Score from 1-5."
`;

let server: LlmServer;
let dir: string;

beforeAll(async () => {
  server = await startLlmServer();
  ({ dir } = writeConfig(undefined, config, { 'qa.csv': `question,answer\nWhat is it?,${HUGE}\n` }));
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});
beforeEach(() => server.reset());

describe('a 10 MB cell', () => {
  it('--dry-run counts it at more than a million tokens', async () => {
    const result = await runCli(['eval', join(dir, 'juror.yaml'), '--dry-run', '--json'], {
      env: cliEnv(server.url, dir),
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { estimates: Array<{ inputTokens: number; costUsd: number }> };
    expect(report.estimates[0]!.inputTokens).toBeGreaterThan(1_000_000);
    expect(report.estimates[0]!.costUsd).toBeGreaterThan(0.1);
    expect(server.requests).toHaveLength(0);
  }, 90_000);

  it('--dry-run shows the start of its prompt, not 10 MB of it', async () => {
    const result = await runCli(['eval', join(dir, 'juror.yaml'), '--dry-run'], {
      env: cliEnv(server.url, dir),
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.length).toBeLessThan(100_000);
    expect(result.stdout).toMatch(/more characters; --json prints the whole prompt/);
  }, 90_000);

  it('--max-cost 0.01 makes no call and exits 4 naming the budget', async () => {
    const result = await runCli(['eval', join(dir, 'juror.yaml'), '--max-cost', '0.01'], {
      env: cliEnv(server.url, dir),
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(server.requests).toHaveLength(0);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/budget of \$0\.01/);
    expect(result.stderr).toMatch(/sends \d{7,} tokens/);
    expect(result.stderr).toMatch(/--resume [0-9a-f]{12}/);
  }, 90_000);
});

describe('a budget over rows judged in parallel', () => {
  it('is not passed by the calls in flight together', async () => {
    server.setOptions({ latencyMs: 20 });
    // $100 per million input tokens: a judge call of ~250 tokens costs ~$0.025, so $0.2 pays for ~8.
    const result = await evaluate({
      data: Array.from({ length: 50 }, (_, i) => ({ inputs: 'What is the capital of France?', outputs: `Paris, answer ${i}` })),
      metrics: [makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5.' })],
      judgeModel: 'openai:/gpt-test',
      env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' },
      store: false,
      prices: { 'gpt-test': { input: 100, output: 0 } },
      maxCostUsd: 0.2,
      rowConcurrency: 64,
    });
    server.setOptions({ latencyMs: 0 });
    expect(result.status).toBe('interrupted');
    expect(result.stoppedBy).toBe('budget');
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.costUsd).toBeLessThanOrEqual(0.2);
    expect(server.requests.length).toBeLessThan(16);
  });
});
