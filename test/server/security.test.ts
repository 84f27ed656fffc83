/**
 * `juror serve` against the attacks of issue #10: auth bypass by a path the router reads differently
 * from a prefix test (every registered route × encoded, doubled-slash, dot-segment and case variants),
 * DNS rebinding (foreign Host), cross-site state changes (Origin, Sec-Fetch-Site), and the security
 * headers. Raw requests go through node:http, which sends the path as written (fetch would
 * normalise dot segments).
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { serveCommand } from '../../src/cli/serve.js';
import { ApiTokenRepository } from '../../src/store/api-tokens.js';
import { serverDb } from '../../src/store/server-tables.js';
import { fileForm, seedRun, startTestServer, type TestServer } from './helpers.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one request with the path exactly as given (no normalisation) and headers as given (Host included). */
function raw(server: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every route the app registered, as [method, URL pattern], read from Fastify's own route tree (so a new route is covered). */
function registeredRoutes(server: TestServer): Array<[method: string, url: string]> {
  const routes: Array<[string, string]> = [];
  const stack: Array<{ depth: number; path: string }> = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)(?:├──|└──) (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length;
    while (stack.length > 0 && stack.at(-1)!.depth >= depth) stack.pop();
    const parent = stack.at(-1)?.path ?? '';
    const path = parent === '/' ? `/${match[2]}` : `${parent}${match[2]}`;
    stack.push({ depth, path });
    for (const method of match[3]!.split(', ')) routes.push([method, path]);
  }
  return routes;
}

/** The spellings a prefix test of the raw URL and the router could read differently. */
function variants(path: string): string[] {
  const rest = path.slice('/api'.length);
  return [
    path,
    `/ap%69${rest}`,
    `/%61pi${rest}`,
    `/API${rest}`,
    `/Api${rest}`,
    `//api${rest}`,
    `/api/${rest}`,
    `/x/../api${rest}`,
    `/api/%2e%2e/api${rest}`,
    `/api/./${rest.slice(1)}`,
    `/api%2f${rest.slice(1)}`,
    `${path}/`,
    `${path};x=1`,
    `${path}?x=1`,
  ];
}

const concrete = (pattern: string) =>
  pattern
    .replace(/:id\b/g, 'abc')
    .replace(/:name\b/g, 'faithfulness')
    .replace(/:row\b/g, '0');
const datasetCount = async (server: TestServer) =>
  (
    await serverDb(server.store)
      .selectFrom('datasets')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

describe('with --auth: every route, however spelled', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ auth: true });
    token = (await new ApiTokenRepository(serverDb(server.store)).create('security')).token;
  });
  afterAll(() => server.stop());

  it('finds the routes to attack in the route tree', () => {
    const routes = registeredRoutes(server);
    expect(routes).toContainEqual(['GET', '/api/datasets']);
    expect(routes).toContainEqual(['POST', '/api/runs']);
    expect(routes).toContainEqual(['DELETE', '/api/runs/:id']);
    expect(routes).toContainEqual(['GET', '/api/runs/:id/results/:row']);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('never answers 2xx or 3xx without a token, on any spelling of any route but health', async () => {
    const answered: string[] = [];
    for (const [method, pattern] of registeredRoutes(server)) {
      if (pattern === '/api/health' || !pattern.startsWith('/api')) continue;
      for (const path of variants(concrete(pattern))) {
        const { status, body } = await raw(server, method, path, { accept: 'application/json' });
        if (status !== 401) answered.push(`${method} ${path} → ${status} ${body.slice(0, 80)}`);
      }
    }
    expect(answered).toEqual([]);
  });

  it('answers 401 on unknown routes under /api however spelled, for a browser too', async () => {
    for (const path of ['/api/no-such-route', '/ap%69/no-such-route', '/API/no-such-route', '/api']) {
      expect({ path, status: (await raw(server, 'GET', path)).status }).toEqual({ path, status: 401 });
      expect({ path, status: (await raw(server, 'POST', path, { accept: 'text/html' })).status }).toEqual({ path, status: 401 });
    }
  });

  it('lists, uploads, creates and deletes nothing through /ap%69/ without a token', async () => {
    const runId = await seedRun(server.store, { rows: 1, metrics: ['m/v1'], result: () => ({ value: 1 }) });
    expect((await raw(server, 'GET', '/ap%69/datasets')).status).toBe(401);
    const form = new Response(fileForm('rows.csv', 'q,a\n1,2\n'));
    const upload = await raw(server, 'POST', '/ap%69/datasets', { 'content-type': form.headers.get('content-type')! }, await form.text());
    expect(upload.status).toBe(401);
    expect(await datasetCount(server)).toBe(0);
    expect((await raw(server, 'POST', '/ap%69/runs', { 'content-type': 'application/json' }, JSON.stringify({ config: {} }))).status).toBe(
      401,
    );
    expect((await raw(server, 'DELETE', `/ap%69/runs/${runId}`)).status).toBe(401);
    expect(await server.store.listRuns()).toHaveLength(1);
  });

  it('answers with a valid token on the normal paths, and health without one', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const path of [
      '/api/datasets',
      '/api/runs',
      '/api/experiments',
      '/api/judges',
      '/api/jobs',
      '/api/label-jobs',
      '/api/openapi.json',
    ]) {
      expect({ path, status: (await raw(server, 'GET', path, auth)).status }).toEqual({ path, status: 200 });
    }
    expect((await raw(server, 'GET', '/api/health')).status).toBe(200);
  });
});

