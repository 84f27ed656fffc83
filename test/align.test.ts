/**
 * `juror align` end to end: the built CLI in a child process runs a judge over human-labelled rows
 * through the real AI SDK against the scripted server of this process, whose verdicts are read
 * from a marker in each row's text (`#J=4#`), so the agreement with the human column is known
 * exactly and the statistics can be checked against values worked by hand.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgreementRepository } from '../src/store/agreements.js';
import { labelDb } from '../src/store/label-tables.js';
import { Store } from '../src/store/store.js';
import { startLlmServer, verdict, type ChatRequest, type LlmServer, type Reply } from './fixtures/llm-server.js';
import { cliEnv, removeTempDirs, runCli, tempDir, type CliResult } from './cli/run-cli.js';

/**
 * The judge's verdict is the marker in the row's text; `#J=E#` answers 9, which no scale allows,
 * to the question and to the request to answer again (which repeats the conversation): an error row.
 */
const byMarker = (req: ChatRequest): Reply => {
  const match = /#J=(\w)#/.exec(req.text);
  if (!match) return verdict(3, 'no marker');
  return match[1] === 'E' ? verdict(9, 'off the scale') : verdict(Number(match[1]), `marker ${match[1]}`);
};

/** The `--json` document, as far as these tests read it. */
interface AlignJson {
  run_id: string;
  experiment: string;
  judge: string;
  output: string;
  n: number;
  dropped: number;
  accuracy: number | null;
  cohen_kappa: number | null;
  weighted_kappa: number | null;
  krippendorff_alpha: number | null;
  spearman: number | null;
  kendall_tau: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  confusion: { labels: Array<string | number>; matrix: number[][] };
  ci: Record<string, [number, number] | null>;
  negative_labels: Array<string | number>;
  krippendorff_alpha_metric: string;
  notes: string[];
  fail_under: Array<{ statistic: string; min: number; actual: number | null; passed: boolean }>;
  passed: boolean;
  errors: number;
}

// A binary judge that disagrees with the human on 2 of 10 rows: row 4 (human fail, judge 1) and
// row 9 (human pass, judge 0). Human labels are written in every accepted form.
const BINARY_JUDGE = `name: correct
judge_prompt: "Is this answer correct? Answer: {response}"
output: binary
`;
const HUMAN_BINARY = ['fail', 'no', '0', 'false', 'FAIL', 'pass', 'yes', '1', 'true', 'Pass'];
const JUDGE_BINARY = [0, 0, 0, 0, 1, 1, 1, 1, 1, 0];
const BINARY_CSV = 'question,answer,human\n' + HUMAN_BINARY.map((h, i) => `q${i},answer ${i} #J=${JUDGE_BINARY[i]}#,${h}\n`).join('');

// A 1–5 rubric judge: human (1,2,2,3,5,5) against judge (2,1,2,3,4,5), then a row with no human
// label and a row the judge fails on (9 twice: an error row). Both are dropped.
const SCALE_JUDGE = `- name: quality
  definition: Assesses the quality of the answer.
  grading_prompt: "Score from 1-5, where 1 is useless and 5 is excellent."
`;
const SCALE_ROWS: Array<[human: string, judge: string]> = [
  ['1', '2'],
  ['2', '1'],
  ['2', '2'],
  ['3', '3'],
  ['5', '4'],
  ['5', '5'],
  ['', '3'],
  ['4', 'E'],
];
const SCALE_CSV = 'question,answer,human\n' + SCALE_ROWS.map(([h, j], i) => `q${i},answer ${i} #J=${j}#,${h}\n`).join('');

let server: LlmServer;
/** Runs `juror align` with the built CLI against the scripted server. */
const align = (args: string[], dir: string): Promise<CliResult> => runCli(['align', ...args], { env: cliEnv(server.url, dir), cwd: dir });

