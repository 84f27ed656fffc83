/**
 * The web UI at `/`: `dist/web` (built by `npm run build`) served statically (with index.html for client-side routes) when
 * it has been built, else a small page saying how to build it. Unknown /api routes are JSON 404s. The UI's files are
 * public routes (no token: they hold no data); what they may load is the Content-Security-Policy of ./headers.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { isPageNavigation } from './auth.js';
import { ApiError } from './errors.js';

/** Where the built UI is looked for by default: `dist/web` at the package root (from src/server or dist/server alike). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const NOT_BUILT_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1em .3em;border-radius:3px}';

/** The CSP source that allows the not-built page's one inline style element, and nothing else inline. */
export const NOT_BUILT_STYLE_SOURCE = `'sha256-${createHash('sha256').update(NOT_BUILT_STYLE).digest('base64')}'`;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Juror</title>
<style>${NOT_BUILT_STYLE}</style>
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
  // Read once, as @fastify/static lists the files once: the index always names assets that are served.
  const page = built ? readFileSync(join(dir, 'index.html'), 'utf8') : NOT_BUILT;
  await app.register(async (ui) => {
    // Every route of this context is one of the UI's files (or its page): public, which auth reads from the route's config.
    ui.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    if (built) await ui.register(fastifyStatic, { root: dir, prefix: '/', wildcard: false, schemaHide: true });
    else ui.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    // Client-side routes of the UI (/runs/abc) get its index page.
    if (built && isPageNavigation(request)) return reply.type('text/html; charset=utf-8').send(page);
    if (path === '/api' || path.startsWith('/api/')) {
      throw new ApiError(404, `no route ${request.method} ${path}`, { hint: 'the routes are listed in /api/openapi.json' });
    }
    throw new ApiError(404, `no page ${path}`);
  });
  return { built };
}
