/**
 * `juror serve`'s HTTP server: the REST API under /api (documented at /api/openapi.json) and the
 * web UI at /. Fastify over the tracking store; evaluations, label passes and align checks
 * started over the API are jobs of the embedded job system (src/jobs/): they run in this process
 * with the same `evaluate()` as the CLI, and jobs a stopped server left unfinished resume on start.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { QueueSettings } from '../jobs/bullmq.js';
import { EmbeddedJobs } from '../jobs/embedded.js';
import { registerHandlers } from '../jobs/handlers/index.js';
import { JobHandlers } from '../jobs/registry.js';
import type { Jobs } from '../jobs/types.js';
import { LabelJobs } from '../labeling/engine.js';
import { defaultDataDir } from '../store/data-dir.js';
import { Store, type StoreLocation } from '../store/store.js';
import { installAuth, isLoopback } from './auth.js';
import { repositories, type ServerContext } from './context.js';
import { installErrorHandler } from './errors.js';
import { registerSecurityHeaders } from './headers.js';
import { registerOpenApi, registerOpenApiRoute } from './openapi.js';
import { installOriginGuard } from './origin-guard.js';
import { installZodCompilers } from './route.js';
import { canaryRoutes } from './routes/canaries.js';
import { catalogRoutes } from './routes/catalog.js';
import { compareRoutes } from './routes/compare.js';
import { datasetRoutes } from './routes/datasets.js';
import { finetuneRoutes } from './routes/finetunes.js';
import { healthRoutes } from './routes/health.js';
import { interactionRoutes } from './routes/interactions.js';
import { monitorRoutes } from './routes/monitors.js';
import { jobRoutes } from './routes/jobs.js';
import { judgeRoutes } from './routes/judges.js';
import { labelJobRoutes } from './routes/label-jobs.js';
import { resultRoutes } from './routes/results.js';
import { runRoutes } from './routes/runs.js';
import { registerUi } from './ui.js';

/**
 * One spelling per route (Fastify's defaults, made explicit so that a change of default cannot widen them): a trailing
 * or doubled slash, another case or a `;param` is a 404, never a second way into a route. Auth is decided on the
 * matched route, so no variant would skip it either way; this keeps one URL per resource for clients and caches.
 * (A variable, not a literal: Fastify's types do not list useSemicolonDelimiter yet, though its router reads it.)
 */
const ROUTER_OPTIONS = { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, caseSensitive: true, useSemicolonDelimiter: false };

/** Default upload limit: 100 MB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Default ingest body limit (OTLP, JSON interactions): 16 MB. */
export const DEFAULT_MAX_INGEST_BYTES = 16 * 1024 * 1024;

/** How `juror serve` (or a test) configures the server. */
export interface ServerOptions {
  /** An open store (left open on close) or where to open one (closed on close). */
  store: Store | StoreLocation;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 4173; 0 picks a free one). */
  port?: number;
  /** Require a bearer token on /api even on loopback. Off loopback, tokens are always required. */
  auth?: boolean;
  /**
   * More host names the server answers to (`--allowed-host`; any port), besides loopback names and `host`: without
   * tokens other Host values are refused (DNS rebinding). Browser pages on these names may also change things.
   */
  allowedHosts?: string[];
  /** Where uploaded datasets are kept. Default: `datasets/` next to the SQLite file; `.juror/datasets` for Postgres. */
  dataDir?: string;
  /** Largest dataset upload accepted, in bytes (default 100 MB). */
  maxUploadBytes?: number;
  /** Largest ingest body (OTLP traces, JSON interactions) after gunzip, in bytes (default 16 MB). */
  maxIngestBytes?: number;
  /** The environment evaluations see: provider keys and base URLs (default process.env). */
  env?: Record<string, string | undefined>;
  /** The built UI (default `dist/web` of the package); false serves none. */
  webDir?: string | false;
  /** Let configs sent over the API declare `endpoints` (off: they could send the server's keys elsewhere). */
  allowConfigEndpoints?: boolean;
  /** Fastify's request log (default off). */
  logger?: boolean;
  /**
   * Enqueue jobs on this Redis for `juror worker` processes instead of running them here (`--redis` /
   * `JUROR_REDIS_URL`); the store must then be Postgres, which the workers share.
   */
  queue?: QueueSettings;
  /** Check every response against its schema (a mismatch is a 500): for tests. */
  checkResponses?: boolean;
  /**
   * Delete interactions older than `maxAgeMs` (by their timestamp) once on start and every `everyMs`
   * (default hourly), keeping the monitors' window aggregates (`--retention`, src/monitoring/retention.ts).
   */
  retention?: { maxAgeMs: number; everyMs?: number };
}

