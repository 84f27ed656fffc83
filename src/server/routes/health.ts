/** `GET /api/health`: always open, even when the API needs a token. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../route.js';
import { healthResponse } from '../schemas/common.js';
import { VERSION } from '../version.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/health',
    summary: 'Whether the server is up, and whether it needs a token',
    tags: ['server'],
    response: healthResponse,
    handler: async () => ({
      status: 'ok' as const,
      version: VERSION,
      auth: ctx.auth,
      store: /^postgres(ql)?:/.test(ctx.store.where) ? ('postgres' as const) : ('sqlite' as const),
    }),
  });
}
