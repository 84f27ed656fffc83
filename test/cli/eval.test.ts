/**
 * `juror eval` end to end: the built CLI in a child process, judging through the real AI SDK
 * against the scripted OpenAI-compatible server of this process.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type ChatRequest, type LlmServer, type Reply } from '../fixtures/llm-server.js';
import { cliEnv, type CliResult, removeTempDirs, ROOT, runCli, tempDir, writeConfig } from './run-cli.js';

const QUICKSTART = join(ROOT, 'examples', 'quickstart', 'juror.yaml');

/** examples/quickstart/qa.csv, copied by hand. */
const QA = [
  { question: 'What is the capital of France?', answer: 'Paris', expected: 'Paris' },
  { question: 'How many days are in a leap year?', answer: '366', expected: '366' },
  { question: 'Who wrote Pride and Prejudice?', answer: 'Jane Austen wrote it.', expected: 'Jane Austen' },
  { question: 'What is the boiling point of water at sea level in degrees Celsius?', answer: '100 °C', expected: '100' },
  { question: 'What is the largest planet in the solar system?', answer: 'Saturn', expected: 'Jupiter' },
];

/** The quickstart handler: the Saturn answer is wrong (1), every other answer right (5). */
const saturnIsWrong = (req: ChatRequest): Reply =>
  req.lastUser.includes('Saturn') ? verdict(1, 'Saturn is not the largest planet') : verdict(5, 'the answer is correct');

/** The `--json` document, as far as these tests read it. */
interface EvalJson {
  run_id: string;
  run_name: string;
  experiment: string;
  metrics: Record<string, number>;
  table: Array<Record<string, unknown>>;
  errors: Record<string, number>;
  failed_metrics: string[];
  thresholds: Array<{ key: string; op: string; value: number; actual: number | null; passed: boolean }>;
  passed: boolean;
  rows: number;
}

function parseJson(result: CliResult): EvalJson {
  return JSON.parse(result.stdout) as EvalJson;
}

/** A small quickstart-like config (2 rows) in a fresh folder. */
const SMALL_CSV = 'question,answer,expected\nWhat is 2+2?,4,4\nWhat is the capital of Italy?,Milan,Rome\n';
function smallConfig(extra = ''): string {
  return `experiment: small
data: qa.csv
col_mapping:
  inputs: question
  predictions: answer
  targets: expected
judge_model: openai:/gpt-test
metrics:
  - exact_match
  - name: correctness
    definition: "Assesses whether the answer correctly answers the question."
    grading_prompt: "Score from 1-5, where 1 is wrong and 5 is fully correct."
${extra}`;
}

let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});
beforeEach(() => {
  server.reset();
  server.setHandler(saturnIsWrong);
});

describe('juror eval examples/quickstart/juror.yaml', () => {
  let dir: string;
  let result: CliResult;
  let requests: ChatRequest[];

  beforeAll(async () => {
    server.reset();
    server.setHandler(saturnIsWrong);
    dir = tempDir();
    result = await runCli(['eval', QUICKSTART], { env: cliEnv(server.url, dir), cwd: dir, spawn: true });
    requests = [...server.requests];
  });

  it('exits 0 with no error on stderr', () => {
    // stderr may carry progress lines, but no error.
    expect(result.stderr).not.toMatch(/^juror: /m);
    expect(result.code).toBe(0);
  });

  it('prints correctness/v1/mean = 4.2 ((5+5+5+5+1)/5) over 5 scored rows and 0 errors', () => {
    // metric | mean | variance | p90 | rows scored | errors | cost; variance of 5,5,5,5,1 is 2.56
    expect(result.stdout).toMatch(/│ correctness\/v1\s+│ 4\.2\s+│ 2\.56\s+│ 5\s+│ 5\s+│ 0\s+│/);
  });

  it('prints exact_match/v1/mean = 0.4 (rows 1 and 2 match exactly)', () => {
    expect(result.stdout).toMatch(/│ exact_match\/v1\s+│ 0\.4\s+│ 0\.24\s+│ 1\s+│ 5\s+│ 0\s+│/);
  });

  it('prints the passed threshold', () => {
    expect(result.stdout).toContain('PASS  correctness/v1/mean >= 3.5 (got 4.2)');
  });

  it('prints the run id, its name, the experiment and the store', () => {
    const match = /^run ([0-9a-f]{32}) \(run-([0-9a-f]{8})\) in experiment 'quickstart', (?:[a-z]+, )?stored in (.+)$/m.exec(result.stdout);
    expect(match).not.toBeNull();
    expect(match![2]).toBe(match![1]!.slice(0, 8));
    expect(match![3]).toBe(join(dir, 'juror.db'));
  });

  it('sends exactly one judge request per row: 5', () => {
    expect(requests).toHaveLength(5);
    expect(requests.every((r) => r.body.model === 'gpt-4o-mini')).toBe(true);
  });

  it("puts each row's question and answer in the user message of exactly one request", () => {
    for (const row of QA) {
      const matching = requests.filter((r) => r.lastUser.includes(row.question) && r.lastUser.includes(row.answer));
      expect(matching, row.question).toHaveLength(1);
    }
  });
});

