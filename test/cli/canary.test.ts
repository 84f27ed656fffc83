/**
 * `juror canary create|list|show|pause|resume|run` against a real server and the scripted LLM
 * server: a canary created from a YAML file checks a stored judge against ten human labels; `run`
 * checks again now and exits 1 once the judge model changed and the alert fires; a canary the server
 * refuses is reported at the file, line and column of its field, exit code 2, nothing created.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { fileForm, startTestServer, waitForJob, type TestServer } from '../server/helpers.js';
import { answerRow } from '../server/label-helpers.js';
import { runCli } from './run-cli.js';

/** People say rows 0–4 are right; the first judge agrees on all ten, the changed one says 0 on rows 0–3 (6 of 10). */
const HUMAN = Array.from({ length: 10 }, (_, i) => (i < 5 ? 1 : 0));
const CSV = 'question,answer,human\n' + HUMAN.map((h, i) => `question ${i},answer ${i},${h}`).join('\n') + '\n';

describe('juror canary', () => {
  let llm: LlmServer;
  let server: TestServer;
  let datasetId: string;
  const cli = (...args: string[]) => runCli(['canary', ...args, '--url', server.url], { env: {}, cwd: server.dir });

  beforeAll(async () => {
    llm = await startLlmServer({ handler: (req) => verdict(HUMAN[answerRow(req)]!) });
    server = await startTestServer({ llm });
    datasetId = (await server.call('POST', '/api/datasets', { body: fileForm('human.csv', CSV) })).body.id;
    const run = await server.call('POST', '/api/runs', {
      body: {
        dataset_id: datasetId,
        config: {
          judge_model: 'openai:/gpt-test',
          metrics: [{ name: 'cli_canary', judge_prompt: 'Is {answer} right for {question}? 1 or 0.', output: 'binary' }],
        },
      },
    });
    expect((await waitForJob(server, run.body.job_id)).status).toBe('completed');
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });

  const canaryYaml = (every: string) =>
    [
      'name: cli-canary',
      'judge: cli_canary',
      `dataset: ${datasetId}`,
      'human_col: human',
      'judge_model: openai:/gpt-test',
      `every: ${every}`,
      'alert:',
      '  statistic: accuracy',
      "  op: '<'",
      '  value: 0.9',
      '',
    ].join('\n');

  it('creates from YAML, lists, shows, runs a check now, pauses and resumes', async () => {
    const file = join(server.dir, 'canary.yaml');
    writeFileSync(file, canaryYaml('6h'));
    const created = await cli('create', file, '--json');
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const deadline = Date.now() + 20_000;
    while ((await server.call('GET', `/api/canaries/${id}`)).body.points.length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id}.*cli-canary.*cli_canary v1.*6h.*active.*accuracy < 0.9.*ok.*accuracy 1, κ 1`));

    // The judge model changes: 6 of 10 agree, the alert fires, and `run` says so with exit code 1.
    llm.setHandler((req) => verdict(answerRow(req) < 4 ? 0 : HUMAN[answerRow(req)]!));
    const ran = await cli('run', id);
    expect(ran.code, ran.stderr).toBe(1);
    // κ: p_o = 0.6; the judge says 1 on row 4 only, so p_e = 0.5·0.1 + 0.5·0.9 = 0.5 and κ = (0.6 − 0.5)/(1 − 0.5) = 0.2.
    expect(ran.stdout).toMatch(/checked cli_canary v1: accuracy 0\.6, cohen_kappa 0\.2 \(run \w+\); alert accuracy < 0\.9: firing/);

    const shown = await cli('show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`cli-canary (${id}): cli_canary v1, every 6h, active; alert accuracy < 0.9: firing`);
    expect(shown.stdout).toMatch(/firing\s+accuracy < 0\.9: 0\.6/);

    expect((await cli('pause', id)).stdout).toBe(`canary ${id} is paused\n`);
    expect((await server.call('GET', `/api/canaries/${id}`)).body).toMatchObject({ status: 'paused', next_run_at: null });
    expect((await cli('resume', id)).stdout).toBe(`canary ${id} is active\n`);
  });

  it('reports a refused canary at the line and column of its field, with exit code 2', async () => {
    const file = join(server.dir, 'bad.yaml');
    writeFileSync(file, canaryYaml('daily'));
    const before = (await server.call('GET', '/api/canaries')).body.canaries.length;
    const result = await cli('create', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('every');
    // The field `every:` is on line 6, column 1.
    expect(result.stderr).toContain(`${file}:6:1: POST /api/canaries: every: write how often as <n>m, <n>h or <n>d`);
    expect((await server.call('GET', '/api/canaries')).body.canaries.length).toBe(before);
  });
});