describe('without --auth: the Host header (DNS rebinding)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ allowedHosts: ['juror.internal'] });
  });
  afterAll(() => server.stop());

  it('refuses a foreign Host with 421 and says to use --allowed-host', async () => {
    for (const [method, path] of [
      ['GET', '/api/datasets'],
      ['GET', '/api/health'],
      ['GET', '/'],
      ['POST', '/api/runs'],
    ]) {
      const { status, body } = await raw(
        server,
        method!,
        path!,
        { host: 'evil.com', 'content-type': 'application/json' },
        method === 'POST' ? '{"config":{}}' : undefined,
      );
      expect({ path, status }).toEqual({ path, status: 421 });
      expect(JSON.parse(body)).toMatchObject({
        status: 421,
        error: 'misdirected_request',
        field: 'host',
        hint: expect.stringContaining('--allowed-host'),
      });
    }
    for (const host of ['evil.com:4173', 'localhost.evil.com', '127.0.0.1.nip.io', 'juror.internal.evil.com', 'evil.com@localhost']) {
      expect({ host, status: (await raw(server, 'GET', '/api/runs', { host })).status }).toEqual({ host, status: 421 });
    }
    expect(await server.store.listRuns()).toHaveLength(0);
  });

  it('answers loopback names and the allowed hosts, on any port', async () => {
    for (const host of ['127.0.0.1', '127.0.0.1:4173', 'localhost:1', 'LOCALHOST', '[::1]:8080', 'juror.internal', 'Juror.Internal:8443']) {
      expect({ host, status: (await raw(server, 'GET', '/api/runs', { host })).status }).toEqual({ host, status: 200 });
    }
  });

  it('answers any Host when tokens are required (a rebound page has none)', async () => {
    const secured = await startTestServer({ auth: true });
    try {
      const { token } = await new ApiTokenRepository(serverDb(secured.store)).create('any-host');
      expect((await raw(secured, 'GET', '/api/runs', { host: 'juror.example.com', authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await raw(secured, 'GET', '/api/runs', { host: 'juror.example.com' })).status).toBe(401);
    } finally {
      await secured.stop();
    }
  });
});

