/** `GET /api/experiments`: the experiments runs are filed under. (`/api/judges` routes are in judges.ts.) */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../route.js';
import { experimentsList } from '../schemas/catalog.js';

export function catalogRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/experiments',
    summary: 'Experiments, with how many runs each has',
    tags: ['experiments'],
    response: experimentsList,
    handler: async () => ({ experiments: await ctx.runs.experiments() }),
  });
}
