/**
 * `juror label --examples`: few-shot examples for the labelling judge from a CSV or JSONL file with
 * the criterion's columns plus `label` and an optional `justification` — what reaches the judge's
 * prompt (read at the scripted server), and a bad file stopping the command with file:line before
 * any call. The built CLI runs in a child process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { answerRow, judged, systemOf } from '../server/label-helpers.js';
import { cliEnv, removeTempDirs, runCli, tempDir } from './run-cli.js';

const ROWS = 6;
const CSV =
  'question,answer,context\n' + Array.from({ length: ROWS }, (_, i) => `question ${i},answer ${i},context ${i}`).join('\n') + '\n';
const PROMPT = 'Does {answer} answer {question} using only {context}? 1 if so, else 0.';

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
  llm.setHandler((req) => verdict(judged(answerRow(req)), `row ${answerRow(req)} judged`));
});

/** A folder with the data and an examples file of `examples` as its content. */
function setup(name: string, examples: string): { dir: string; data: string; file: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('juror-label-examples-');
  const data = join(dir, 'qa.csv');
  writeFileSync(data, CSV);
  const file = join(dir, name);
  writeFileSync(file, examples);
  return { dir, data, file, env: cliEnv(llm.url, dir) };
}

describe('juror label --examples', () => {
  it("puts each example of a CSV file in the judge's prompt: its columns, label and justification (a default one when left out)", async () => {
    const { dir, data, env } = setup(
      'ex.csv',
      'question,answer,context,label,justification\nWho wrote Hamlet?,Marlowe,Hamlet is by Shakespeare.,0,The context names Shakespeare.\nCapital of Peru?,Lima,Lima is the capital of Peru.,1,\n',
    );
    const result = await runCli(['label', data, '--prompt', PROMPT, '--model', 'openai:/gpt-test', '--examples', 'ex.csv', '--json'], {
      env,
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', rows: ROWS, labels: { llm: ROWS, human: 0 } });

    expect(llm.requests).toHaveLength(ROWS);
    for (const request of llm.requests) {
      const system = systemOf(request);
      expect(system.match(/^Example \d+:$/gm)).toHaveLength(2);
      expect(system).toContain('Marlowe');
      expect(system).toContain('Hamlet is by Shakespeare.');
      expect(system).toContain(JSON.stringify({ justification: 'The context names Shakespeare.', score: 0 }));
      expect(system).toContain(JSON.stringify({ justification: 'A human labelled this 1.', score: 1 }));
    }
  });

  it('reads a JSONL file, its yes/no labels as a yes/no criterion takes them', async () => {
    const { dir, data, env } = setup(
      'ex.jsonl',
      '{"question":"Capital of Peru?","answer":"Lima","context":"Lima is the capital.","label":"yes","justification":"Stated."}\n',
    );
    const result = await runCli(
      ['label', data, '--prompt', PROMPT, '--output', 'yes_no', '--model', 'openai:/gpt-test', '--examples', 'ex.jsonl', '--json'],
      { env, cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    // A person's yes is the top of the 1–5 scale a yes/no judge answers on.
    expect(systemOf(llm.requests[0]!)).toContain(JSON.stringify({ justification: 'Stated.', score: 5 }));
  });

  it('stops with exit code 2 naming file:line and the column of a bad example, before any call', async () => {
    const badLabel = setup('ex.csv', 'question,answer,context,label\nq,a,c,1\nq,a,c,maybe\n');
    const result = await runCli(['label', badLabel.data, '--prompt', PROMPT, '--model', 'openai:/gpt-test', '--examples', 'ex.csv'], {
      env: badLabel.env,
      cwd: badLabel.dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ex.csv:3, row 1, label');
    expect(result.stderr).toContain('"maybe" is not a 1/0 label');

    const noColumn = setup('ex.csv', 'question,answer,label\nq,a,1\n');
    const missing = await runCli(['label', noColumn.data, '--prompt', PROMPT, '--model', 'openai:/gpt-test', '--examples', 'ex.csv'], {
      env: noColumn.env,
      cwd: noColumn.dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ex\.csv, context: .*'\{context\}'/);

    const noLabel = setup('ex.jsonl', '{"question":"q","answer":"a","context":"c"}\n');
    const unlabelled = await runCli(['label', noLabel.data, '--prompt', PROMPT, '--model', 'openai:/gpt-test', '--examples', 'ex.jsonl'], {
      env: noLabel.env,
      cwd: noLabel.dir,
    });
    expect(unlabelled.code).toBe(2);
    expect(unlabelled.stderr).toContain("ex.jsonl has no 'label' column");

    const broken = setup('ex.jsonl', '{"question":"q","answer":"a","context":"c","label":1}\n{"question":\n');
    const malformed = await runCli(['label', broken.data, '--prompt', PROMPT, '--model', 'openai:/gpt-test', '--examples', 'ex.jsonl'], {
      env: broken.env,
      cwd: broken.dir,
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/ex\.jsonl:2/);
    expect(llm.requests).toHaveLength(0);
  });
});
