/**
 * `juror runs compare` (paired statistics of two stored runs) and `juror compare --judge` (a
 * pairwise judge over each row's two outputs) over runs made by real `juror eval` calls against
 * the scripted LLM server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { alwaysFirst, pairwiseByMarker } from '../support/pairwise.js';
import { cliEnv, type CliResult, removeTempDirs, runCli, tempDir, writeConfig } from './run-cli.js';

/**
 * Two systems' answers to the same eight questions in one file. A answers rows 0–1 right, B every
 * row; B's answer to row 7 also carries EXTRA, which the scripted judge scores 4 (else 3).
 */
const ANSWERS_CSV = [
  'question,expected,answer_a,answer_b',
  ...Array.from({ length: 8 }, (_, i) => {
    const expected = i === 7 ? 'e7 EXTRA' : `e${i}`;
    return `q${i},${expected},${i < 2 ? expected : `wrong ${i}`},${expected}`;
  }),
].join('\n');

const config = (answer: string, name: string) => `experiment: systems
run_name: ${name}
data: answers.csv
col_mapping:
  inputs: question
  predictions: ${answer}
  targets: expected
judge_model: openai:/gpt-test
metrics:
  - exact_match
  - name: correctness
    definition: "Assesses whether the answer is right."
    grading_prompt: "Score from 1-5, where 1 is wrong and 5 is right."
`;

/**
 * Two systems' answers for the pairwise judge: the answer with [GOOD] is the better one. A's is
 * better on rows 0 and 1, B's on rows 2 and 4, neither on row 3.
 */
const PAIRS_CSV = `question,out_a,out_b
capital of France?,[GOOD] Paris,Lyon
2 + 2?,[GOOD] 4,5
colour of blood?,blue,[GOOD] red
will it rain?,maybe,perhaps
largest planet?,Saturn,[GOOD] Jupiter
`;

const pairsConfig = (answer: string) => `experiment: pairs
data: pairs.csv
col_mapping:
  inputs: question
  predictions: ${answer}
metrics:
  - json_valid
`;

const PROMPT_JUDGE = `name: better_answer
judge_prompt: "Question: {question}\\nWhich answer is better?\\nA: {response_a}\\nB: {response_b}"
`;
const RUBRIC_JUDGE = `name: helpfulness
definition: How much the answer helps.
grading_prompt: The correct answer is better.
pairwise: true
`;
const SINGLE_JUDGE = `name: polite
judge_prompt: "Is {response} polite?"
`;

interface PairwiseReport {
  judging_run: string;
  skipped: number;
  summary: {
    pairs: number;
    judged: number;
    errors: number;
    decisive: number;
    wins: { value: number; interval: [number, number] };
    losses: { value: number };
    ties: { value: number };
    consistency: { value: number };
    first_position: { value: number };
  };
  pairs: Array<{ id: string; winner: string; consistent: boolean }>;
}

interface MetricComparison {
  metric: string;
  n: number;
  mean_a: number;
  mean_b: number;
  difference: number;
  interval: [number, number];
  test: string;
  method: string;
  statistic: number;
  p: number;
  verdict: string;
}

let server: LlmServer;
let dir: string;
let runA: string;
let runB: string;
let otherData: string;
let pairsA: string;
let pairsB: string;

const run = (args: string[]): Promise<CliResult> => runCli(args, { env: cliEnv(server.url, dir), cwd: dir });
const runIdOf = (result: CliResult): string => /^run ([0-9a-f]{32}) /m.exec(result.stdout)![1]!;