describe('cross-site requests', () => {
  let server: TestServer;
  let runId: string;
  beforeAll(async () => {
    server = await startTestServer({ allowedHosts: ['juror.example.com'] });
    runId = await seedRun(server.store, { rows: 1, metrics: ['m/v1'], result: () => ({ value: 1 }) });
  });
  afterAll(() => server.stop());

  const upload = (headers: Record<string, string>) =>
    server.call('POST', '/api/datasets', { body: fileForm('rows.csv', 'q,a\n1,2\n'), headers });

  it('refuses uploads, runs, cancels and deletes from another origin, and changes nothing', async () => {
    const other = server.url.replace(/:(\d+)$/, (_, port: string) => `:${Number(port) + 1}`);
    const attacks: Array<Record<string, string>> = [
      { origin: 'http://evil.com' },
      { origin: 'null' },
      { origin: other },
      { origin: other, 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: server.url, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attacks) {
      const refused = await upload(headers);
      expect({ headers, status: refused.status }).toEqual({ headers, status: 403 });
      expect(refused.body).toMatchObject({ error: 'forbidden', field: 'origin', hint: expect.stringContaining('--allowed-host') });
      expect(
        (await server.call('POST', '/api/runs', { body: '{"config":{}}', headers: { ...headers, 'content-type': 'text/plain' } })).status,
      ).toBe(403);
      expect((await server.call('POST', '/api/jobs/abc/cancel', { headers })).status).toBe(403);
      expect((await server.call('DELETE', `/api/runs/${runId}`, { headers })).status).toBe(403);
    }
    expect(await datasetCount(server)).toBe(0);
    expect(readdirSync(server.dataDir)).toEqual([]);
    expect(await server.store.listRuns()).toHaveLength(1);
  });

  it('lets reads from anywhere through (the Host check guards them)', async () => {
    expect((await server.call('GET', '/api/runs', { headers: { origin: 'http://evil.com', 'sec-fetch-site': 'cross-site' } })).status).toBe(
      200,
    );
  });

  it('accepts the same origin, an allowed host behind a proxy, and scripts that send neither header', async () => {
    expect((await upload({ origin: server.url, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await upload({ origin: 'https://juror.example.com' })).status).toBe(201);
    expect((await upload({})).status).toBe(201);
    expect(await datasetCount(server)).toBe(3);
  });
});

describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const expectHeaders = (headers: Headers, what: string) => {
    const csp = headers.get('content-security-policy') ?? '';
    expect({ what, csp }).toEqual({ what, csp: expect.stringContaining("frame-ancestors 'none'") });
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('strict-transport-security')).toBeNull();
  };

  it('sends them on the UI page, the API, its document and its errors', async () => {
    for (const path of ['/', '/api/health', '/api/openapi.json', '/api/no-such-route'])
      expectHeaders((await server.call('GET', path)).headers, path);
    expectHeaders((await server.call('POST', '/api/runs', { body: {}, headers: { origin: 'http://evil.com' } })).headers, 'a 403');
  });

  it("allows the not-built page's inline style by its hash, and no other inline style element", async () => {
    const page = await server.call('GET', '/');
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.body as string)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(page.headers.get('content-security-policy')).toMatch(new RegExp(`style-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}';`));
  });

  it('serves a built UI whose index has no inline script', async () => {
    const webDir = join(server.dir, 'web');
    mkdirSync(join(webDir, 'assets'), { recursive: true });
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Juror UI</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log(1)');
    const ui = await startTestServer({ webDir });
    try {
      expectHeaders((await ui.call('GET', '/assets/app.js')).headers, '/assets/app.js');
      expectHeaders((await ui.call('GET', '/runs/abc', { headers: { accept: 'text/html' } })).headers, '/runs/abc');
    } finally {
      await ui.stop();
    }
  });
});

describe('juror serve --allowed-host', () => {
  it('answers to the names given (repeatable) and refuses others', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    const dir = mkdtempSync(join(tmpdir(), 'juror-serve-'));
    const done = main([
      'node',
      'juror',
      'serve',
      '--port',
      '0',
      '--db',
      join(dir, 'cli.db'),
      '--data-dir',
      join(dir, 'data'),
      '--allowed-host',
      'Juror.Test',
      '--allowed-host',
      'box.local',
    ]);
    try {
      for (let i = 0; i < 500 && !/on (http:\S+)/.test(err); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const url = /on (http:\S+)/.exec(err)![1]!;
      expect(err).toContain('also answers to juror.test, box.local');
      const at = (host: string) => raw({ url } as TestServer, 'GET', '/api/health', { host }).then((r) => r.status);
      expect(await at('juror.test:80')).toBe(200);
      expect(await at('box.local')).toBe(200);
      expect(await at('other.test')).toBe(421);
    } finally {
      process.emit('SIGINT', 'SIGINT');
      expect(await done).toBe(0);
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a URL where a host name belongs, naming the flag', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    try {
      expect(await serveCommand({ port: '0', host: '127.0.0.1', maxUploadMb: '1', allowedHost: ['http://juror.test:8080/'] })).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
    expect(err).toContain('--allowed-host http://juror.test:8080/ is not a host name');
  });
});
