/**
 * providerFetch against a loopback server, side by side with the global fetch: whatever a provider
 * or the scheduler reads of a call (status, headers, body, how it fails) must be the same.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { providerFetch } from './fetch.js';

const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/echo': (req, res, body) => {
    res.writeHead(429, 'Slow Down', {
      'content-type': 'application/json',
      'retry-after': '2',
      'retry-after-ms': '1500',
      'x-many': ['a', 'b'],
    });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  },
  '/hang': () => undefined,
  '/half': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part, ');
  },
  '/drop': (req) => req.socket.destroy(),
  '/cut': (req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('not all of it', () => req.socket.destroy());
  },
  '/gzip': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync('{"compressed":true}'));
  },
  '/redirect': (_req, res) => {
    res.writeHead(307, { location: '/echo?redirected' });
    res.end();
  },
  '/empty': (_req, res) => {
    res.writeHead(204);
    res.end();
  },
};

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => routes[req.url!.split('?')[0]!]!(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.each([
  ['providerFetch', providerFetch],
  ['the global fetch', globalThis.fetch],
])('%s', (_name, fetch) => {
  it('sends the method, headers and body, and hands back status, status text, headers and body', async () => {
    const response = await fetch(`${base}/echo?x=1`, {
      method: 'post',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer k' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Slow Down');
    expect(response.ok).toBe(false);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('retry-after-ms')).toBe('1500');
    expect(response.headers.get('x-many')).toBe('a, b');
    const echoed = (await response.json()) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(echoed).toMatchObject({ method: 'POST', url: '/echo?x=1', body: '{"a":1}' });
    expect(echoed.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k', 'content-length': '7' });
  });

  it('gives a string body without a content type the one fetch gives it', async () => {
    const response = await fetch(`${base}/echo`, { method: 'POST', headers: new Headers({ 'x-one': '1' }), body: 'plain' });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(headers['x-one']).toBe('1');
  });

  it('answers as soon as the headers arrive, and streams the body', async () => {
    const response = await fetch(`${base}/half`);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first part, ');
    await reader.cancel();
  });

  it('has no body for a 204', async () => {
    const response = await fetch(`${base}/empty`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('decodes a gzip-compressed body', async () => {
    expect(await (await fetch(`${base}/gzip`)).json()).toEqual({ compressed: true });
  });

  it('follows a redirect', async () => {
    const response = await fetch(`${base}/redirect`, { method: 'POST', body: 'again' });
    expect(await response.json()).toMatchObject({ method: 'POST', url: '/echo?redirected', body: 'again' });
  });

  it('rejects at once with the reason of a signal aborted before the call', async () => {
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    await expect(fetch(`${base}/echo`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("rejects with the signal's reason when aborted while waiting for the answer", async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by the run');
    const call = fetch(`${base}/hang`, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(call).rejects.toBe(reason);
  });

  it("errors the body with the signal's reason when aborted while reading it", async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/half`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });

  it('rejects with TypeError "fetch failed" caused by ECONNREFUSED when nothing listens', async () => {
    const error = await fetch(`http://127.0.0.1:${await closedPort()}/v1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('rejects with TypeError "fetch failed" when the server hangs up before answering', async () => {
    const error = await fetch(`${base}/drop`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect((error as TypeError).cause).toBeInstanceOf(Error);
  });

  it('errors the body with TypeError "terminated" when the connection breaks off mid-body', async () => {
    const response = await fetch(`${base}/cut`);
    const error = await response.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('terminated');
  });
});

describe('providerFetch', () => {
  it("sends a provider's request itself, leaving the global fetch alone", async () => {
    const global = vi.spyOn(globalThis, 'fetch');
    try {
      await (
        await providerFetch(`${base}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          signal: new AbortController().signal,
        })
      ).text();
      expect(global).not.toHaveBeenCalled();
    } finally {
      global.mockRestore();
    }
  });
});