/** A listening server. */
export interface JurorServer {
  app: FastifyInstance;
  /** `http://host:port`. */
  url: string;
  /** Whether /api calls need a token. */
  auth: boolean;
  dataDir: string;
  store: Store;
  /** Whether dist/web was found and is served. */
  uiBuilt: boolean;
  /** Stops running jobs (queued again: they resume on the next start), stops listening, and closes a store it opened. */
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens. */
export async function startServer(options: ServerOptions): Promise<JurorServer> {
  const host = options.host ?? '127.0.0.1';
  const ownsStore = !(options.store instanceof Store);
  const store = options.store instanceof Store ? options.store : await Store.open(options.store);
  try {
    const auth = options.auth === true || !isLoopback(host);
    const { app, context, uiBuilt } = await buildApp({ ...options, store, auth });
    await app.listen({ port: options.port ?? 4173, host });
    const retention = options.retention
      ? (await import('../monitoring/retention.js')).startRetention(store, {
          ...options.retention,
          onError: (error) => app.log.error({ err: error }, 'retention pass failed'),
        })
      : undefined;
    const { port } = app.server.address() as AddressInfo;
    const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return {
      app,
      url: `http://${urlHost}:${port}`,
      auth,
      dataDir: context.dataDir,
      store,
      uiBuilt,
      close: async () => {
        await retention?.stop();
        await context.runner.shutdown();
        await app.close();
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
}

/** Builds the Fastify app over an open store without listening (`app.inject` works on it). */
export async function buildApp(
  options: ServerOptions & { store: Store; auth: boolean },
): Promise<{ app: FastifyInstance; context: ServerContext; uiBuilt: boolean }> {
  const app = Fastify({ logger: options.logger ?? false, routerOptions: ROUTER_OPTIONS });
  const repos = repositories(options.store);
  const dataDir = resolve(options.dataDir ?? defaultDataDir(options.store));
  mkdirSync(dataDir, { recursive: true });
  removeAbandonedUploads(dataDir);
  const env = options.env ?? process.env;
  const handlers = new JobHandlers();
  const runner: Jobs = options.queue
    ? await (await import('../jobs/bullmq.js')).QueueJobs.connect(options.store, handlers, options.queue)
    : new EmbeddedJobs({
        store: options.store,
        handlers,
        env,
        onError: (error, jobId) => app.log.error({ err: error, jobId }, 'job failed'),
      });
  const labeling = new LabelJobs({ store: options.store, dataDir, env, runner });
  registerHandlers(handlers, { dataDir, labeling });
  const context: ServerContext = {
    ...repos,
    store: options.store,
    runner,
    labeling,
    dataDir,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    maxIngestBytes: options.maxIngestBytes ?? DEFAULT_MAX_INGEST_BYTES,
    env,
    auth: options.auth,
    allowConfigEndpoints: options.allowConfigEndpoints ?? false,
  };
  installZodCompilers(app, { checkResponses: options.checkResponses ?? false });
  installErrorHandler(app);
  // Headers first, so that the guards' refusals carry them too.
  await registerSecurityHeaders(app);
  installOriginGuard(app, { listenHost: options.host ?? '127.0.0.1', allowedHosts: options.allowedHosts ?? [], checkHost: !options.auth });
  if (options.auth) installAuth(app, repos.tokens);
  await app.register(multipart, { limits: { fileSize: context.maxUploadBytes, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 } });
  await registerOpenApi(app, { auth: options.auth });
  healthRoutes(app, context);
  catalogRoutes(app, context);
  runRoutes(app, context);
  compareRoutes(app, context);
  resultRoutes(app, context);
  datasetRoutes(app, context);
  jobRoutes(app, context);
  labelJobRoutes(app, context);
  finetuneRoutes(app, context);
  judgeRoutes(app, context);
  interactionRoutes(app, context);
  monitorRoutes(app, context);
  canaryRoutes(app, context);
  registerOpenApiRoute(app);
  const { built } = await registerUi(app, options.webDir);
  await app.ready();
  // Last, so that nothing after it can fail with jobs already running.
  await runner.resumeUnfinished();
  await labeling.failAbandoned();
  return { app, context, uiBuilt: built };
}

/** Temporary files of uploads cut short by a crash. */
function removeAbandonedUploads(dataDir: string): void {
  for (const name of readdirSync(dataDir)) if (name.startsWith('.upload-')) rmSync(join(dataDir, name), { force: true });
}