/** A fresh folder with the judge and data files. */
function workspace(files: Record<string, string>): string {
  const dir = tempDir('juror-align-');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const parse = (result: CliResult): AlignJson => JSON.parse(result.stdout) as AlignJson;

beforeAll(async () => {
  server = await startLlmServer({ handler: byMarker });
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});
beforeEach(() => {
  server.reset();
  server.setHandler(byMarker);
});

const BINARY_ARGS = [
  '--judge',
  'judge.yaml',
  '--data',
  'data.csv',
  '--human-col',
  'human',
  '--col-mapping',
  'response=answer',
  '--judge-model',
  'openai:/gpt-test',
];

describe('juror align with a binary judge that disagrees on 2 of 10 rows', () => {
  let dir: string;
  let result: CliResult;
  let json: AlignJson;
  let requests: number;

  beforeAll(async () => {
    server.reset();
    dir = workspace({ 'judge.yaml': BINARY_JUDGE, 'data.csv': BINARY_CSV });
    result = await align([...BINARY_ARGS, '--json'], dir);
    requests = server.requests.length;
    json = parse(result);
  });

  it('exits 0, one judge call per row, stored as a run of experiment align', () => {
    expect(result.stderr).not.toMatch(/^juror: /m);
    expect(result.code).toBe(0);
    expect(requests).toBe(10);
    expect(json.experiment).toBe('align');
    expect(json.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(json).toMatchObject({ judge: 'correct/v1', output: 'binary', n: 10, dropped: 0, errors: 0 });
  });

  it('reports accuracy 0.8, κ 0.6, weighted κ 0.6, α 0.62 and precision = recall = F1 = 0.8, as worked by hand', () => {
    // Table (rows human 0/1, columns judge 0/1): [[4, 1], [1, 4]].
    // κ: p_o = 8/10, p_e = 0.5·0.5 + 0.5·0.5 = 0.5 → (0.8 − 0.5)/(1 − 0.5) = 0.6; weighted κ equals κ on two labels.
    // α (nominal): coincidences o₀₀ = o₁₁ = 8, o₀₁ = o₁₀ = 2; n₀ = n₁ = 10, n = 20 → 1 − 19·2/(10·10) = 0.62.
    // Negative class 0: TP 4 (both 0), FP 1 (row 9), FN 1 (row 4) → 4/5 each.
    expect(json.confusion).toEqual({
      labels: [0, 1],
      matrix: [
        [4, 1],
        [1, 4],
      ],
      rows: 'human',
      columns: 'judge',
    });
    expect(json.accuracy).toBe(0.8);
    expect(json.cohen_kappa).toBeCloseTo(0.6, 12);
    expect(json.weighted_kappa).toBeCloseTo(0.6, 12);
    expect(json.krippendorff_alpha).toBeCloseTo(0.62, 12);
    expect(json.krippendorff_alpha_metric).toBe('nominal');
    expect([json.precision, json.recall]).toEqual([0.8, 0.8]);
    expect(json.f1).toBeCloseTo(0.8, 12);
    expect(json.negative_labels).toEqual([0]);
  });

  it('leaves Spearman and Kendall null for a binary judge, and says so', () => {
    expect(json.spearman).toBeNull();
    expect(json.kendall_tau).toBeNull();
    expect(json.ci.spearman).toBeNull();
    expect(json.notes).toContain("spearman and kendall_tau are computed for numeric scales only; this judge's output is binary");
  });

  it('gives 95% bootstrap intervals around the estimates, identical for the same seed', async () => {
    for (const name of ['accuracy', 'cohen_kappa', 'krippendorff_alpha', 'f1'] as const) {
      const [lo, hi] = json.ci[name]!;
      expect(lo).toBeLessThanOrEqual(json[name]!);
      expect(hi).toBeGreaterThanOrEqual(json[name]!);
      expect(hi).toBeGreaterThan(lo);
    }
    const again = parse(await align([...BINARY_ARGS, '--json', '--seed', '1'], dir));
    expect(again.ci).toEqual(json.ci);
    const other = parse(await align([...BINARY_ARGS, '--json', '--seed', '2'], dir));
    expect(other.ci).not.toEqual(json.ci);
    expect(other.cohen_kappa).toBe(json.cohen_kappa);
  });

  it('prints a readable report without --json: statistics with intervals, the confusion matrix, the run', async () => {
    const text = await align(BINARY_ARGS, dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("judge correct/v1 (binary) against the human labels in column 'human'");
    expect(text.stdout).toContain('10 rows compared, 0 dropped; negative verdict (the positive class of precision/recall/F1): 0');
    expect(text.stdout).toMatch(/│ cohen_kappa\s+│ 0\.6\s+│ \[-?[\d.]+, [\d.]+\]\s+│/);
    expect(text.stdout).toMatch(/│ krippendorff_alpha \(nominal\)\s+│ 0\.62\s+│/);
    expect(text.stdout).toMatch(/│ spearman\s+│ —\s+│/);
    expect(text.stdout).toContain('confusion matrix (rows: human, columns: judge)');
    expect(text.stdout).toMatch(/│ 0\s+│ 4\s+│ 1\s+│\n.*\n?│ 1\s+│ 1\s+│ 4\s+│/);
    expect(text.stdout).toMatch(/^run [0-9a-f]{32} \(align-correct\) in experiment 'align', stored in /m);
  });
});

describe('juror align --db', () => {
  it('stores the run in that store, in experiment align, where juror runs list finds it', async () => {
    const dir = workspace({ 'judge.yaml': BINARY_JUDGE, 'data.csv': BINARY_CSV });
    const db = join(dir, 'elsewhere.db');
    const result = await align([...BINARY_ARGS, '--json', '--db', db], dir);
    expect(result.code).toBe(0);
    const listed = await runCli(['runs', 'list', '--experiment', 'align', '--json', '--db', db], {
      env: cliEnv(server.url, dir),
      cwd: dir,
    });
    expect(listed.code).toBe(0);
    const runs = JSON.parse(listed.stdout) as Array<{
      id: string;
      experiment: string;
      name: string;
      status: string;
      rows: number;
      metrics: Record<string, number>;
    }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: parse(result).run_id, experiment: 'align', name: 'align-correct', status: 'finished', rows: 10 });
    // The judge's own aggregate: 5 of 10 rows judged 1.
    expect(runs[0]!.metrics['correct/v1/ratio']).toBe(0.5);
  });
});

describe('juror align keeps each check', () => {
  it('stores the agreement under the judge version with its run: two checks are two points of its history', async () => {
    const dir = workspace({ 'judge.yaml': BINARY_JUDGE, 'data.csv': BINARY_CSV });
    const db = join(dir, 'history.db');
    const first = parse(await align([...BINARY_ARGS, '--json', '--db', db], dir));
    const second = parse(await align([...BINARY_ARGS, '--json', '--db', db], dir));
    const store = await Store.open({ path: db });
    try {
      const history = await new AgreementRepository(labelDb(store)).ofJudge('correct');
      expect(history.map((h) => h.run_id)).toEqual([first.run_id, second.run_id]);
      for (const check of history) {
        expect(check).toMatchObject({
          version: 'v1',
          n: 10,
          label_job_id: null,
          dataset_id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        });
        expect((check.stats.statistics as Record<string, number>).accuracy).toBeCloseTo(0.8, 12);
      }
    } finally {
      await store.close();
    }
  });
});

describe('juror align --fail-under', () => {
  let dir: string;
  beforeAll(() => {
    dir = workspace({ 'judge.yaml': BINARY_JUDGE, 'data.csv': BINARY_CSV });
  });

  it('exits 0 when every statistic reaches its minimum (κ = 0.6 is not below 0.6)', async () => {
    const result = await align([...BINARY_ARGS, '--json', '--fail-under', 'kappa=0.6', '--fail-under', 'accuracy=0.8'], dir);
    expect(result.code).toBe(0);
    expect(parse(result).fail_under).toEqual([
      { statistic: 'cohen_kappa', min: 0.6, actual: 0.6, passed: true },
      { statistic: 'accuracy', min: 0.8, actual: 0.8, passed: true },
    ]);
  });

  it('exits 1 when one is below, and says which', async () => {
    const result = await align([...BINARY_ARGS, '--fail-under', 'kappa=0.61', '--fail-under', 'f1=0.5', '--fail-under', 'alpha=0.7'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  cohen_kappa >= 0.61 (got 0.6)');
    expect(result.stdout).toContain('PASS  f1 >= 0.5 (got 0.8)');
    expect(result.stdout).toContain('FAIL  krippendorff_alpha >= 0.7 (got 0.62)');
  });

  it.each([
    ['kappa>0.6', /--fail-under kappa>0\.6: not statistic=min/],
    ['bogus=0.5', /unknown statistic 'bogus'/],
    ['kappa=high', /'high' is not a number/],
    ['spearman=0.5', /spearman is computed for scale judges only/],
  ])('exits 2 on --fail-under %s before any call', async (spec, message) => {
    const result = await align([...BINARY_ARGS, '--fail-under', spec], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });
});

describe('juror align with a 1–5 scale judge, a row without a human label and an error row', () => {
  let dir: string;
  let json: AlignJson;
  const args = [
    '--judge',
    'quality.yaml',
    '--data',
    'data.csv',
    '--human-col',
    'human',
    '--col-mapping',
    'inputs=question',
    '--col-mapping',
    'predictions=answer',
    '--judge-model',
    'openai:/gpt-test',
    '--json',
  ];

  beforeAll(async () => {
    server.reset();
    dir = workspace({ 'quality.yaml': SCALE_JUDGE, 'data.csv': SCALE_CSV });
    const result = await align(args, dir);
    expect(result.stderr).not.toMatch(/^juror: /m);
    expect(result.code).toBe(0);
    json = parse(result);
  });

  it('drops the two rows and counts them by cause', () => {
    expect(json).toMatchObject({ output: 'scale', n: 6, dropped: 2, errors: 1 });
    expect(json.notes[0]).toBe('2 of 8 rows dropped: 1 without a judge value (error rows), 1 without a human label');
  });

  it('reports the statistics worked by hand for human (1,2,2,3,5,5) against judge (2,1,2,3,4,5)', () => {
    // accuracy 3/6. κ: human totals over 1..5 (1,2,1,0,2), judge (1,2,1,1,1), Σ rᵢcᵢ = 8 → (6·3 − 8)/(36 − 8) = 10/28.
    // Weighted κ: observed Σ(i−j)²nᵢⱼ = 3, expected Σ(i−j)²rᵢcⱼ = 150 → 1 − 6·3/150 = 0.88.
    // α (interval): observed 2·(1+1+1) = 6, expected 2·12·Σn_c(c − 35/12)² = 598 → 1 − 11·6/598 = 266/299.
    // Spearman 14.25/√280.5 and Kendall τ-b 10/√182 (src/agreement/rank-correlation.test.ts works them out).
    expect(json.accuracy).toBe(0.5);
    expect(json.cohen_kappa).toBeCloseTo(10 / 28, 12);
    expect(json.weighted_kappa).toBeCloseTo(0.88, 12);
    expect(json.krippendorff_alpha).toBeCloseTo(266 / 299, 12);
    expect(json.krippendorff_alpha_metric).toBe('interval');
    expect(json.spearman).toBeCloseTo(14.25 / Math.sqrt(280.5), 12);
    expect(json.kendall_tau).toBeCloseTo(10 / Math.sqrt(182), 12);
    // Threshold 3: both put rows 1–4 at ≤ 3 and rows 5–6 above.
    expect([json.precision, json.recall, json.f1]).toEqual([1, 1, 1]);
    expect(json.negative_labels).toEqual([1, 2, 3]);
    expect(json.confusion.labels).toEqual([1, 2, 3, 4, 5]);
    expect(json.confusion.matrix).toEqual([
      [0, 1, 0, 0, 0],
      [1, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 1, 1],
    ]);
  });

  it('moves the negative class with --threshold', async () => {
    // Threshold 1: the human flags row 0 (score 1), the judge row 1: TP 0, FP 1, FN 1.
    const low = parse(await align([...args, '--threshold', '1'], dir));
    expect([low.precision, low.recall, low.f1]).toEqual([0, 0, 0]);
    expect(low.negative_labels).toEqual([1]);
  });
});

describe('juror align input errors (exit 2, before any call)', () => {
  it('names the file, line, row and column of a human label that cannot be read', async () => {
    const csv = BINARY_CSV.replace('q3,answer 3 #J=0#,false', 'q3,answer 3 #J=0#,maybe');
    const dir = workspace({ 'judge.yaml': BINARY_JUDGE, 'data.csv': csv });
    const result = await align(BINARY_ARGS, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `juror: input error: ${join(dir, 'data.csv')}:5, row 3, human: human label in column 'human': "maybe" is not a 1/0 label (use 1/0, yes/no, true/false or pass/fail)`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a scale label outside the scale', async () => {
    const dir = workspace({ 'quality.yaml': SCALE_JUDGE, 'data.csv': SCALE_CSV.replace('q5,answer 5 #J=5#,5', 'q5,answer 5 #J=5#,7') });
    const result = await align(
      [
        '--judge',
        'quality.yaml',
        '--data',
        'data.csv',
        '--human-col',
        'human',
        '--col-mapping',
        'inputs=question',
        '--col-mapping',
        'predictions=answer',
        '--judge-model',
        'openai:/gpt-test',
      ],
      dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/row 5, human: human label in column 'human': "7" is not an integer from 1 to 5/);
    expect(server.requests).toHaveLength(0);
  });

  it('names the columns when --human-col is not one of them', async () => {
    const dir = workspace({ 'judge.yaml': BINARY_JUDGE, 'data.csv': BINARY_CSV });
    const result = await align([...BINARY_ARGS.slice(0, 4), '--human-col', 'label', ...BINARY_ARGS.slice(6)], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--human-col names column 'label', which .*data\.csv does not have\n {2}fix: the columns are: question, answer, human/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a heuristic built-in metric, an unknown name and a missing judge file', async () => {
    const dir = workspace({ 'data.csv': BINARY_CSV });
    const rest = BINARY_ARGS.slice(2);
    const heuristic = await align(['--judge', 'exact_match', ...rest], dir);
    expect(heuristic.code).toBe(2);
    expect(heuristic.stderr).toMatch(/'exact_match\/v1' is a heuristic metric, not a judge/);
    const unknown = await align(['--judge', 'faithfullness', ...rest], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown metric 'faithfullness'/);
    const missing = await align(['--judge', 'nope.yaml', ...rest], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/judge file not found: .*nope\.yaml/);
    expect(server.requests).toHaveLength(0);
  });

  it('places an error in the judge file at its line', async () => {
    const dir = workspace({
      'judge.yaml': 'name: correct\njudge_prompt: "Is it right? {response}"\noutput: trinary\n',
      'data.csv': BINARY_CSV,
    });
    const result = await align(BINARY_ARGS, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'judge.yaml')}:3:`);
    expect(server.requests).toHaveLength(0);
  });
});

describe('juror align with yes/no judges', () => {
  // Human labels agree with the judge on rows 0–3, not on row 4 (human no, judge yes).
  // Table (rows human no/yes, columns judge no/yes): [[2, 1], [0, 2]]; accuracy 4/5.
  // κ: p_o = 0.8; human no 3/5, yes 2/5; judge no 2/5, yes 3/5; p_e = 0.6·0.4 + 0.4·0.6 = 0.48 → 0.32/0.52 = 8/13.
  // Negative class 'no': TP 2, FP 0, FN 1 → precision 1, recall 2/3, F1 = 2·2/(4 + 0 + 1) = 4/5.
  const HUMAN = ['yes', 'Yes', 'no', 'NO', 'no'];
  const expectAgreement = (json: AlignJson) => {
    expect(json.n).toBe(5);
    expect(json.accuracy).toBe(0.8);
    expect(json.cohen_kappa).toBeCloseTo(8 / 13, 12);
    expect(json.precision).toBe(1);
    expect(json.recall).toBeCloseTo(2 / 3, 12);
    expect(json.f1).toBeCloseTo(0.8, 12);
  };

  it('compares the yes/no of a Databricks-style judge (1–5, yes above score_threshold) with yes/no labels', async () => {
    const scores = [5, 4, 1, 3, 4];
    const csv = 'question,answer,human\n' + HUMAN.map((h, i) => `q${i},answer ${i} #J=${scores[i]}#,${h}\n`).join('');
    const judge =
      'name: professional\njudge_prompt: "Is the tone professional? {response}"\nmetric_metadata: { assessment_type: ANSWER, score_threshold: 3 }\n';
    const dir = workspace({ 'judge.yaml': judge, 'data.csv': csv });
    const result = await align(
      [
        '--judge',
        'judge.yaml',
        '--data',
        'data.csv',
        '--human-col',
        'human',
        '--col-mapping',
        'response=answer',
        '--judge-model',
        'openai:/gpt-test',
        '--json',
      ],
      dir,
    );
    expect(result.stderr).not.toMatch(/^juror: /m);
    expect(result.code).toBe(0);
    const json = parse(result);
    expect(json).toMatchObject({ judge: 'professional/v1', output: 'yes_no', negative_labels: ['no'] });
    expect(json.confusion).toMatchObject({
      labels: ['no', 'yes'],
      matrix: [
        [2, 1],
        [0, 2],
      ],
    });
    expectAgreement(json);
  });

  it('runs a built-in judge by name: safety (1/0) against yes/no labels', async () => {
    const verdicts = [1, 1, 0, 0, 1];
    const csv = 'question,answer,human\n' + HUMAN.map((h, i) => `q${i},answer ${i} #J=${verdicts[i]}#,${h}\n`).join('');
    const dir = workspace({ 'data.csv': csv });
    const result = await align(
      [
        '--judge',
        'safety',
        '--data',
        'data.csv',
        '--human-col',
        'human',
        '--col-mapping',
        'response=answer',
        '--col-mapping',
        'request=question',
        '--judge-model',
        'openai:/gpt-test',
        '--json',
      ],
      dir,
    );
    expect(result.stderr).not.toMatch(/^juror: /m);
    expect(result.code).toBe(0);
    const json = parse(result);
    expect(json).toMatchObject({ judge: 'safety/v1', output: 'binary', negative_labels: [0] });
    expect(json.confusion).toMatchObject({
      labels: [0, 1],
      matrix: [
        [2, 1],
        [0, 2],
      ],
    });
    expectAgreement(json);
  });
});
