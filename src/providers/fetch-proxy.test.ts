/**
 * Provider calls through an HTTP proxy named by HTTP_PROXY, as on a corporate network: a real
 * tunnelling proxy on loopback between evaluate() and the scripted server. A file of its own,
 * because providerFetch reads the proxy variables once, at its first call in the process.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGenaiMetric } from '../judges/definition.js';
import { evaluate } from '../engine/evaluate.js';
import { providerFetch } from './fetch.js';
import { startLlmServer, verdict, type LlmServer } from '../../test/fixtures/llm-server.js';

/** A proxy that opens CONNECT tunnels (as undici's ProxyAgent asks) and logs each target. */
interface TestProxy {
  url: string;
  /** `host:port` of every tunnel asked for. */
  tunnels: string[];
  /** The local port of each connection the proxy opened to a target. */
  upstreamPorts: Set<number>;
  /** When true, tunnels are refused with 407. */
  refuse: boolean;
  close(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(501).end());
  const proxy: TestProxy = {
    url: '',
    tunnels: [],
    upstreamPorts: new Set(),
    refuse: false,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    proxy.tunnels.push(req.url!);
    if (proxy.refuse) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host, () => {
      proxy.upstreamPorts.add(upstream.localPort!);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = proxy.close;
  proxy.close = () => {
    for (const socket of sockets) socket.destroy();
    return close();
  };
  return proxy;
}

const judge = makeGenaiMetric({ name: 'politeness', definition: 'Is the answer polite?', gradingPrompt: 'Score 1-5.' });
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));

let proxy: TestProxy;
const servers: LlmServer[] = [];

beforeAll(async () => {
  proxy = await startProxy();
  for (const name of PROXY_VARIABLES) delete process.env[name];
  process.env.HTTP_PROXY = proxy.url;
});
afterAll(async () => {
  for (const name of PROXY_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await Promise.all(servers.map((server) => server.close()));
  await proxy.close();
});

/** A fresh scripted server: a new origin, so no tunnel kept alive from another test is reused. */
async function judgeServer(): Promise<LlmServer> {
  const server = await startLlmServer({ handler: () => verdict(4, 'polite') });
  servers.push(server);
  return server;
}

function run(server: LlmServer) {
  return evaluate({
    data: [{ inputs: 'hello', outputs: 'Good morning to you.' }],
    metrics: [judge],
    judgeModel: 'openai:/gpt-test',
    env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' },
    store: false,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
}

describe('HTTP_PROXY', () => {
  it('sends judge calls through the proxy', async () => {
    const server = await judgeServer();
    const result = await run(server);
    expect(result.metrics['politeness/v1/mean']).toBe(4);
    expect(server.requests).toHaveLength(1);
    expect(proxy.tunnels).toContain(new URL(server.url).host);
  });

  it('fails the call, rather than going around it, when the proxy refuses', async () => {
    const server = await judgeServer();
    proxy.refuse = true;
    try {
      const result = await run(server);
      expect(result.errors['politeness/v1']).toBe(1);
      expect(server.requests).toHaveLength(0);
      expect(proxy.tunnels).toContain(new URL(server.url).host);
    } finally {
      proxy.refuse = false;
    }
  });

  it('sends a redirect, which the global fetch follows, through the proxy too', async () => {
    const from: number[] = [];
    const target = createServer((req, res) => {
      from.push(req.socket.remotePort!);
      if (req.url === '/old') res.writeHead(307, { location: '/new' }).end();
      else res.end(`at ${req.url}`);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    try {
      const response = await providerFetch(`http://${host}/old`, { method: 'POST', body: '{}' });
      expect(await response.text()).toBe('at /new');
      // /old, then /old and /new again from the global fetch (which follows the redirect itself),
      // each out of one of the proxy's own connections.
      expect(from).toHaveLength(3);
      for (const port of from) expect(proxy.upstreamPorts).toContain(port);
    } finally {
      target.closeAllConnections();
      await new Promise((resolve) => target.close(resolve));
    }
  });

  it('goes straight to a host NO_PROXY names', async () => {
    const server = await judgeServer();
    process.env.NO_PROXY = '127.0.0.1';
    try {
      const result = await run(server);
      expect(result.metrics['politeness/v1/mean']).toBe(4);
      expect(server.requests).toHaveLength(1);
      expect(proxy.tunnels).not.toContain(new URL(server.url).host);
    } finally {
      delete process.env.NO_PROXY;
    }
  });
});
