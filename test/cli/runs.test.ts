/**
 * `juror runs list` and `juror runs show` over a store filled by two real `juror eval` runs in
 * different experiments.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { cliEnv, type CliResult, removeTempDirs, ROOT, runCli, tempDir, writeConfig } from './run-cli.js';

const QUICKSTART = join(ROOT, 'examples', 'quickstart', 'juror.yaml');

const SECOND_CSV = 'question,answer,expected\nWhat is 2+2?,4,4\nWhat is 3+3?,7,6\nWhat is 4+4?,9,8\nWhat is 5+5?,11,10\n';
const SECOND_CONFIG = `experiment: small
data: second.csv
col_mapping:
  inputs: question
  predictions: answer
  targets: expected
judge_model: openai:/gpt-test
metrics:
  - exact_match
  - name: correctness
    definition: "Assesses whether the sum is right."
    grading_prompt: "Score from 1-5, where 1 is wrong and 5 is right."
thresholds:
  correctness/v1/mean: ">= 3.5"
`;

interface ListedRun {
  id: string;
  experiment: string;
  name: string;
  status: string;
  started_at: string;
  rows: number;
  errors: number;
  cost_usd: number;
  metrics: Record<string, number>;
}

let server: LlmServer;
let dir: string;
/** The first run: experiment `quickstart`, correctness [5,5,5,5,1] → 4.2. */
let first: string;
/**
 * The second, newer run: another config (so that no answer can come from the store's answer
 * cache) run with `--experiment nightly --run-name candidate`; correctness all 3 → 3, exact_match
 * [1,0,0,0] → 0.25.
 */
let second: string;

const run = (args: string[]): Promise<CliResult> => runCli(args, { env: cliEnv(server.url, dir), cwd: dir });
const runIdOf = (result: CliResult): string => /^run ([0-9a-f]{32}) /m.exec(result.stdout)![1]!;

