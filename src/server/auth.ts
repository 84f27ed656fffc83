/**
 * Bearer-token auth of the API. Required when the server listens on anything but loopback, or
 * when asked for (`juror serve --auth`).
 *
 * Deny by default, decided on the route Fastify matched (`request.routeOptions`), never on the raw
 * URL: the router decodes percent-escapes (`/ap%69/datasets` is `/api/datasets`), so a prefix test
 * of the raw URL and the router disagree. Open without a token: `GET /api/health`, routes whose
 * config says `public` (the UI's files), and the UI's page for a browser navigating to a URL no
 * route matches (it holds no data). Every other request, unknown URLs included, needs a token; a token
 * of scope `ingest` reaches only the ingest routes (403 elsewhere).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiTokenRepository } from '../store/api-tokens.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered without a token (the UI's static files). */
    public?: boolean;
  }
}

/** API routes open to anyone, by the URL pattern they are registered with. */
const PUBLIC_ROUTES = new Set(['/api/health']);

/** The routes a token of scope `ingest` reaches (method and URL pattern): an instrumented app sends traffic, and reads nothing. */
const INGEST_ROUTES = new Set(['POST /api/otlp/v1/traces', 'POST /api/interactions']);

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/** A browser loading a page (not a script fetching data): GET or HEAD, asking for HTML, not for a file. */
export function isPageNavigation(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0]!;
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    /\btext\/html\b/.test(request.headers.accept ?? '') &&
    !/\.[a-z0-9]+$/i.test(path)
  );
}

/** Checks `Authorization: Bearer <token>` on every request but the public routes above. */
export function installAuth(app: FastifyInstance, tokens: ApiTokenRepository): void {
  app.addHook('onRequest', async (request) => {
    if (isPublic(request)) return;
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) {
      throw new ApiError(401, 'this server needs an API token', {
        field: 'authorization',
        hint: 'send the header Authorization: Bearer <token>; create a token on the server with `juror tokens create`',
      });
    }
    const record = await tokens.verify(token);
    if (!record) {
      throw new ApiError(401, 'the API token is not valid: it was revoked, or is mistyped', {
        field: 'authorization',
        hint: 'list tokens with `juror tokens list`, or create a new one with `juror tokens create`',
      });
    }
    if (record.scope === 'ingest' && !INGEST_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
      throw new ApiError(
        403,
        `the API token '${record.name}' may only send traffic in (scope ingest), not ${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
        {
          field: 'authorization',
          hint: 'use a token without a scope for this route (`juror tokens create` without --scope)',
        },
      );
    }
  });
}

function isPublic(request: FastifyRequest): boolean {
  if (request.is404) return isPageNavigation(request);
  const { config, url } = request.routeOptions;
  return config.public === true || (url !== undefined && PUBLIC_ROUTES.has(url));
}
