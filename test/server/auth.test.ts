/** Bearer-token auth: off on loopback by default, on with `auth: true` or off loopback; revoked tokens stop working. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/server/auth.js';
import { ApiTokenRepository, hashToken } from '../../src/store/api-tokens.js';
import { serverDb } from '../../src/store/server-tables.js';
import { startTestServer, type TestServer } from './helpers.js';

describe('without auth (loopback, the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('answers /api without a token', async () => {
    expect((await server.call('GET', '/api/health')).body.auth).toBe(false);
    expect((await server.call('GET', '/api/runs')).status).toBe(200);
    expect((await server.call('GET', '/api/runs', { token: 'anything' })).status).toBe(200);
  });
});

describe('with auth', () => {
  let server: TestServer;
  let tokens: ApiTokenRepository;
  beforeAll(async () => {
    server = await startTestServer({ auth: true });
    tokens = new ApiTokenRepository(serverDb(server.store));
  });
  afterAll(() => server.stop());

  it('keeps health open and says a token is needed', async () => {
    expect(await server.call('GET', '/api/health')).toMatchObject({ status: 200, body: { auth: true } });
  });

  it('answers 401 without a token, on every /api route, with how to get one', async () => {
    for (const [method, path] of [
      ['GET', '/api/runs'],
      ['GET', '/api/runs/abc'],
      ['DELETE', '/api/runs/abc'],
      ['GET', '/api/experiments'],
      ['GET', '/api/datasets'],
      ['POST', '/api/runs'],
      ['GET', '/api/jobs/abc'],
      ['GET', '/api/openapi.json'],
      ['GET', '/api/no-such-route'],
    ]) {
      const { status, body, headers } = await server.call(method!, path!);
      expect({ path, status }).toEqual({ path, status: 401 });
      expect(body).toMatchObject({ error: 'unauthorized', field: 'authorization', hint: expect.stringContaining('juror tokens create') });
      expect(headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 200 with a valid token and notes when it was used', async () => {
    const created = await tokens.create('ci');
    expect(created.token).toMatch(/^juror_/);
    expect((await server.call('GET', '/api/runs', { token: created.token })).status).toBe(200);
    expect((await server.call('GET', '/api/openapi.json', { token: created.token })).body.security).toEqual([{ bearer: [] }]);
    const [listed] = (await tokens.list()).filter((t) => t.name === 'ci');
    expect(listed!.last_used_at).toEqual(expect.any(String));
    expect(listed).not.toHaveProperty('hash');
  });

  it('stores only the SHA-256 of a token', async () => {
    const created = await tokens.create('hashed');
    const row = await serverDb(server.store).selectFrom('api_tokens').selectAll().where('name', '=', 'hashed').executeTakeFirstOrThrow();
    expect(row.hash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
  });

  it('answers 401 for a wrong or revoked token', async () => {
    const created = await tokens.create('temporary');
    expect((await server.call('GET', '/api/experiments', { token: created.token })).status).toBe(200);
    expect(await server.call('GET', '/api/experiments', { token: `${created.token}x` })).toMatchObject({
      status: 401,
      body: { message: expect.stringContaining('not valid') },
    });
    expect(await tokens.revoke('temporary')).toMatchObject({ name: 'temporary' });
    expect((await server.call('GET', '/api/experiments', { token: created.token })).status).toBe(401);
    expect((await server.call('GET', '/api/experiments', { headers: { authorization: `Basic ${created.token}` } })).status).toBe(401);
  });

  it('revokes by id as well as by name, and refuses duplicate names', async () => {
    const created = await tokens.create('by-id');
    expect(await tokens.revoke(created.id)).toMatchObject({ name: 'by-id' });
    expect(await tokens.revoke('by-id')).toBeUndefined();
    await tokens.create('twice');
    await expect(tokens.create('twice')).rejects.toThrow(/exists already/);
  });
});

describe('off loopback', () => {
  it('requires a token even without auth: true', async () => {
    const server = await startTestServer({ host: '0.0.0.0' });
    try {
      expect(server.auth).toBe(true);
      const local = server.url.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(`${local}/api/runs`)).status).toBe(401);
      expect((await fetch(`${local}/api/health`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('tells loopback addresses apart', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3', '::ffff:127.0.0.1'])
      expect({ host, loopback: isLoopback(host) }).toEqual({ host, loopback: true });
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '10.0.0.1'])
      expect({ host, loopback: isLoopback(host) }).toEqual({ host, loopback: false });
  });
});