beforeAll(async () => {
  server = await startLlmServer({ handler: (req) => (req.lastUser.includes('EXTRA') ? verdict(4, 'extra') : verdict(3, 'plain')) });
  dir = tempDir();
  const files = { 'answers.csv': ANSWERS_CSV + '\n' };
  const a = await run(['eval', writeConfig(`${dir}/a`, config('answer_a', 'system-a'), files).config]);
  expect(a.code, a.stderr).toBe(0);
  runA = runIdOf(a);
  const b = await run(['eval', writeConfig(`${dir}/b`, config('answer_b', 'system-b'), files).config]);
  expect(b.code, b.stderr).toBe(0);
  runB = runIdOf(b);
  const other = await run([
    'eval',
    writeConfig(`${dir}/c`, config('answer_b', 'other'), { 'answers.csv': ANSWERS_CSV + '\nq8,e8,e8,e8\n' }).config,
  ]);
  expect(other.code, other.stderr).toBe(0);
  otherData = runIdOf(other);
  const pairFiles = {
    'pairs.csv': PAIRS_CSV,
    'prompt-judge.yaml': PROMPT_JUDGE,
    'rubric-judge.yaml': RUBRIC_JUDGE,
    'single.yaml': SINGLE_JUDGE,
  };
  const pa = await run(['eval', writeConfig(`${dir}/pa`, pairsConfig('out_a'), pairFiles).config]);
  expect(pa.code, pa.stderr).toBe(0);
  pairsA = runIdOf(pa);
  const pb = await run(['eval', writeConfig(`${dir}/pb`, pairsConfig('out_b'), pairFiles).config]);
  expect(pb.code, pb.stderr).toBe(0);
  pairsB = runIdOf(pb);
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

describe('juror runs compare', () => {
  it('compares 1/0 metrics with McNemar: B right on 6 more rows is better (exact p = 2/64)', async () => {
    const result = await run(['runs', 'compare', runA, runB, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { metrics: MetricComparison[]; a: { id: string }; b: { id: string } };
    expect(report.a.id).toBe(runA);
    expect(report.b.id).toBe(runB);
    const exact = report.metrics.find((m) => m.metric === 'exact_match/v1')!;
    // A: 2 of 8 right, B: 8 of 8. Discordant pairs: 0 with only A right, 6 with only B right;
    // exact McNemar p = 2·P(X ≤ 0), X ~ Bin(6, ½) = 2/64 = 0.03125.
    expect(exact).toMatchObject({ n: 8, mean_a: 0.25, mean_b: 1, difference: 0.75, test: 'mcnemar', method: 'exact', statistic: 0 });
    expect(exact.p).toBeCloseTo(0.03125, 12);
    expect(exact.verdict).toBe('B is better');
    // Differences are six 1s and two 0s: every resampled mean is within [0, 1].
    expect(exact.interval[0]).toBeGreaterThanOrEqual(0);
    expect(exact.interval[0]).toBeLessThan(0.75);
    expect(exact.interval[1]).toBeLessThanOrEqual(1);
  });

  it('compares scales with Wilcoxon: one row better of eight is not distinguishable', async () => {
    const result = await run(['runs', 'compare', runA, runB, '--json']);
    const report = JSON.parse(result.stdout) as { metrics: MetricComparison[] };
    const correctness = report.metrics.find((m) => m.metric === 'correctness/v1')!;
    // A scores 3 on every row; B 3 on seven and 4 on row 7. The seven zero differences are dropped;
    // one difference of +1: W+ = 1, E = 0.5, Var = 1·2·3/24 = 0.25, z = (0.5 − 0.5)/0.5 = 0 → p = 1.
    expect(correctness).toMatchObject({ n: 8, mean_a: 3, mean_b: 3.125, difference: 0.125, test: 'wilcoxon', method: 'normal', p: 1 });
    expect(correctness.verdict).toBe('not distinguishable');
  });

  it('prints a table with the verdicts, and swapping the runs turns "better" into "worse"', async () => {
    const result = await run(['runs', 'compare', runB.slice(0, 10), runA.slice(0, 10)]);
    expect(result.code, result.stderr).toBe(0);
    const line = result.stdout.split('\n').find((l) => l.includes('exact_match/v1'))!;
    expect(line).toMatch(/│ 8\s+│ 1\s+│ 0\.25\s+│ -0\.75 \[-?[\d.]+, -?[\d.]+\]\s+│ mcnemar \(exact\)\s+│ 0\.0313\s+│ B is worse/);
    expect(result.stdout).toContain('correctness/v1');
    expect(result.stdout).toMatch(/not distinguishable/);
  });

  it('the same seed gives the same intervals', async () => {
    const first = await run(['runs', 'compare', runA, runB, '--json', '--seed', '5']);
    const again = await run(['runs', 'compare', runA, runB, '--json', '--seed', '5']);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
  });

  it('refuses runs on different datasets, naming both', async () => {
    const result = await run(['runs', 'compare', runA, otherData]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`runs ${runA} and ${otherData} are on different datasets`);
    expect(result.stderr).toContain('fix: compare two runs of the same dataset');
  });

  it('names an unknown run', async () => {
    const result = await run(['runs', 'compare', runA, 'abcdef']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no run 'abcdef'");
  });
});

describe('juror compare --judge (pairwise)', () => {
  const compare = (judge: string, ...more: string[]) =>
    run(['compare', pairsA, pairsB, '--judge', `${dir}/pa/${judge}`, '--judge-model', 'openai:/gpt-test', ...more]);

  it('a fair judge: B wins 2 of 5, loses 2, ties 1; consistent on every pair; first position 4 of 8', async () => {
    server.setHandler(pairwiseByMarker());
    const result = await compare('prompt-judge.yaml', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PairwiseReport;
    expect(report.summary).toMatchObject({ pairs: 5, judged: 5, errors: 0, decisive: 8 });
    expect(report.summary.wins.value).toBe(0.4);
    expect(report.summary.losses.value).toBe(0.4);
    expect(report.summary.ties.value).toBe(0.2);
    expect(report.summary.consistency.value).toBe(1);
    // Rows 0, 1, 2, 4 are decided: in each, one order shows the better answer first (A) and one second (B).
    expect(report.summary.first_position.value).toBe(0.5);
    expect(report.pairs.map((p) => p.winner)).toEqual(['a', 'a', 'b', 'tie', 'b']);
    expect(report.skipped).toBe(0);
    // Both orders of 5 rows: 10 judge calls, each showing the row's question.
    expect(server.requests.filter((r) => r.lastUser.includes('Which answer is better?')).length).toBeGreaterThanOrEqual(10);
  });

  it('a judge that always answers A: every verdict flips with the order — all ties, consistency 0, first position 100%', async () => {
    server.setHandler(alwaysFirst);
    const result = await compare('rubric-judge.yaml');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/│ B wins\s+│ 0%/);
    expect(result.stdout).toMatch(/│ tie\s+│ 100% \[100%, 100%\]/);
    expect(result.stdout).toMatch(/│ consistent under swap\s+│ 0% \[0%, 0%\]/);
    expect(result.stdout).toMatch(/│ first position preferred\s+│ 100% \[100%, 100%\]/);
    expect(result.stdout).toContain('5 pairs judged in both orders, 0 with a judge error');
  });

  it("keeps the judge's calls as a run of experiment pairwise, one row per order", async () => {
    server.setHandler(pairwiseByMarker());
    const report = JSON.parse((await compare('prompt-judge.yaml', '--json', '--no-cache')).stdout) as PairwiseReport;
    const shown = await run(['runs', 'show', report.judging_run, '--json', '--rows', '20']);
    const stored = JSON.parse(shown.stdout) as { experiment: string; row_count: number; rows: Array<{ record: Record<string, string> }> };
    expect(stored.experiment).toBe('pairwise');
    expect(stored.row_count).toBe(10);
    expect(stored.rows.slice(0, 2).map((r) => [r.record.response_a, r.record.response_b, r.record.shown_first])).toEqual([
      ['[GOOD] Paris', 'Lyon', 'a'],
      ['Lyon', '[GOOD] Paris', 'b'],
    ]);
  });

  it('refuses a judge of one response, saying how to write a pairwise one', async () => {
    const result = await compare('single.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("judge 'polite' is not a pairwise judge");
    expect(result.stderr).toContain('{response_a} and {response_b}');
  });

  it('refuses runs on different datasets', async () => {
    const result = await run(['compare', pairsA, runA, '--judge', `${dir}/pa/prompt-judge.yaml`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('are on different datasets');
  });
});
