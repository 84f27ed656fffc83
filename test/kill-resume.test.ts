/**
 * A real `juror eval` process killed mid-run (SIGKILL) or interrupted (SIGINT), then resumed:
 * nothing finished is lost and nothing finished is paid for twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../src/index.js';
import { startLlmServer, verdict, type LlmServer } from './fixtures/llm-server.js';

const BIN = resolve(import.meta.dirname, '../bin/juror.js');
const ROWS = 150;
const CONCURRENCY = 8;

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer({ latencyMs: 30, handler: () => verdict(4) });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function project(): { dir: string; config: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'juror-kill-'));
  writeFileSync(
    join(dir, 'rows.jsonl'),
    Array.from({ length: ROWS }, (_, i) => JSON.stringify({ question: `q${i}`, answer: `a${i}` })).join('\n'),
  );
  writeFileSync(
    join(dir, 'juror.yaml'),
    [
      'experiment: kill',
      'data: rows.jsonl',
      'col_mapping: { inputs: question, predictions: answer }',
      'judge_model: openai:/gpt-test',
      `providers: { openai: { max_concurrency: ${CONCURRENCY} } }`,
      'metrics:',
      '  - name: quality',
      '    definition: How good the answer is.',
      '    grading_prompt: Score 1-5.',
    ].join('\n'),
  );
  return { dir, config: join(dir, 'juror.yaml'), db: join(dir, 'juror.db') };
}

function start(
  args: string[],
  cwd: string,
  db: string,
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const env: Record<string, string | undefined> = { ...process.env, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test', JUROR_DB: db };
  delete env.JUROR_JUDGE_MODEL;
  delete env.JUROR_DATABASE_URL;
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code) => res({ code, stdout, stderr })),
  );
  return { child, done };
}

async function waitForResults(db: string, atLeast: number): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const store = await Store.open({ path: db });
      try {
        const count = await store.db
          .selectFrom('results')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst();
        if (Number(count?.n) >= atLeast) return;
      } finally {
        await store.close();
      }
    } catch {
      // the store is not created yet
    }
  }
}

async function onlyRun(db: string) {
  const store = await Store.open({ path: db });
  try {
    const [run] = await store.listRuns();
    const results = await store.db.selectFrom('results').select(['row_index', 'value']).where('run_id', '=', run!.id).execute();
    return { run: run!, results };
  } finally {
    await store.close();
  }
}

describe('a run stopped from outside', () => {
  it('keeps every finished row through SIGKILL and finishes on --resume without paying twice', async () => {
    const { dir, config, db } = project();
    const first = start(['eval', config, '--no-cache'], dir, db);
    await waitForResults(db, 40);
    first.child.kill('SIGKILL');
    await first.done;
    const before = await onlyRun(db);
    expect(before.run.status).toBe('running');
    expect(before.results.length).toBeGreaterThanOrEqual(40);

    const second = start(['eval', config, '--resume', before.run.id, '--no-cache', '--json'], dir, db);
    const { code, stdout } = await second.done;
    expect(code).toBe(0);
    expect(JSON.parse(stdout).metrics['quality/v1/mean']).toBe(4);
    const after = await onlyRun(db);
    expect(after.run.status).toBe('finished');
    expect(new Set(after.results.map((r) => r.row_index)).size).toBe(ROWS);
    expect(after.results).toHaveLength(ROWS);
    // Calls lost with the killed process are at most the ones in flight when it died.
    expect(server.requests.length).toBeLessThanOrEqual(ROWS + CONCURRENCY);
  });

  it('stops gracefully on SIGINT, marks the run interrupted and says how to resume', async () => {
    const { dir, config, db } = project();
    const run = start(['eval', config], dir, db);
    await waitForResults(db, 20);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    expect(code).toBe(130);
    expect(stderr).toMatch(/--resume [0-9a-f]{12}/);
    const { run: stored, results } = await onlyRun(db);
    expect(stored.status).toBe('interrupted');
    expect(results.length).toBeLessThan(ROWS);
    expect(results.length).toBe(stored.rows_done);
  });
});
