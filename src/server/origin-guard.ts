/**
 * Who may reach the server from a browser. Two attacks on a server a developer runs on their own
 * machine: DNS rebinding (a page on evil.com re-points evil.com at 127.0.0.1 and then reads and
 * writes the API as same-origin; the browser still sends `Host: evil.com`), and cross-site
 * requests (a page POSTs a "simple" multipart or text/plain request, which needs no preflight).
 *
 * - Without tokens, only Host values naming this server are answered (loopback names, the address
 *   it listens on, `--allowed-host` entries); any port. With tokens, a rebound page has no token.
 * - State-changing requests (anything but GET, HEAD, OPTIONS) from another origin are refused:
 *   `Sec-Fetch-Site: cross-site | same-site`, or an `Origin` other than the request's own Host
 *   (or an allowed host, for a proxy that rewrites Host). Requests with neither header (curl,
 *   JurorClient) are not from a browser and go on.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopback } from './auth.js';
import { ApiError } from './errors.js';

/** How the guard is configured. */
export interface OriginGuardOptions {
  /** The interface the server listens on (`--host`): its name is always accepted as Host. */
  listenHost: string;
  /** More host names the server is reached by (`--allowed-host`), e.g. behind a proxy or in a container. */
  allowedHosts: readonly string[];
  /** Check Host (off when tokens are required: a rebound page cannot send one). */
  checkHost: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses foreign Host values (when asked) and cross-origin state-changing requests, before any route runs. */
export function installOriginGuard(app: FastifyInstance, options: OriginGuardOptions): void {
  const names = (values: readonly string[]) => new Set(values.map(hostName).filter((name) => name !== undefined));
  const listed = names(options.allowedHosts);
  const hosts = names([options.listenHost, ...options.allowedHosts]);
  const isAllowed = (name: string) => isLoopback(name) || hosts.has(name);
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (options.checkHost) {
      const name = host === undefined ? undefined : hostName(host);
      if (name === undefined || !isAllowed(name)) {
        throw new ApiError(421, `this server does not answer to the host name '${host ?? ''}'`, {
          field: 'host',
          hint: 'open it as http://127.0.0.1:<port> or http://localhost:<port>; to reach it by another name, start it with `juror serve --allowed-host <name>` (repeatable)',
        });
      }
    }
    if (SAFE_METHODS.has(request.method)) return;
    const refusal = crossOrigin(request, host, listed);
    if (refusal) {
      throw new ApiError(403, `refused a ${request.method} request ${refusal}: pages on other sites may not change this server`, {
        field: 'origin',
        hint: 'use the Juror UI served by this server, or call the API from a script (curl, JurorClient); if the UI is served through a proxy under another name, start the server with `juror serve --allowed-host <name>`',
      });
    }
  });
}

/** Why a request comes from another origin, or undefined when it does not (or says nothing). */
function crossOrigin(request: FastifyRequest, host: string | undefined, allowedHosts: ReadonlySet<string>): string | undefined {
  const site = request.headers['sec-fetch-site'];
  // same-site is still another origin (another port or subdomain): only same-origin and none (typed by the user) pass.
  if (site === 'cross-site' || site === 'same-site') return `from a ${site} page (Sec-Fetch-Site)`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const from = originHost(origin);
  if (from === undefined) return `from the origin '${origin}'`;
  if (host !== undefined && from.host === hostAndPort(host)) return undefined;
  // Behind a proxy that rewrites Host, the browser's origin is the public name given with --allowed-host.
  if (allowedHosts.has(from.name)) return undefined;
  return `from the origin '${origin}'`;
}

/** The lower-case host name of a Host header or `--host` value, without its port; undefined when it is not one. */
function hostName(value: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^\s:[\]@/\\?#]+)(:\d{1,5})?$/i.exec(value.trim());
  if (match) return match[1]!.toLowerCase().replace(/\.$/, '');
  // A bare IPv6 address (`--host ::1`) has no brackets.
  return /^[0-9a-f:.]+$/i.test(value) && value.includes(':') ? `[${value.toLowerCase()}]` : undefined;
}

/** Host and port as URL.host spells them (default port dropped), to compare with an Origin. */
function hostAndPort(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return undefined;
  }
}

function originHost(origin: string): { host: string; name: string } | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { host: url.host, name: hostName(url.host) ?? url.hostname };
  } catch {
    return undefined;
  }
}
