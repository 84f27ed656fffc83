/**
 * The web UI at `/`: `dist/web` (built by `npm run build`) served statically (with index.html for client-side routes) when
 * it has been built, else a small page saying how to build it. Unknown /api routes are JSON 404s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/** Where the built UI is looked for by default: `dist/web` at the package root (from src/server or dist/server alike). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Juror</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1em .3em;border-radius:3px}</style>
</head><body>
<h1>Juror</h1>
<p>The API is running under <a href="/api/health"><code>/api</code></a>; its OpenAPI document is at <a href="/api/openapi.json"><code>/api/openapi.json</code></a>.</p>
<p>The web UI is not built: there is no <code>dist/web</code>. Run <code>npm run build</code>, then restart <code>juror serve</code>.</p>
</body></html>
`;

/** Serves the UI (or the not-built page) and answers unknown routes. */
export async function registerUi(app: FastifyInstance, webDir: string | false | undefined): Promise<{ built: boolean }> {
  const dir = webDir === false ? undefined : (webDir ?? DEFAULT_WEB_DIR);
  const built = dir !== undefined && existsSync(join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: dir, prefix: '/', wildcard: false, schemaHide: true });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/api' || path.startsWith('/api/')) {
      throw new ApiError(404, `no route ${request.method} ${path}`, { hint: 'the routes are listed in /api/openapi.json' });
    }
    // Client-side routes of the UI (/runs/abc) get its index page.
    if (built && request.method === 'GET' && !/\.[a-z0-9]+$/i.test(path)) return reply.sendFile('index.html');
    throw new ApiError(404, `no page ${path}`);
  });
  return { built };
}
