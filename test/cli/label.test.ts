/**
 * `juror label` and `juror export finetune` end to end: the built CLI in a child process, its
 * review driven by answers piped to stdin, judging against the scripted server of this process.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleRows } from '../../src/labeling/sample.js';
import { startLlmServer, verdict, type ChatRequest, type LlmServer } from '../fixtures/llm-server.js';
import { block } from '../server/helpers.js';
import { cliEnv, removeTempDirs, runCli, tempDir } from './run-cli.js';

const ROWS = 20;
const CSV =
  'question,answer,context\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i},context ${i}`).join('\n') + '\n';
const PROMPT = 'Does {answer} answer {question} using only {context}? 1 if so, else 0.';

/** The row of the answer a request judges. */
const rowOf = (req: ChatRequest) => Number((block(req.lastUser, 'answer') ?? 'answer -1').replace('answer ', ''));
/** The judge: 0 for every third row, else 1. */
const judged = (row: number) => (row % 3 === 0 ? 0 : 1);
const systemOf = (req: ChatRequest): string =>
  (req.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'system')?.content ?? '';

let llm: LlmServer;

beforeAll(async () => {
  llm = await startLlmServer();
});
afterAll(async () => {
  await llm.close();
  removeTempDirs();
});
beforeEach(() => {
  llm.reset();
  llm.setHandler((req) => verdict(judged(rowOf(req)), `row ${rowOf(req)} judged`));
});

function setup(): { dir: string; data: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('juror-label-');
  const data = join(dir, 'qa.csv');
  writeFileSync(data, CSV);
  return { dir, data, env: cliEnv(llm.url, dir) };
}

