/**
 * Bearer-token auth of the API. Required when the server listens on anything but loopback, or
 * when asked for (`juror serve --auth`); `GET /api/health` is always open.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiTokenRepository } from '../store/api-tokens.js';
import { ApiError } from './errors.js';

const OPEN = new Set(['/api/health']);

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/** Checks `Authorization: Bearer <token>` on every /api route but health. */
export function installAuth(app: FastifyInstance, tokens: ApiTokenRepository): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (!(path === '/api' || path.startsWith('/api/')) || OPEN.has(path)) return;
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) {
      throw new ApiError(401, 'this server needs an API token', {
        field: 'authorization',
        hint: 'send the header Authorization: Bearer <token>; create a token on the server with `juror tokens create`',
      });
    }
    if (!(await tokens.verify(token))) {
      throw new ApiError(401, 'the API token is not valid: it was revoked, or is mistyped', {
        field: 'authorization',
        hint: 'list tokens with `juror tokens list`, or create a new one with `juror tokens create`',
      });
    }
  });
}