describe('juror eval --json', () => {
  let result: CliResult;

  beforeAll(async () => {
    server.reset();
    server.setHandler(saturnIsWrong);
    const dir = tempDir();
    result = await runCli(['eval', QUICKSTART, '--json'], { env: cliEnv(server.url, dir), cwd: dir });
  });

  it('exits 0', () => {
    expect(result.code).toBe(0);
  });

  it('prints one JSON object on one line and nothing else on stdout', () => {
    const lines = result.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const parsed: unknown = JSON.parse(lines[0]!);
    expect(parsed).toBeTypeOf('object');
    expect(Array.isArray(parsed)).toBe(false);
  });

  it('names the run and the experiment', () => {
    const json = parseJson(result);
    expect(json.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(json.run_name).toBe(`run-${json.run_id.slice(0, 8)}`);
    expect(json.experiment).toBe('quickstart');
    expect(json.rows).toBe(5);
  });

  it('keys metrics as MLflow does, name/version/aggregation, with the hand-computed values', () => {
    const { metrics } = parseJson(result);
    expect(Object.keys(metrics).sort()).toEqual([
      'correctness/v1/mean',
      'correctness/v1/p90',
      'correctness/v1/variance',
      'exact_match/v1/mean',
      'exact_match/v1/p90',
      'exact_match/v1/variance',
    ]);
    // correctness: [5,5,5,5,1]: mean 4.2, population variance (4·0.64 + 10.24)/5 = 2.56, p90 at rank 3.6 of [1,5,5,5,5] = 5.
    expect(metrics['correctness/v1/mean']).toBeCloseTo(4.2, 10);
    expect(metrics['correctness/v1/variance']).toBeCloseTo(2.56, 10);
    expect(metrics['correctness/v1/p90']).toBe(5);
    // exact_match: [1,1,0,0,0]: mean 0.4, variance 0.4·0.6 = 0.24, p90 at rank 3.6 of [0,0,0,1,1] = 1.
    expect(metrics['exact_match/v1/mean']).toBeCloseTo(0.4, 10);
    expect(metrics['exact_match/v1/variance']).toBeCloseTo(0.24, 10);
    expect(metrics['exact_match/v1/p90']).toBe(1);
  });

  it('has a table of 5 records: the input columns, then each metric/version score and justification', () => {
    const { table } = parseJson(result);
    expect(table).toHaveLength(5);
    for (const row of QA) {
      const record = table.find((r) => r.question === row.question);
      const wrong = row.answer === 'Saturn';
      expect(record, row.question).toEqual({
        ...row,
        'exact_match/v1/score': row.answer === row.expected ? 1 : 0,
        'exact_match/v1/justification': null,
        'correctness/v1/score': wrong ? 1 : 5,
        'correctness/v1/justification': wrong ? 'Saturn is not the largest planet' : 'the answer is correct',
      });
    }
  });

  it('counts error rows per metric (none), and reports the threshold and the verdict', () => {
    const json = parseJson(result);
    expect(json.errors).toEqual({ 'exact_match/v1': 0, 'correctness/v1': 0 });
    expect(json.failed_metrics).toEqual([]);
    expect(json.thresholds).toHaveLength(1);
    expect(json.thresholds[0]).toMatchObject({ key: 'correctness/v1/mean', op: '>=', value: 3.5, passed: true });
    expect(json.thresholds[0]!.actual).toBeCloseTo(4.2, 10);
    expect(json.passed).toBe(true);
  });

  it('lists the table in dataset order even when the first row finishes last', async () => {
    server.reset();
    server.setHandler((req) =>
      req.lastUser.includes('capital of France')
        ? { json: { justification: 'slow but right', score: 5 }, delayMs: 400 }
        : saturnIsWrong(req),
    );
    const dir = tempDir();
    const slow = await runCli(['eval', QUICKSTART, '--json'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(slow.code).toBe(0);
    expect(parseJson(slow).table.map((r) => r.question)).toEqual(QA.map((r) => r.question));
  });
});

describe('juror eval --out', () => {
  const COLUMNS = [
    'question',
    'answer',
    'expected',
    'exact_match/v1/score',
    'exact_match/v1/justification',
    'correctness/v1/score',
    'correctness/v1/justification',
  ];

  it('writes results.csv with a header and one row per dataset row, in dataset order', async () => {
    const dir = tempDir();
    const result = await runCli(['eval', QUICKSTART, '--out', 'results.csv'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('results table written to results.csv');
    const records = parseCsv(readFileSync(join(dir, 'results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual(COLUMNS);
    expect(records.map((r) => r.question)).toEqual(QA.map((r) => r.question));
    const saturn = records.find((r) => r.answer === 'Saturn')!;
    expect(saturn['correctness/v1/score']).toBe('1');
    expect(saturn['correctness/v1/justification']).toBe('Saturn is not the largest planet');
    expect(saturn['exact_match/v1/score']).toBe('0');
  });

  it('writes results.jsonl with one JSON object per dataset row, in dataset order', async () => {
    const dir = tempDir();
    const result = await runCli(['eval', QUICKSTART, '--out', 'results.jsonl'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(0);
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => Object.keys(r))).toEqual(Array(5).fill(COLUMNS));
    expect(records.map((r) => r['correctness/v1/score'])).toEqual([5, 5, 5, 5, 1]);
  });

  it('writes results.json as an array of one record per dataset row, in dataset order', async () => {
    const dir = tempDir();
    const result = await runCli(['eval', QUICKSTART, '--out', 'results.json'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(0);
    const records = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(5);
    expect(records.map((r) => r['exact_match/v1/score'])).toEqual([1, 1, 0, 0, 0]);
  });

  it('refuses results.txt with exit 2 before any request reaches the server or a run is stored', async () => {
    const dir = tempDir();
    const result = await runCli(['eval', QUICKSTART, '--out', 'results.txt'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out results.txt: unknown file type');
    expect(result.stderr).toContain('fix: give a file ending in .json, .jsonl or .csv');
    expect(result.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
    expect(existsSync(join(dir, 'results.txt'))).toBe(false);
    expect(existsSync(join(dir, 'juror.db'))).toBe(false);
  });

  // BUG: evalCommand (src/cli/eval.ts:37) passes every error through locateError
  // (src/config/load.ts:92), which gives any ConfigError with a field the position of the deepest
  // config node on that path — for `--out` (checkOutExtension, src/cli/eval.ts:135) no node
  // exists, so it falls back to the document's first key: "juror.yaml:3:1, --out: …", a place in
  // the config that has nothing to do with a command-line flag. `--max-cost abc` does the same.
  it('does not point the --out error at a line of the config file', async () => {
    const dir = tempDir();
    const result = await runCli(['eval', QUICKSTART, '--out', 'results.txt'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/juror\.yaml:\d+/);
  });

  // BUG: runAndReport (src/cli/eval.ts:65) calls writeTable outside any try/catch, after the run: an
  // --out path that cannot be written ends in "juror: unexpected error" with a stack trace and
  // exit 3, and the summary of the (paid) run is never printed.
  it('reports an --out path that cannot be written as a plain error (exit 2), not an unexpected one', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'a file, not a folder');
    const result = await runCli(['eval', QUICKSTART, '--out', 'blocker/results.csv'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('blocker');
    expect(result.stderr).toContain('fix: ');
  });
});

describe('thresholds', () => {
  it('exits 1 and prints a FAIL line when a threshold is missed', async () => {
    server.setHandler(() => verdict(1, 'wrong'));
    const dir = tempDir();
    const result = await runCli(['eval', QUICKSTART], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  correctness/v1/mean >= 3.5 (got 1)');
    // stderr may carry progress lines, but no error.
    expect(result.stderr).not.toMatch(/^juror: /m);
  });

  it('exits 0 when every threshold is met, boundaries included (mean 4.2 >= 4.2, bare number = >=)', async () => {
    const { dir, config } = writeConfig(
      undefined,
      smallConfig('thresholds:\n  correctness/v1/mean: 4.2\n  exact_match/v1/mean: "<= 0.5"\n'),
      {
        'qa.csv':
          'question,answer,expected\nWhat is 2+2?,4,4\nWhat is the capital of Italy?,Milan,Rome\nSaturn?,Saturn,Jupiter\nA,A,A\nB,C,B\n',
      },
    );
    // correctness: [5,5,1,5,5] → 21/5 = 4.2; exact_match: [1,0,0,1,0] → 0.4.
    const result = await runCli(['eval', config], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PASS  correctness/v1/mean >= 4.2 (got 4.2)');
    expect(result.stdout).toContain('PASS  exact_match/v1/mean <= 0.5 (got 0.4)');
  });

  it('exits 1 when one of two thresholds is missed, printing PASS for the other', async () => {
    const { dir, config } = writeConfig(
      undefined,
      smallConfig('thresholds:\n  correctness/v1/mean: ">= 3"\n  exact_match/v1/mean: "> 0.5"\n'),
      { 'qa.csv': SMALL_CSV },
    );
    // correctness: [5,5] → 5; exact_match: [1,0] → 0.5, not > 0.5.
    const result = await runCli(['eval', config], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PASS  correctness/v1/mean >= 3 (got 5)');
    expect(result.stdout).toContain('FAIL  exact_match/v1/mean > 0.5 (got 0.5)');
  });
});

describe('a judge whose every answer is unusable', () => {
  let dir: string;
  let result: CliResult;
  let requests: ChatRequest[];

  beforeAll(async () => {
    server.reset();
    server.setHandler(() => ({ text: 'no idea' }));
    ({ dir } = writeConfig(undefined, smallConfig(), { 'qa.csv': SMALL_CSV }));
    result = await runCli(['eval', join(dir, 'juror.yaml')], { env: cliEnv(server.url, dir), cwd: dir });
    requests = [...server.requests];
  });

  it('exits 1', () => {
    expect(result.code).toBe(1);
  });

  it('re-asks once per row, quoting the problem: 2 rows → 4 requests', () => {
    expect(requests).toHaveLength(4);
    const reasks = requests.filter((r) => r.lastUser.startsWith('Your answer could not be used'));
    expect(reasks).toHaveLength(2);
  });

  it('shows the metric as wholly failed with its error count, and still shows exact_match', () => {
    expect(result.stdout).toMatch(/│ correctness\/v1 \(every row failed\)\s+│ —\s+│ —\s+│ —\s+│ 0\s+│ 2\s+│/);
    expect(result.stdout).toMatch(/│ exact_match\/v1\s+│ 0\.5\s+│/);
  });

  it('prints a FAIL line that points at `juror runs show <id prefix>`', () => {
    const runId = /^run ([0-9a-f]{32}) /m.exec(result.stdout)![1]!;
    expect(result.stdout).toContain(
      `FAIL  correctness/v1: every row failed — see \`juror runs show ${runId.slice(0, 12)}\` for the reasons`,
    );
  });

  it('`juror runs show` gives each row the error reason and the raw answer', async () => {
    const runId = /^run ([0-9a-f]{32}) /m.exec(result.stdout)![1]!;
    const show = await runCli(['runs', 'show', runId.slice(0, 12)], { env: cliEnv(server.url, dir), cwd: dir });
    expect(show.code).toBe(0);
    const errorLines = show.stdout.split('\n').filter((line) => line.startsWith('  correctness/v1: ERROR'));
    expect(errorLines).toEqual(
      Array(2).fill(
        '  correctness/v1: ERROR unusable answer after a re-ask: the answer is not JSON with "justification" and "score" — raw answer: no idea',
      ),
    );
    expect(show.stdout).toContain('rows 2/2, errors 2');
  });

  it('--json reports the error count and the failed metric', async () => {
    server.setHandler(() => ({ text: 'no idea' }));
    const again = await runCli(['eval', join(dir, 'juror.yaml'), '--json'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(again.code).toBe(1);
    const json = parseJson(again);
    expect(json.errors).toEqual({ 'exact_match/v1': 0, 'correctness/v1': 2 });
    expect(json.failed_metrics).toEqual(['correctness/v1']);
    expect(json.passed).toBe(false);
    expect(json.metrics['correctness/v1/mean']).toBeUndefined();
    expect(json.table.map((r) => r['correctness/v1/error'])).toEqual(
      Array(2).fill('unusable answer after a re-ask: the answer is not JSON with "justification" and "score"'),
    );
  });
});

describe('a model under test (translator)', () => {
  const IDIOMS = ['Break a leg!', 'It is raining cats and dogs.'];
  let result: CliResult;
  let requests: ChatRequest[];

  beforeAll(async () => {
    server.reset();
    // The translator's call has no response_format; the judge's asks for the verdict schema.
    server.setHandler((req) => (req.body.response_format === undefined ? { text: 'HOLA' } : verdict(4, 'keeps the meaning')));
    const { dir, config } = writeConfig(
      undefined,
      `experiment: translation
data: idioms.csv
col_mapping:
  inputs: llm_inputs
model:
  uri: openai:/gpt-test
  system: "Translate the following sentences into Spanish"
  prompt: "{llm_inputs}"
judge_model: openai:/gpt-4o-mini
metrics:
  - name: cultural_sensitivity
    definition: "Assesses how well the translation preserves cultural nuances and idioms."
    grading_prompt: "Score from 1-5, where 1 is culturally insensitive and 5 is highly culturally aware."
`,
      { 'idioms.csv': `llm_inputs\n${IDIOMS.join('\n')}\n` },
    );
    result = await runCli(['eval', config, '--json'], { env: cliEnv(server.url, dir), cwd: dir });
    requests = [...server.requests];
  });

  it('exits 0 after one translator and one judge request per row', () => {
    expect(result.code).toBe(0);
    expect(requests.filter((r) => r.body.response_format === undefined)).toHaveLength(2);
    expect(requests.filter((r) => r.body.response_format !== undefined)).toHaveLength(2);
  });

  it("sends the translator the system prompt and the row's llm_inputs as the user message", () => {
    const translations = requests.filter((r) => r.body.response_format === undefined);
    expect(translations.map((r) => r.body.model)).toEqual(['gpt-test', 'gpt-test']);
    expect(translations.map((r) => r.body.messages).sort((a, b) => (a[1].content < b[1].content ? -1 : 1))).toEqual(
      IDIOMS.map((idiom) => [
        { role: 'system', content: 'Translate the following sentences into Spanish' },
        { role: 'user', content: idiom },
      ]),
    );
  });

  it("gives the judge the translator's answer HOLA as the output, and the row's input", () => {
    const judged = requests.filter((r) => r.body.response_format !== undefined);
    expect(judged.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
    for (const idiom of IDIOMS) {
      const request = judged.find((r) => r.lastUser.includes(idiom));
      expect(request?.lastUser, idiom).toContain(`name="input">\n${idiom}\n</data-`);
      expect(request!.lastUser).toMatch(/Output:\n<data-[0-9a-f]+ name="output">\nHOLA\n<\/data-[0-9a-f]+>/);
    }
  });

  it('puts outputs: HOLA in the --json table next to the input and the score', () => {
    const { table, metrics } = parseJson(result);
    expect(table.map((r) => r.llm_inputs).sort()).toEqual([...IDIOMS].sort());
    for (const record of table) {
      expect(record).toEqual({
        llm_inputs: record.llm_inputs,
        outputs: 'HOLA',
        'cultural_sensitivity/v1/score': 4,
        'cultural_sensitivity/v1/justification': 'keeps the meaning',
      });
    }
    expect(metrics['cultural_sensitivity/v1/mean']).toBe(4);
  });
});

describe('a RETRIEVAL judge (one judgement per retrieved chunk)', () => {
  // Chunks with an "@" are judged PII (5 → yes, value 1), the others not (1 → no, value 0).
  const ROWS = [
    {
      request: 'Can I change the name on my booking?',
      response: 'Yes.',
      retrieved_context: [
        { doc_uri: 'kb/names.md', content: 'Spelling fixes are free.' },
        { doc_uri: 'crm/1.txt', content: 'Customer dana@example.com asked for a fix.' },
      ],
    },
    {
      request: 'When does check-in open?',
      response: '24h before.',
      retrieved_context: [{ doc_uri: 'kb/checkin.md', content: 'Online check-in opens 24 hours before departure.' }],
    },
    {
      request: 'Who called about refunds?',
      response: 'Several people.',
      retrieved_context: [
        { doc_uri: 'crm/2.txt', content: 'Call from ann@example.org about a refund.' },
        { doc_uri: 'crm/3.txt', content: 'Email from bo@example.net, refund pending.' },
        { doc_uri: 'crm/4.txt', content: 'cy@example.com wants a refund.' },
        { doc_uri: 'crm/5.txt', content: 'Refund for di@example.com approved.' },
      ],
    },
  ];
  // Per-row share of chunks with "@": 1/2, 0/1, 4/4 → mean (0.5 + 0 + 1) / 3 = 0.5.
  let result: CliResult;
  let requests: ChatRequest[];

  beforeAll(async () => {
    server.reset();
    server.setHandler((req) => (req.lastUser.includes('@') ? verdict(5, 'has an email address') : verdict(1, 'no personal data')));
    const { dir, config } = writeConfig(
      undefined,
      `experiment: agent-judges
data: agent_eval.jsonl
judge_model: openai:/gpt-test
metrics:
  - name: has_pii
    judge_prompt: "Your task is to determine whether the retrieved content has any PII information. This was the content: '{retrieved_context}'"
    metric_metadata: { assessment_type: RETRIEVAL }
    greater_is_better: false
`,
      { 'agent_eval.jsonl': ROWS.map((row) => JSON.stringify(row)).join('\n') + '\n' },
    );
    result = await runCli(['eval', config, '--json'], { env: cliEnv(server.url, dir), cwd: dir });
    requests = [...server.requests];
  });

  it('exits 0', () => {
    // stderr may carry progress lines, but no error.
    expect(result.stderr).not.toMatch(/^juror: /m);
    expect(result.code).toBe(0);
  });

  it('sends one request per chunk (2 + 1 + 4 = 7), each holding that chunk alone', () => {
    expect(requests).toHaveLength(7);
    for (const chunk of ROWS.flatMap((row) => row.retrieved_context)) {
      const holding = requests.filter((r) => r.lastUser.includes(chunk.content));
      expect(holding, chunk.content).toHaveLength(1);
    }
  });

  it('scores each row with its share of chunks judged yes: 0.5, 0 and 1', () => {
    const { table } = parseJson(result);
    const score = (request: string) => table.find((r) => r.request === request)?.['has_pii/v1/score'];
    expect(score(ROWS[0]!.request)).toBe(0.5);
    expect(score(ROWS[1]!.request)).toBe(0);
    expect(score(ROWS[2]!.request)).toBe(1);
  });

  it('reports has_pii/v1/mean = (0.5 + 0 + 1) / 3 = 0.5', () => {
    const { metrics } = parseJson(result);
    expect(metrics['has_pii/v1/mean']).toBeCloseTo(0.5, 10);
    // population variance: (0 + 0.25 + 0.25) / 3
    expect(metrics['has_pii/v1/variance']).toBeCloseTo(1 / 6, 10);
  });

  it('justifies a row chunk by chunk, with each doc_uri and its yes/no', () => {
    const { table } = parseJson(result);
    expect(table.find((r) => r.request === ROWS[0]!.request)?.['has_pii/v1/justification']).toBe(
      'chunk 0 (kb/names.md): no — no personal data\nchunk 1 (crm/1.txt): yes — has an email address',
    );
  });
});

describe('a provider that rejects the key (HTTP 401)', () => {
  const ROWS = 60;
  let dir: string;
  let result: CliResult;
  let requestCount: number;

  beforeAll(async () => {
    server.reset();
    server.setHandler(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided' } } }));
    const csv =
      'question,answer,expected\n' + Array.from({ length: ROWS }, (_, i) => `Question ${i}?,Answer ${i},Answer ${i}`).join('\n') + '\n';
    ({ dir } = writeConfig(undefined, smallConfig(), { 'qa.csv': csv }));
    result = await runCli(['eval', join(dir, 'juror.yaml')], { env: cliEnv(server.url, dir), cwd: dir });
    requestCount = server.requests.length;
  });

  it('exits 2 with a provider error that names OPENAI_API_KEY, and prints no summary', () => {
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('juror: provider error: openai:/gpt-test: HTTP 401: Incorrect API key provided');
    expect(result.stderr).toContain('fix: check OPENAI_API_KEY');
    expect(result.stdout).toBe('');
  });

  it('stops after the first wave of calls: at most the concurrency (16) + a few requests for 60 rows', () => {
    expect(requestCount).toBeGreaterThanOrEqual(1);
    expect(requestCount).toBeLessThanOrEqual(16 + 4);
  });

  it('stores the run with status failed (`juror runs list --json`)', async () => {
    const list = await runCli(['runs', 'list', '--json'], { env: cliEnv(server.url, dir), cwd: dir });
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout) as Array<{ experiment: string; status: string; rows: number }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ experiment: 'small', status: 'failed', rows: ROWS });
  });

  it("`juror runs show` gives the run's error", async () => {
    const list = JSON.parse((await runCli(['runs', 'list', '--json'], { env: cliEnv(server.url, dir), cwd: dir })).stdout) as Array<{
      id: string;
    }>;
    const show = await runCli(['runs', 'show', list[0]!.id], { env: cliEnv(server.url, dir), cwd: dir });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('status failed');
    expect(show.stdout).toContain('error: openai:/gpt-test: HTTP 401: Incorrect API key provided');
  });
});

describe('the default judge model', () => {
  it('judges with openai:/gpt-4o-mini when no judge model is named and an OpenAI base URL is set, and says so', async () => {
    server.reset();
    server.setHandler(() => verdict(4, 'fine'));
    const { dir, config } = writeConfig(undefined, smallConfig().replace('judge_model: openai:/gpt-test\n', ''), { 'qa.csv': SMALL_CSV });
    const result = await runCli(['eval', config], { env: cliEnv(server.url, dir), cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NOTE  judges used the default judge model openai:/gpt-4o-mini');
    // Calls of the earlier 401 test that were on the wire when it stopped may still arrive: look at this run's rows only.
    const ours = server.requests.filter((r) => /What is 2\+2|capital of Italy/.test(JSON.stringify(r.body.messages)));
    expect(ours.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
  });
});