describe('juror label --review', () => {
  it('takes piped answers — keep, flip, edit and flip, skip, set — and writes the corrections to --out', async () => {
    const { dir, data, env } = setup();
    const sample = sampleRows(ROWS, 6, 3);
    // Row by row: keep; flip; edit the justification then flip; skip; keep; set the opposite label.
    const answers = ['', 'f', 'e', 'the context says nothing of it', 'f', 's', '', String(1 - judged(sample[5]!))];
    const out = join(dir, 'labeled.csv');
    const result = await runCli(
      [
        'label',
        data,
        '--prompt',
        PROMPT,
        '--model',
        'openai:/gpt-test',
        '--sample',
        '6',
        '--seed',
        '3',
        '--review',
        '--out',
        out,
        '--json',
      ],
      {
        env,
        cwd: dir,
        input: answers.join('\n') + '\n',
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`[1/6] row ${sample[0]}`);
    expect(result.stderr).toContain('  answer: answer');
    expect(result.stderr).toContain(`label: ${judged(sample[0]!)} (judge v1)`);
    expect(result.stderr).toContain('reviewed: 2 kept, 3 changed, 1 skipped');
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      status: 'completed',
      rows: ROWS,
      judge: { version: 'v2' },
      labels: { human: 5, llm: ROWS - 5, unlabelled: 0 },
      out,
      agreement: { version: 'v1', n: 5 },
    });
    expect(summary.agreement.statistics.accuracy).toBeCloseTo(2 / 5, 12);

    // The full pass judged the 15 rows without a human label, with the 5 reviewed rows as examples.
    const full = llm.requests.filter((r) => systemOf(r).includes('Example 1:'));
    expect(full).toHaveLength(ROWS - 5);
    expect(systemOf(full[0]!)).toContain(
      JSON.stringify({ justification: 'the context says nothing of it', score: 1 - judged(sample[2]!) }),
    );
    expect(systemOf(full[0]!).match(/^Example \d+:$/gm)).toHaveLength(5);

    const rows = parseCsv(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.question)).toEqual(Array.from({ length: ROWS }, (_, i) => `question ${i}`));
    const human = new Map([
      [sample[0]!, judged(sample[0]!)],
      [sample[1]!, 1 - judged(sample[1]!)],
      [sample[2]!, 1 - judged(sample[2]!)],
      [sample[4]!, judged(sample[4]!)],
      [sample[5]!, 1 - judged(sample[5]!)],
    ]);
    rows.forEach((r, i) => {
      if (human.has(i))
        expect(r, `row ${i}`).toMatchObject({ label: String(human.get(i)), label_source: 'human', label_judge_version: '' });
      else expect(r, `row ${i}`).toMatchObject({ label: String(judged(i)), label_source: 'llm', label_judge_version: 'v2' });
    });
    expect(rows[sample[2]!]!.label_justification).toBe('the context says nothing of it');
    expect(rows[sample[0]!]!.label_justification).toBe(`row ${sample[0]} judged`);

    // The fine-tuning export carries the human labels.
    const exported = await runCli(['export', 'finetune', '--label-job', summary.job_id.slice(0, 10)], { env, cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(ROWS);
    lines.forEach((line, i) => {
      expect(line.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
      expect(line.messages[1].content).toContain(`answer ${i}\n`);
      const answer = JSON.parse(line.messages[2].content);
      expect(answer.score).toBe(human.get(i) ?? judged(i));
    });
    expect(JSON.parse(lines[sample[2]!].messages[2].content).justification).toBe('the context says nothing of it');

    const file = join(dir, 'out', 'ft.jsonl');
    const toFile = await runCli(['export', 'finetune', '--label-job', summary.job_id, '--out', file], { env, cwd: dir });
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stderr).toContain(`${ROWS} fine-tuning examples`);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(ROWS);
  });

  it('leaves the rows after the end of input unreviewed', async () => {
    const { dir, data, env } = setup();
    const result = await runCli(
      ['label', data, '--prompt', `[eof] ${PROMPT}`, '--model', 'openai:/gpt-test', '--sample', '4', '--review', '--json'],
      { env, cwd: dir, input: 'f\n' },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('input ended: the 3 rows left keep the judge');
    expect(JSON.parse(result.stdout)).toMatchObject({ labels: { human: 1, llm: ROWS - 1 }, judge: { version: 'v2' } });
  });
});

describe('juror label without --review', () => {
  it('accepts the sample as it is and labels every row', async () => {
    const { dir, data, env } = setup();
    const out = join(dir, 'labeled.jsonl');
    const result = await runCli(['label', data, '--prompt', `[plain] ${PROMPT}`, '--model', 'openai:/gpt-test', '--out', out], {
      env,
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${ROWS} rows — 0 labelled by you, ${ROWS} by label_`);
    expect(llm.requests).toHaveLength(ROWS);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((r) => r.label)).toEqual(Array.from({ length: ROWS }, (_, i) => judged(i)));
    expect(records.every((r) => r.label_source === 'llm' && r.label_judge_version === 'v1')).toBe(true);
  });

  it('stops with exit code 2 naming the flag on bad input, before any call', async () => {
    const { dir, data, env } = setup();
    const noCriterion = await runCli(['label', data, '--model', 'openai:/gpt-test'], { env, cwd: dir });
    expect(noCriterion.code).toBe(2);
    expect(noCriterion.stderr).toContain('--prompt');
    const badColumn = await runCli(['label', data, '--prompt', 'Is {nope} ok?', '--model', 'openai:/gpt-test'], { env, cwd: dir });
    expect(badColumn.code).toBe(2);
    expect(badColumn.stderr).toMatch(/--prompt.*\{nope\}/);
    // With no model named and no OpenAI key or base URL, there is no default judge model either.
    const noModel = await runCli(['label', data, '--prompt', PROMPT], {
      env: { ...env, OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined },
      cwd: dir,
    });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('--model');
    const missing = await runCli(['label', join(dir, 'none.csv'), '--prompt', PROMPT, '--model', 'openai:/gpt-test'], { env, cwd: dir });
    expect(missing.code).toBe(2);
    expect(llm.requests).toHaveLength(0);
    const unknownJob = await runCli(['export', 'finetune', '--label-job', 'abc123'], { env, cwd: dir });
    expect(unknownJob.code).toBe(2);
    expect(unknownJob.stderr).toContain("no label job 'abc123'");
    expect(existsSync(join(dir, 'datasets'))).toBe(true);
  });

  it("checks the flags with the API's schema, naming the flag of each bad value, before the data is stored", async () => {
    const { dir, data, env } = setup();
    const cases: Array<[flags: string[], flag: string, says: string]> = [
      [['--sample', '0'], '--sample', 'must be at least 1'],
      [['--sample', 'many'], '--sample', 'must be a whole number'],
      [['--seed', '-1'], '--seed', 'must be at least 0'],
      [['--output', 'maybe'], '--output', 'scale_1_5'],
      [['--name', '1st'], '--name', 'starting with a letter'],
      [['--builtin', 'faithfulness'], '--prompt', 'not both'],
    ];
    for (const [flags, flag, says] of cases) {
      const result = await runCli(['label', data, '--prompt', PROMPT, '--model', 'openai:/gpt-test', ...flags], { env, cwd: dir });
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toContain(`config error: ${flag}: `);
      expect(result.stderr).toContain(says);
    }
    expect(llm.requests).toHaveLength(0);
    expect(existsSync(join(dir, 'datasets'))).toBe(false);
  });
});
