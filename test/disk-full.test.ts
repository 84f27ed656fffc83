/**
 * `juror eval` with its SQLite store on a full disk: the first failed write stops new judge calls,
 * the real cause (SQLITE_FULL, the store's path) and the resume command are printed, the exit code
 * is 4, the rows written before are kept, and after making room `--resume` finishes the run without
 * paying again for them. The store sits on a small tmpfs (we run as root, as CI does); where mounting
 * is refused, SQLite's own `max_page_count` raises the same SQLITE_FULL in the CLI process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../src/store/store.js';
import { startLlmServer, verdict, type LlmServer } from './fixtures/llm-server.js';
import { cliEnv, removeTempDirs, ROOT, runCli, writeConfig, type CliResult } from './cli/run-cli.js';

const ROWS = 200;
const CONCURRENCY = 4;
/**
 * Room left after the migrated store for a few rows, not for 200 rows of 2 KB answers. The store is
 * migrated first and the room measured from what it takes, so new migrations do not eat it.
 */
const ROOM_BYTES = 320 * 1024;

const csv =
  ['question,answer', ...Array.from({ length: ROWS }, (_, i) => `Question ${i}?,${`answer ${i} `.repeat(200).trim()}`)].join('\n') + '\n';
const config = `experiment: disk-full
data: qa.csv
col_mapping:
  inputs: question
  predictions: answer
judge_model: openai:/gpt-test
providers:
  openai:
    max_concurrency: ${CONCURRENCY}
metrics:
  - name: correctness
    definition: "Assesses whether the answer answers the question."
    grading_prompt: "Score from 1-5."
`;

let server: LlmServer;
let dir: string;
let storeDir: string;
let mounted = false;
let full: CliResult;
let callsBeforeResume: number;

function mountTmpfs(size: string, remount = false): boolean {
  try {
    execFileSync('mount', remount ? ['-o', `remount,size=${size}`, storeDir] : ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', storeDir], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

function storedRows(): number {
  const db = new Database(join(storeDir, 'juror.db'), { readonly: true });
  try {
    return (db.prepare('select count(*) as n from results').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startLlmServer({ handler: () => verdict(4, 'fine') });
  ({ dir } = writeConfig(undefined, config, { 'qa.csv': csv }));
  storeDir = join(dir, 'store');
  mkdirSync(storeDir);
  // JUROR_TEST_NO_MOUNT=1 runs the fallback where mounting works too.
  mounted = !process.env.JUROR_TEST_NO_MOUNT && mountTmpfs('64m');
  await (await Store.open({ path: join(storeDir, 'juror.db') })).close();
  if (mounted) {
    const fs = statfsSync(storeDir);
    expect(mountTmpfs(`${Math.ceil(((fs.blocks - fs.bfree) * fs.bsize + ROOM_BYTES) / 1024)}k`, true)).toBe(true);
  }
  const maxPages = Math.ceil((statSync(join(storeDir, 'juror.db')).size + ROOM_BYTES / 4) / 4096);
  const env = cliEnv(server.url, dir, {
    JUROR_DB: join(storeDir, 'juror.db'),
    ...(mounted
      ? {}
      : { NODE_OPTIONS: `--import ${join(ROOT, 'test', 'support', 'sqlite-page-limit.mjs')}`, JUROR_TEST_MAX_PAGES: String(maxPages) }),
  });
  // A child process: the fallback's preload must run inside the process that writes.
  full = await runCli(['eval', join(dir, 'juror.yaml')], { env, cwd: dir, timeoutMs: 60_000, spawn: true });
  callsBeforeResume = server.requests.length;
}, 90_000);

afterAll(async () => {
  await server.close();
  if (mounted) execFileSync('umount', [storeDir]);
  removeTempDirs();
});

describe('juror eval with the store on a full disk', () => {
  it('stops calling the judge at the first failed write', () => {
    expect(callsBeforeResume).toBeGreaterThan(0);
    expect(callsBeforeResume).toBeLessThan(ROWS / 2);
  });

  it('exits 4 naming SQLITE_FULL, the store and the resume command', () => {
    expect(full.code, full.stderr).toBe(4);
    expect(full.stderr).toMatch(/SQLITE_FULL: the disk is full/);
    expect(full.stderr).toContain(join(storeDir, 'juror.db'));
    expect(full.stderr).toMatch(/--resume [0-9a-f]{12}/);
    expect(full.stderr).not.toMatch(/cannot rollback/);
  });

  it('keeps the rows written before the failure, losing at most the calls in flight and one batch', () => {
    const stored = storedRows();
    expect(stored).toBeGreaterThan(0);
    expect(callsBeforeResume - stored).toBeLessThanOrEqual(3 * CONCURRENCY);
  });

  it('finishes with --resume once there is room, without paying again for the stored rows', async () => {
    const stored = storedRows();
    if (mounted) expect(mountTmpfs('64m', true)).toBe(true);
    const runId = /--resume ([0-9a-f]{12})/.exec(full.stderr)![1]!;
    const resumed = await runCli(['eval', join(dir, 'juror.yaml'), '--resume', runId, '--json'], {
      env: cliEnv(server.url, dir, { JUROR_DB: join(storeDir, 'juror.db') }),
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { status: string }).status).toBe('finished');
    expect(storedRows()).toBe(ROWS);
    // Rows already stored are not called again (an answer cached before the failure is not either).
    expect(server.requests.length - callsBeforeResume).toBeLessThanOrEqual(ROWS - stored);
    expect(server.requests.length).toBeLessThanOrEqual(ROWS + CONCURRENCY);
  }, 90_000);
});
