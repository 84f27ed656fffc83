/** `GET /api/experiments` and `GET /api/judges`: what the store holds besides runs. */
import type { FastifyInstance } from 'fastify';
import { judgeToConfig } from '../../judges/serialize.js';
import type { ServerContext } from '../context.js';
import { route } from '../route.js';
import { experimentsList, judgesList } from '../schemas/catalog.js';

export function catalogRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/experiments',
    summary: 'Experiments, with how many runs each has',
    tags: ['experiments'],
    response: experimentsList,
    handler: async () => ({ experiments: await ctx.runs.experiments() }),
  });

  route(app, {
    method: 'GET',
    url: '/api/judges',
    summary: 'Every judge definition ever used, grouped by name with its versions (examples included)',
    tags: ['judges'],
    response: judgesList,
    handler: async () => ({
      judges: (await ctx.store.judges.all()).map((group) => ({
        name: group.name,
        versions: group.versions.map(({ definition, ...version }) => ({ ...version, definition: judgeToConfig(definition) as unknown as Record<string, unknown> })),
      })),
    }),
  });
}
