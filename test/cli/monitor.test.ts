/**
 * `juror monitor create|list|show|pause|resume` against a real server: a monitor created from a
 * YAML file judges traffic; pause and resume change its status; a monitor the server refuses is
 * reported at the file, line and column of the field, with exit code 2 and nothing created.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';
import { startTestServer, type TestServer } from '../server/helpers.js';
import { runCli } from './run-cli.js';

describe('juror monitor', () => {
  let llm: LlmServer;
  let server: TestServer;
  const cli = (...args: string[]) => runCli(['monitor', ...args, '--url', server.url], { env: {}, cwd: server.dir });

  beforeAll(async () => {
    llm = await startLlmServer();
    server = await startTestServer({ llm });
  });
  afterAll(async () => {
    await server.stop();
    await llm.close();
  });

  const monitorYaml = (gradingPrompt: string) =>
    [
      'name: cli-monitor',
      'app: cli',
      'sample_rate: 1',
      'window: 5m',
      'metrics:',
      '  - name: helpful',
      '    definition: How helpful the answer is.',
      ...(gradingPrompt ? [`    grading_prompt: ${gradingPrompt}`] : []),
      'alerts:',
      '  - metric: helpful/v1/mean',
      "    op: '<'",
      '    value: 2',
      '',
    ].join('\n');

  it('creates from YAML, lists, shows, pauses and resumes', async () => {
    const file = join(server.dir, 'monitor.yaml');
    writeFileSync(file, monitorYaml('Score 1-5.'));
    const created = await cli('create', file, '--json');
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    await server.call('POST', '/api/interactions', { body: { interactions: [{ id: 'c1', app: 'cli', request: 'q', response: 'a' }] } });
    const deadline = Date.now() + 20_000;
    while ((await server.call('GET', `/api/monitors/${id}`)).body.judged < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id}.*cli-monitor.*active.*5m.*1`));
    expect((await cli('pause', id)).stdout).toBe(`monitor ${id} is paused\n`);
    expect((await server.call('GET', `/api/monitors/${id}`)).body.status).toBe('paused');
    expect((await cli('resume', id)).stdout).toBe(`monitor ${id} is active\n`);
    const shown = await cli('show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`cli-monitor (${id}): active, 5m windows, 1 judged`);
  });

  it('reports a refused monitor at the line of its field, with exit code 2', async () => {
    const file = join(server.dir, 'bad.yaml');
    writeFileSync(file, monitorYaml(''));
    const before = (await server.call('GET', '/api/monitors')).body.monitors.length;
    const result = await cli('create', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('metrics[0].grading_prompt');
    // The judge entry starts on line 6 of the file.
    expect(result.stderr).toContain(`${file}:6`);
    expect((await server.call('GET', '/api/monitors')).body.monitors.length).toBe(before);
  });

  it('says how to reach the server when none answers', async () => {
    const result = await runCli(['monitor', 'list', '--url', 'http://127.0.0.1:9'], { env: {}, cwd: server.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach http://127.0.0.1:9');
  });
});
