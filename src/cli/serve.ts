/** `juror serve`: the REST API under /api and the web UI at /, until Ctrl-C. */
import { InputError } from '../errors.js';
import { durationMs } from '../monitoring/canary-spec.js';
import { startServer } from '../server/app.js';
import { formatBytes } from '../server/datasets/upload.js';
import { ApiTokenRepository } from '../store/api-tokens.js';
import { serverDb } from '../store/server-tables.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { EXIT, reportError } from './exit.js';

/** Flags of `juror serve`. */
export interface ServeFlags {
  port: string;
  host: string;
  db?: string;
  auth?: boolean;
  dataDir?: string;
  maxUploadMb: string;
  /** `--max-ingest-mb`: the largest OTLP or JSON ingest body, after gunzip. */
  maxIngestMb?: string;
  allowConfigEndpoints?: boolean;
  /** `--allowed-host`, repeatable: more names the server answers to. */
  allowedHost?: string[];
  /** `--redis`: enqueue jobs for `juror worker` processes (default JUROR_REDIS_URL). */
  redis?: string;
  /** `--retention`: delete interactions older than this age (`30d`; default JUROR_RETENTION), keeping window aggregates. */
  retention?: string;
}

/** Serves until SIGINT or SIGTERM, then stops running jobs (their runs stay resumable) and exits 0. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  try {
    const port = wholeNumber(flags.port, '--port', 0, 65535);
    const maxUploadMb = Number(flags.maxUploadMb);
    if (!Number.isFinite(maxUploadMb) || maxUploadMb <= 0) {
      throw new InputError(`--max-upload-mb ${flags.maxUploadMb} is not a size in megabytes`, {
        where: { field: '--max-upload-mb' },
        hint: 'e.g. --max-upload-mb 500',
      });
    }
    const maxIngestMb = Number(flags.maxIngestMb ?? 16);
    if (!Number.isFinite(maxIngestMb) || maxIngestMb <= 0) {
      throw new InputError(`--max-ingest-mb ${flags.maxIngestMb} is not a size in megabytes`, {
        where: { field: '--max-ingest-mb' },
        hint: 'e.g. --max-ingest-mb 64',
      });
    }
    const allowedHosts = (flags.allowedHost ?? []).map(allowedHost);
    const retention = retentionAge(flags.retention ?? process.env.JUROR_RETENTION, flags.retention !== undefined);
    const location = flags.db ? { path: flags.db } : defaultStoreLocation();
    const redisUrl = flags.redis ?? process.env.JUROR_REDIS_URL;
    if (redisUrl) (await import('../jobs/bullmq.js')).requireSharedStore(location);
    const store = await Store.open(location);
    let server;
    try {
      server = await startServer({
        store,
        port,
        host: flags.host,
        ...(flags.auth ? { auth: true } : {}),
        ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
        maxUploadBytes: Math.round(maxUploadMb * 1024 * 1024),
        maxIngestBytes: Math.round(maxIngestMb * 1024 * 1024),
        ...(flags.allowConfigEndpoints ? { allowConfigEndpoints: true } : {}),
        allowedHosts,
        ...(redisUrl ? { queue: { redisUrl, ...(process.env.JUROR_QUEUE ? { queue: process.env.JUROR_QUEUE } : {}) } } : {}),
        ...(retention ? { retention: { maxAgeMs: retention.ms } } : {}),
      });
    } catch (error) {
      await store.close();
      throw listenError(error, flags.host, port);
    }
    const lines = [
      `juror: serving ${store.where} on ${server.url}`,
      `  API ${server.url}/api (OpenAPI: ${server.url}/api/openapi.json), UI ${server.url}/${server.uiBuilt ? '' : ' (not built: dist/web is missing; run npm run build)'}`,
      `  datasets kept in ${server.dataDir}, uploads up to ${formatBytes(Math.round(maxUploadMb * 1024 * 1024))}`,
    ];
    if (redisUrl) lines.push(`  jobs are queued on Redis for \`juror worker\` processes (none run here)`);
    if (allowedHosts.length > 0) lines.push(`  also answers to ${allowedHosts.join(', ')}`);
    if (retention) lines.push(`  interactions older than ${retention.text} are deleted hourly (monitors' window aggregates are kept)`);
    if (server.auth) {
      const tokens = await new ApiTokenRepository(serverDb(store)).count();
      lines.push(
        `  /api needs a token (Authorization: Bearer …)${tokens === 0 ? ': there is none yet — create one with `juror tokens create`' : ''}`,
      );
    }
    process.stderr.write(lines.join('\n') + '\n');
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.stderr.write(`\njuror: ${signal}: stopping; running evaluations are interrupted and can be resumed\n`);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await store.close();
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new InputError(`port ${port} on ${host} is in use`, {
      where: { field: '--port' },
      hint: 'stop what uses it, or pick another port with --port',
    });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new InputError(`cannot listen on ${host}: no such interface on this machine`, {
      where: { field: '--host' },
      hint: 'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface; needs tokens)',
    });
  if (code === 'EACCES')
    return new InputError(`not allowed to listen on port ${port}`, { where: { field: '--port' }, hint: 'use a port above 1023' });
  return error;
}

/** The `--retention` age (or JUROR_RETENTION's), or undefined when none is set. */
function retentionAge(text: string | undefined, fromFlag: boolean): { text: string; ms: number } | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = durationMs(text);
  if (ms === undefined) {
    const field = fromFlag ? '--retention' : 'JUROR_RETENTION';
    throw new InputError(`${field} ${text} is not an age`, {
      where: { field },
      hint: 'write it as <n>d, <n>h or <n>m: e.g. --retention 30d',
    });
  }
  return { text: text.trim(), ms };
}

/** An `--allowed-host` value: a host name or address (any port is accepted anyway), not a URL. */
function allowedHost(value: string): string {
  const name = value.trim();
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(name)) {
    throw new InputError(`--allowed-host ${value} is not a host name`, {
      where: { field: '--allowed-host' },
      hint: 'give the name only, without scheme, port or path: e.g. --allowed-host juror.internal',
    });
  }
  return name.toLowerCase();
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${flag} ${text} is not a whole number from ${min} to ${max}`, {
      where: { field: flag },
      hint: `e.g. ${flag} 4173`,
    });
  }
  return value;
}
