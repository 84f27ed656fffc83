/** `juror tokens create|list|revoke` and `juror serve`, called as the CLI calls them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { serveCommand } from '../../src/cli/serve.js';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from '../../src/cli/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'juror-cli-'));
const db = join(dir, 'juror.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs a command with stdout and stderr captured. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await run(), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('juror tokens', () => {
  it('creates a token and prints it once, lists tokens without it, and revokes by name', async () => {
    const created = await capture(() => tokensCreateCommand({ db, name: 'laptop' }));
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^juror_[\w-]{43}$/);
    expect(created.err).toContain("token 'laptop' created");

    const listed = await capture(() => tokensListCommand({ db }));
    expect(listed.out).toContain('laptop');
    expect(listed.out).toContain('never');
    expect(listed.out).not.toContain(token);
    const json = JSON.parse((await capture(() => tokensListCommand({ db, json: true }))).out);
    expect(json).toEqual([{ id: expect.any(String), name: 'laptop', created_at: expect.any(String), last_used_at: null, scope: null }]);

    expect((await capture(() => tokensRevokeCommand('laptop', { db }))).out).toContain("revoked token 'laptop'");
    const again = await capture(() => tokensRevokeCommand('laptop', { db }));
    expect(again.code).toBe(2);
    expect(again.err).toContain("no token named 'laptop'");
  });

  it('creates a token of scope ingest, listed with its scope, and refuses an unknown scope naming --scope', async () => {
    const created = JSON.parse((await capture(() => tokensCreateCommand({ db, name: 'collector', scope: 'ingest', json: true }))).out);
    expect(created).toMatchObject({ name: 'collector', scope: 'ingest', token: expect.stringMatching(/^juror_/) });
    const listed = await capture(() => tokensListCommand({ db }));
    expect(listed.out).toMatch(/collector.*ingest/);
    const bad = await capture(() => tokensCreateCommand({ db, name: 'x', scope: 'admin' }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--scope admin is not a scope');
    expect(bad.err).toContain('--scope ingest');
  });

  it('refuses a duplicate name with exit code 2', async () => {
    await capture(() => tokensCreateCommand({ db, name: 'ci' }));
    const duplicate = await capture(() => tokensCreateCommand({ db, name: 'ci' }));
    expect(duplicate.code).toBe(2);
    expect(duplicate.err).toContain("a token named 'ci' exists already");
  });
});

describe('juror serve', () => {
  it('serves until SIGINT, with auth when asked, then exits 0', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    const done = serveCommand({ port: '0', host: '127.0.0.1', db, auth: true, maxUploadMb: '1', dataDir: join(dir, 'data') });
    for (let i = 0; i < 200 && !/on (http:\S+)/.test(err); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const url = /on (http:\S+)/.exec(err)![1]!;
    expect(err).toContain('/api needs a token');
    expect(err).toContain('uploads up to 1 MB');
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/runs`)).status).toBe(401);
    process.emit('SIGINT', 'SIGINT');
    expect(await done).toBe(0);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });

  it('refuses bad flags naming them', async () => {
    const port = await capture(() => serveCommand({ port: '99999', host: '127.0.0.1', db, maxUploadMb: '100' }));
    expect(port.code).toBe(2);
    expect(port.err).toContain('--port 99999');
    const size = await capture(() => serveCommand({ port: '0', host: '127.0.0.1', db, maxUploadMb: 'lots' }));
    expect(size.code).toBe(2);
    expect(size.err).toContain('--max-upload-mb');
  });
});