beforeAll(async () => {
  server = await startLlmServer({
    handler: (req) =>
      req.lastUser.includes('Saturn') ? verdict(1, 'Saturn is not the largest planet') : verdict(5, 'the answer is correct'),
  });
  dir = tempDir();
  const a = await run(['eval', QUICKSTART]);
  expect(a.code).toBe(0);
  first = runIdOf(a);
  server.setHandler(() => verdict(3, 'partly right'));
  const { config } = writeConfig(dir, SECOND_CONFIG, { 'second.csv': SECOND_CSV });
  const b = await run(['eval', config, '--experiment', 'nightly', '--run-name', 'candidate']);
  // correctness/v1/mean 3 misses ">= 3.5": exit 1, but the run is stored all the same.
  expect(b.code).toBe(1);
  second = runIdOf(b);
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

describe('juror runs list', () => {
  it('lists both runs, newest first', async () => {
    const result = await run(['runs', 'list']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const firstLine = lines.findIndex((line) => line.includes(first.slice(0, 12)));
    const secondLine = lines.findIndex((line) => line.includes(second.slice(0, 12)));
    expect(firstLine).toBeGreaterThan(-1);
    expect(secondLine).toBeGreaterThan(-1);
    expect(secondLine).toBeLessThan(firstLine);
  });

  it("shows each run's experiment, name, status, rows done and headline metrics", async () => {
    const result = await run(['runs', 'list']);
    const line = (id: string) => result.stdout.split('\n').find((l) => l.includes(id.slice(0, 12)))!;
    expect(line(first)).toMatch(new RegExp(`│ quickstart\\s+│ run-${first.slice(0, 8)}\\s+│ finished\\s+│ [0-9-]+ [0-9:]+\\s+│ 5/5\\s+│`));
    expect(line(first)).toContain('exact_match/v1/mean=0.4');
    expect(line(first)).toContain('correctness/v1/mean=4.2');
    expect(line(second)).toMatch(/│ nightly\s+│ candidate\s+│ finished\s+│ [0-9-]+ [0-9:]+\s+│ 4\/4\s+│/);
    expect(line(second)).toContain('exact_match/v1/mean=0.25');
    expect(line(second)).toContain('correctness/v1/mean=3');
    // Headline metrics are means and ratios only.
    expect(result.stdout).not.toContain('variance=');
  });

  it('--experiment keeps only that experiment', async () => {
    const result = await run(['runs', 'list', '--experiment', 'nightly']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(second.slice(0, 12));
    expect(result.stdout).not.toContain(first.slice(0, 12));
  });

  it('--experiment with no runs says so', async () => {
    const result = await run(['runs', 'list', '--experiment', 'nope']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`no runs in ${join(dir, 'juror.db')}\n`);
  });

  it('--json prints the runs, newest first, with their metrics', async () => {
    const result = await run(['runs', 'list', '--json']);
    expect(result.code).toBe(0);
    const runs = JSON.parse(result.stdout) as ListedRun[];
    expect(runs.map((r) => r.id)).toEqual([second, first]);
    expect(runs[0]).toMatchObject({ experiment: 'nightly', name: 'candidate', status: 'finished', rows: 4, errors: 0 });
    expect(runs[1]).toMatchObject({ experiment: 'quickstart', name: `run-${first.slice(0, 8)}`, status: 'finished', rows: 5, errors: 0 });
    expect(runs[1]!.metrics['correctness/v1/mean']).toBeCloseTo(4.2, 10);
    expect(runs[0]!.metrics['correctness/v1/mean']).toBe(3);
    expect(runs[0]!.started_at >= runs[1]!.started_at).toBe(true);
  });

  it('--limit 1 keeps the newest run only', async () => {
    const runs = JSON.parse((await run(['runs', 'list', '--json', '--limit', '1'])).stdout) as ListedRun[];
    expect(runs.map((r) => r.id)).toEqual([second]);
  });

  it('refuses an unknown --status with exit 2, listing the statuses', async () => {
    const result = await run(['runs', 'list', '--status', 'done']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--status: unknown status 'done'");
    expect(result.stderr).toContain('fix: use one of running, finished, failed, interrupted');
  });

  it('refuses a --db that does not exist with exit 2, naming the path, and creates nothing there', async () => {
    const missing = join(tempDir(), 'elsewhere', 'none.db');
    const result = await run(['runs', 'list', '--db', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no store at ${missing}`);
    expect(result.stderr).toContain('fix: ');
    expect(existsSync(missing)).toBe(false);
  });
});

describe('juror runs show', () => {
  it('finds a run by a prefix of its id and shows its header and metrics', async () => {
    const result = await run(['runs', 'show', first.slice(0, 8)]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`run ${first} (run-${first.slice(0, 8)}) in experiment 'quickstart'`);
    expect(result.stdout).toMatch(/status finished, .*rows 5\/5, errors 0/);
    expect(result.stdout).toMatch(/│ correctness\/v1\/mean\s+│ 4\.2\s+│/);
    expect(result.stdout).toMatch(/│ exact_match\/v1\/mean\s+│ 0\.4\s+│/);
  });

  it('shows the first rows in dataset order with their scores and justifications', async () => {
    const result = await run(['runs', 'show', first.slice(0, 8)]);
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('row '));
    expect(rows).toEqual([
      'row 0: {"question":"What is the capital of France?","answer":"Paris","expected":"Paris"}',
      'row 1: {"question":"How many days are in a leap year?","answer":"366","expected":"366"}',
      'row 2: {"question":"Who wrote Pride and Prejudice?","answer":"Jane Austen wrote it.","expected":"Jane Austen"}',
      'row 3: {"question":"What is the boiling point of water at sea level in degrees Celsius?","answer":"100 °C","expected":"100"}',
      'row 4: {"question":"What is the largest planet in the solar system?","answer":"Saturn","expected":"Jupiter"}',
    ]);
    expect(result.stdout).toContain(
      'row 4: {"question":"What is the largest planet in the solar system?","answer":"Saturn","expected":"Jupiter"}\n  correctness/v1: 1 — Saturn is not the largest planet\n  exact_match/v1: 0',
    );
    expect(result.stdout).toContain('\n  correctness/v1: 5 — the answer is correct\n  exact_match/v1: 1');
  });

  it('--rows 2 shows only the first two rows', async () => {
    const result = await run(['runs', 'show', second, '--rows', '2']);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .split('\n')
        .filter((line) => line.startsWith('row '))
        .map((line) => line.slice(0, 6)),
    ).toEqual(['row 0:', 'row 1:']);
  });

  it('--json includes the config as written, the judges, and the rows with their results', async () => {
    const result = await run(['runs', 'show', first.slice(0, 8), '--json']);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as {
      id: string;
      experiment: string;
      status: string;
      metrics: Record<string, number>;
      config: { experiment: string; data: string; metrics: unknown[]; thresholds: Record<string, string> };
      dataset: { name: string; rowCount: number; columns: string[] };
      judges: Array<{ metric: string; definition: { name: string; kind: string; definition: string } }>;
      rows: Array<{
        row_index: number;
        record: Record<string, string>;
        results: Array<{ metric: string; value: number; justification: string | null }>;
      }>;
    };
    expect(shown).toMatchObject({ id: first, experiment: 'quickstart', status: 'finished' });
    expect(shown.metrics['correctness/v1/mean']).toBeCloseTo(4.2, 10);
    expect(shown.config).toMatchObject({ experiment: 'quickstart', data: 'qa.csv', thresholds: { 'correctness/v1/mean': '>= 3.5' } });
    expect(shown.config.metrics[0]).toBe('exact_match');
    expect(shown.dataset).toMatchObject({ name: 'qa', rowCount: 5, columns: ['question', 'answer', 'expected'] });
    expect(shown.judges).toHaveLength(1);
    expect(shown.judges[0]).toMatchObject({
      metric: 'correctness/v1',
      definition: { name: 'correctness', kind: 'rubric', definition: 'Assesses whether the answer correctly answers the question.' },
    });
    expect(shown.rows.map((r) => r.row_index)).toEqual([0, 1, 2, 3, 4]);
    expect(shown.rows[4]!.record).toEqual({
      question: 'What is the largest planet in the solar system?',
      answer: 'Saturn',
      expected: 'Jupiter',
    });
    expect(shown.rows[4]!.results.map((r) => [r.metric, r.value, r.justification])).toEqual([
      ['correctness/v1', 1, 'Saturn is not the largest planet'],
      ['exact_match/v1', 0, null],
    ]);
  });

  it('refuses an unknown run id with exit 2 and a hint to list runs', async () => {
    const result = await run(['runs', 'show', 'ffffffffff']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`no run 'ffffffffff' in ${join(dir, 'juror.db')}`);
    expect(result.stderr).toContain('fix: list runs with `juror runs list`');
  });

  // BUG: Store.findRunId (src/store/store.ts:197) strips % and _ from the prefix instead of escaping
  // them, so `runs show %` (or `_`) matches every run: with one run it shows that run, with two
  // it calls the "prefix" ambiguous, though no id (32 hex digits) starts with %.
  it('treats % in a run id literally: `runs show %` is no run, not an ambiguous prefix', async () => {
    const result = await run(['runs', 'show', '%']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no run '%'");
  });

  it('refuses a --db that does not exist with exit 2, naming the path', async () => {
    const missing = join(tempDir(), 'none.db');
    const result = await run(['runs', 'show', first, '--db', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no store at ${missing}`);
  });
});
