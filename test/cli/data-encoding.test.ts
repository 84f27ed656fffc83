/**
 * `juror eval` on data files that are not UTF-8: refused with file:line (exit 2, no request sent)
 * unless the config's `data` names the file's encoding, when the text reaches the judge intact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { cliEnv, removeTempDirs, runCli, writeConfig } from './run-cli.js';

/** A one-judge config over `data` (a YAML value: a path, or a flow mapping with path and encoding). */
function config(data: string): string {
  return `experiment: encodings
data: ${data}
col_mapping:
  inputs: question
  predictions: answer
judge_model: openai:/gpt-test
metrics:
  - name: politeness
    definition: "Assesses whether the answer is polite."
    grading_prompt: "Score from 1-5."
`;
}

/** Rows whose third line holds `café` written in latin1 (0xE9 is not valid UTF-8 there). */
const LATIN1_CSV = Buffer.concat([Buffer.from('question,answer\nQ1,fine\nQ2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
const LATIN1_JSONL = Buffer.concat([
  Buffer.from('{"question":"Q1","answer":"fine"}\n{"question":"Q2","answer":"ok"}\n{"question":"Q3","answer":"caf'),
  Buffer.from([0xe9]),
  Buffer.from('"}\n'),
]);

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer({ handler: () => verdict(4, 'polite') });
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});
beforeEach(() => server.reset());

async function evalWith(data: string, files: Record<string, Uint8Array>) {
  const { dir, config: path } = writeConfig(undefined, config(data), files);
  const result = await runCli(['eval', path], { env: cliEnv(server.url, dir), cwd: dir });
  return { ...result, dir, config: path };
}

describe('a data file that is not valid UTF-8', () => {
  it('refuses a CSV with a latin1 byte on line 3 with file:3, exit 2 and no request', async () => {
    const result = await evalWith('qa.csv', { 'qa.csv': LATIN1_CSV });
    const data = join(result.dir, 'qa.csv');
    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain(`${data}:3:7: line 3 of ${data} is not valid UTF-8 (byte 0xE9 at column 7)`);
    expect(result.stderr).toContain('fix: re-save the file as UTF-8, or set `encoding: latin1`');
  });

  it('refuses a JSONL file with a latin1 byte on line 3 with file:3, exit 2 and no request', async () => {
    const result = await evalWith('qa.jsonl', { 'qa.jsonl': LATIN1_JSONL });
    const data = join(result.dir, 'qa.jsonl');
    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain(`${data}:3:31: line 3 of ${data} is not valid UTF-8`);
  });

  it('reads it with `data: { path, encoding: latin1 }`, the judge seeing the text as written', async () => {
    const result = await evalWith('{ path: qa.csv, encoding: latin1 }', { 'qa.csv': LATIN1_CSV });
    expect(result.stderr).not.toContain('input error');
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests.some((request) => request.text.includes('café'))).toBe(true);
    expect(server.requests.some((request) => request.text.includes('\uFFFD'))).toBe(false);
  });

  it('refuses an unknown encoding at its line in the config, before any request', async () => {
    const result = await evalWith('\n  path: qa.csv\n  encoding: latin-9000', { 'qa.csv': LATIN1_CSV });
    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain(`${result.config}:4:3`);
    expect(result.stderr).toContain("'latin-9000' is not an encoding Juror can read");
    expect(result.stderr).toContain('fix: use an encoding name such as utf-8, latin1');
  });

  it('refuses a misspelt key under data at its line, listing path and encoding', async () => {
    const result = await evalWith('\n  path: qa.csv\n  encodng: latin1', { 'qa.csv': LATIN1_CSV });
    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain(`${result.config}:4:3`);
    expect(result.stderr).toContain("unknown key 'encodng' in data");
    expect(result.stderr).toContain('fix: known keys here: path, encoding');
  });
});
