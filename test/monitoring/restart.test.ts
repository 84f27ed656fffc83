/**
 * A real `juror serve` process killed (SIGKILL) while an app streams interactions in, then started
 * again on the same store: every batch it acknowledged (202) is stored, and the app's retries of
 * unacknowledged batches (same ids) store nothing twice. Needs the built CLI (tsc -p tsconfig.build.json).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { InteractionRepository } from '../../src/store/interactions.js';
import { Store } from '../../src/store/store.js';

const BIN = resolve(import.meta.dirname, '../../bin/juror.js');
const dir = mkdtempSync(join(tmpdir(), 'juror-ingest-restart-'));
const db = join(dir, 'juror.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `juror serve` on a free port and resolves with its URL once it listens. */
async function serve(): Promise<{ child: ChildProcess; url: string; closed: Promise<unknown> }> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.JUROR_DATABASE_URL;
  delete env.JUROR_REDIS_URL;
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--data-dir', join(dir, 'data')], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Listened for from the start: a killed process may close before the test waits for it.
  const closed = new Promise((res) => child.once('close', res));
  let stderr = '';
  const url = await new Promise<string>((res, rej) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const match = /on (http:\/\/\S+)/.exec(stderr);
      if (match) res(match[1]!);
    });
    child.on('close', (code) => rej(new Error(`juror serve exited ${code}: ${stderr}`)));
  });
  return { child, url, closed };
}

const batch = (b: number) => ({
  interactions: Array.from({ length: 50 }, (_, i) => ({ id: `b${b}-${i}`, app: 'restart', request: `q${b}.${i}`, response: `a${b}.${i}` })),
});

it('keeps every acknowledged interaction through a SIGKILL, and stores retried batches once', async () => {
  const acknowledged = new Set<number>();
  const pending = new Set(Array.from({ length: 120 }, (_, b) => b));
  let server = await serve();
  let killed = false;
  /** Two senders, as an app's concurrent requests; a batch that got no 202 stays pending (the app retries it). */
  const send = async (until: () => boolean) => {
    await Promise.all(
      [0, 1].map(async () => {
        while (!until()) {
          const b = [...pending][0];
          if (b === undefined) return;
          pending.delete(b);
          try {
            const response = await fetch(`${server.url}/api/interactions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(batch(b)),
            });
            if (response.status === 202) acknowledged.add(b);
            else pending.add(b);
          } catch {
            pending.add(b);
            return;
          }
        }
      }),
    );
  };
  const first = send(() => killed);
  while (acknowledged.size < 30) await new Promise((r) => setTimeout(r, 5));
  server.child.kill('SIGKILL');
  killed = true;
  await first;
  await server.closed;
  const beforeRestart = new Set(acknowledged);
  // Batches whose answer was lost with the process are sent again, as a client retries.
  for (let b = 0; b < 120; b++) if (!acknowledged.has(b)) pending.add(b);
  server = await serve();
  await send(() => false);
  server.child.kill('SIGTERM');
  await server.closed;

  expect(acknowledged.size).toBe(120);
  const store = await Store.open({ path: db });
  try {
    const repository = new InteractionRepository(store);
    const { total } = await repository.list({ app: 'restart', limit: 1 });
    expect(total).toBe(120 * 50);
    for (const b of beforeRestart) expect(await repository.get(`b${b}-49`)).toMatchObject({ request: `q${b}.49`, response: `a${b}.49` });
  } finally {
    await store.close();
  }
}, 90_000);
