/**
 * `juror worker`: runs the jobs `juror serve --redis` enqueues, with the same handlers as the server
 * and provider limits shared through Redis with every other worker. SIGTERM or Ctrl-C stops it
 * gracefully (no new chunk; the chunks running finish); a second signal exits at once, and its chunks
 * are taken over by other workers after the lease.
 */
import { connectRedisLimiter } from '../engine/limiter.js';
import { ConfigError, InputError } from '../errors.js';
import { QueueJobs, requireSharedStore } from '../jobs/bullmq.js';
import { JobWorker } from '../jobs/bullmq-worker.js';
import { registerHandlers } from '../jobs/handlers/index.js';
import { JobHandlers } from '../jobs/registry.js';
import { LabelJobs } from '../labeling/engine.js';
import { defaultDataDir } from '../store/data-dir.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { EXIT, reportError } from './exit.js';

/** Flags of `juror worker`. */
export interface WorkerFlags {
  redis?: string;
  concurrency: string;
  chunkSize: string;
  lease: string;
  dataDir?: string;
}

/** Runs jobs until SIGTERM or SIGINT, then stops gracefully and exits 0. */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  try {
    const redisUrl = flags.redis ?? process.env.JUROR_REDIS_URL;
    if (!redisUrl) {
      throw new ConfigError('a worker takes its jobs from Redis, and none is given', {
        where: { field: 'JUROR_REDIS_URL' },
        hint: 'set JUROR_REDIS_URL=redis://host:6379 (the same as `juror serve --redis`), or pass --redis',
      });
    }
    const concurrency = positive(flags.concurrency, '--concurrency');
    const chunkSize = positive(flags.chunkSize, '--chunk-size');
    const leaseMs = Math.round(positive(flags.lease, '--lease', false) * 1000);
    const location = defaultStoreLocation();
    requireSharedStore(location);
    const store = await Store.open(location);
    const limiter = await connectRedisLimiter(redisUrl).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    const queue = { redisUrl, ...(process.env.JUROR_QUEUE ? { queue: process.env.JUROR_QUEUE } : {}) };
    const dataDir = flags.dataDir ?? defaultDataDir(store);
    const handlers = new JobHandlers();
    // A label pass starts the next phase as a job of its own: through the queue, as the server would.
    const runner = await QueueJobs.connect(store, handlers, queue);
    const labeling = new LabelJobs({ store, dataDir, env: process.env, runner });
    registerHandlers(handlers, { dataDir, labeling });
    const worker = await JobWorker.start({
      ...queue,
      store,
      handlers,
      limiter,
      concurrency,
      chunkSize,
      leaseMs,
      onError: (error, jobId) =>
        process.stderr.write(`juror worker: ${jobId ? `job ${jobId}: ` : ''}${String((error as Error)?.message ?? error)}\n`),
    });
    process.stderr.write(
      `juror worker: taking jobs from ${queue.queue ?? 'juror'} on Redis, ${concurrency} at a time, store ${store.where}, datasets in ${dataDir}\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.stderr.write(`juror worker: ${signal}: taking no new work; finishing the chunks running (again to exit now)\n`);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A second signal exits at once: the chunks running are taken over by other workers after the lease.
        const now = () => process.exit(EXIT.interrupted);
        process.once('SIGINT', now);
        process.once('SIGTERM', now);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await worker.close();
    await runner.shutdown();
    await limiter.close();
    await store.close();
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

function positive(text: string, flag: string, whole = true): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new InputError(`${flag} ${text} is not a ${whole ? 'whole ' : ''}number above 0`, {
      where: { field: flag },
      hint: `e.g. ${flag} 4`,
    });
  }
  return value;
}
