/**
 * The distributed backend (issue #12): jobs are stored as the embedded backend stores them, and
 * handed to `juror worker` processes through a BullMQ queue on Redis; the store must be one every
 * process sees (Postgres). This side is the server's: it enqueues, cancels (a key the workers check
 * before each chunk, and a pub/sub message that aborts the chunks running), and reads jobs from the
 * store, which workers keep current. The workers' side is bullmq-worker.ts.
 *
 * Jobs of a long-running kind (a monitor's judging: it runs for as long as its monitor is active) go
 * to a queue of their own, so that workers run them beside their `--concurrency` chunks rather than
 * in one of those slots, and take them over from one another as they do chunks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError, JurorError } from '../errors.js';
import { FINAL_JOB_STATUSES, JobRepository, type JobQuery, type JobRecord } from '../store/jobs.js';
import { serverDb, type JobKind } from '../store/server-tables.js';
import type { Store, StoreLocation } from '../store/store.js';
import type { JobHandlers } from './registry.js';
import type { Jobs, StartOptions } from './types.js';

/** Where the queue lives: Redis, and the queue's name (several deployments may share one Redis). */
export interface QueueSettings {
  /** `redis://[:password@]host:port[/db]` (`--redis` / `JUROR_REDIS_URL`). */
  redisUrl: string;
  /** The queue's name (`JUROR_QUEUE`; default `juror`). */
  queue?: string;
}

/** The names a deployment's processes agree on. */
export function queueKeys(settings: QueueSettings) {
  const name = settings.queue ?? 'juror';
  return {
    name,
    /** The queue of long-running kinds (registry `longRunning`). */
    longRunning: `${name}-long`,
    cancelChannel: `juror:${name}:cancel`,
    cancelled: (jobId: string) => `juror:${name}:cancelled:${jobId}`,
    progress: (jobId: string) => `juror:${name}:progress:${jobId}`,
    /** Set while a step suspected of crashing its worker runs alone (bullmq-worker.ts). */
    alone: (stepId: string) => `juror:${name}:alone:${stepId}`,
  };
}

/** How long a cancel mark is kept: longer than any job waits in the queue. */
export const CANCEL_MARK_SECONDS = 7 * 24 * 3600;

/** How often the server reads a job that workers run, while it waits on it. */
const POLL_MS = 100;

/** How long a request that waits for its run (POST /api/runs) waits for a worker to create it. */
const AWAIT_RUN_MS = 60_000;

/**
 * Refuses a store that other processes cannot share: with a queue, workers on other machines write
 * the runs, so the store must be Postgres.
 */
export function requireSharedStore(location: StoreLocation): void {
  if (!('url' in location) || !location.url) {
    throw new ConfigError('workers on Redis need a store every process can reach, and SQLite is a file of one machine', {
      where: { field: 'JUROR_DATABASE_URL' },
      hint: 'set JUROR_DATABASE_URL=postgres://user@host/db for `juror serve` and every `juror worker`, or drop --redis / JUROR_REDIS_URL to run jobs in the server',
    });
  }
}

/** A Redis connection that answered, or a ConfigError naming JUROR_REDIS_URL. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  try {
    await redis.connect();
    // Once connected, an outage is ioredis's to ride out (it reconnects, commands wait): not an
    // unhandled 'error' event. A failed first connect is reported below.
    redis.on('error', () => undefined);
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new ConfigError(
      `cannot reach Redis at ${url.replace(/\/\/([^@/]*)@/, '//***@')} for the job queue: ${String((error as Error)?.message ?? error)}`,
      {
        where: { field: 'JUROR_REDIS_URL' },
        hint: 'start Redis there or correct --redis / JUROR_REDIS_URL; without it, jobs run inside `juror serve`',
        cause: error,
      },
    );
  }
}

/** The server's side of the distributed backend: enqueue, cancel, read. */
export class QueueJobs implements Jobs {
  private readonly repo: JobRepository;
  private readonly keys: ReturnType<typeof queueKeys>;

  private constructor(
    private readonly handlers: JobHandlers,
    private readonly queue: Queue,
    private readonly longQueue: Queue,
    private readonly redis: Redis,
    store: Store,
    settings: QueueSettings,
  ) {
    this.repo = new JobRepository(serverDb(store));
    this.keys = queueKeys(settings);
  }

  /**
   * Connects to the queue on `settings.redisUrl`.
   * @example const jobs = await QueueJobs.connect(store, handlers, { redisUrl: 'redis://127.0.0.1:6379' });
   */
  static async connect(store: Store, handlers: JobHandlers, settings: QueueSettings): Promise<QueueJobs> {
    const redis = await connectRedis(settings.redisUrl);
    const connection = { url: settings.redisUrl, maxRetriesPerRequest: null };
    const keys = queueKeys(settings);
    return new QueueJobs(
      handlers,
      new Queue(keys.name, { connection }),
      new Queue(keys.longRunning, { connection }),
      redis,
      store,
      settings,
    );
  }

  /** Stores the job and enqueues it; with `awaitRun`, resolves once a worker has created its run. */
  async start<P>(kind: JobKind, payload: P, options: StartOptions = {}): Promise<JobRecord<P>> {
    this.handlers.get(kind);
    const record = await this.repo.create({ kind, payload, target: options.target ?? null });
    await this.enqueue(record);
    if (!options.awaitRun) return record;
    const deadline = Date.now() + AWAIT_RUN_MS;
    for (;;) {
      const job = await this.repo.get(record.id);
      if (job?.run_id) return job as JobRecord<P>;
      if (job?.status === 'failed' || job?.status === 'cancelled') {
        await this.repo.delete(record.id);
        throw new JurorError('store', job.error ?? `job ${record.id} ended ${job.status} before creating its run`);
      }
      if (Date.now() > deadline) {
        throw new JurorError('store', `no worker created the run of job ${record.id} within ${AWAIT_RUN_MS / 1000} s; it stays queued`, {
          hint: 'start workers with `juror worker` (same JUROR_DATABASE_URL and JUROR_REDIS_URL); the job runs when one is up',
        });
      }
      await sleep(POLL_MS);
    }
  }

  /** A job by id, or undefined. */
  get(id: string): Promise<JobRecord | undefined> {
    return this.repo.get(id);
  }

  /** Jobs newest first, with their total. */
  list(filter: JobQuery): Promise<{ jobs: JobRecord[]; total: number }> {
    return this.repo.list(filter);
  }

  /** Workers write progress to the store as they go: nothing here is fresher. */
  liveProgress(): unknown {
    return undefined;
  }

  /**
   * Marks the job cancelled for every worker (chunks not started are skipped, running ones aborted)
   * and waits for the job to end. A job no worker has taken yet ends `cancelled` at once.
   */
  async cancel(id: string, waitMs = 10_000): Promise<JobRecord | undefined> {
    const job = await this.repo.get(id);
    if (!job || FINAL_JOB_STATUSES.includes(job.status)) return job;
    await this.redis.set(this.keys.cancelled(id), '1', 'EX', CANCEL_MARK_SECONDS);
    await this.redis.publish(this.keys.cancelChannel, id);
    if (
      job.status === 'queued' &&
      (await this.queueOf(job)
        .remove(id)
        .catch(() => 0)) === 1
    ) {
      await this.repo.update(id, { status: 'cancelled', error: 'interrupted by the user: cancelled before a worker took it' });
    }
    return this.waitFinal(id, waitMs);
  }

  /** Resolves when the job has ended (workers run it), with the job. */
  settled(id: string): Promise<JobRecord | undefined> {
    return this.waitFinal(id, Infinity);
  }

  /**
   * Enqueues again the unfinished jobs the queue no longer holds — a Redis that lost its data, or jobs
   * an embedded server left unfinished — so that workers resume them: an evaluation continues its run,
   * judging only rows not written. Jobs the queue holds are left to the workers, which take them over
   * from one another.
   */
  async resumeUnfinished(): Promise<number> {
    let resumed = 0;
    for (const job of await this.repo.unfinished()) {
      const queue = this.queueOf(job);
      const steps = await Promise.all([queue.getJob(job.id), queue.getJob(`${job.id}-finish`)]);
      const states = await Promise.all(steps.map((step) => step?.getState()));
      if (states.some((state) => state !== undefined && state !== 'failed' && state !== 'unknown')) continue;
      await steps[0]?.remove().catch(() => undefined);
      await this.enqueue(job);
      resumed++;
    }
    return resumed;
  }

  private async enqueue(job: JobRecord): Promise<void> {
    await this.queueOf(job).add(
      'job',
      { jobId: job.id },
      { jobId: job.id, removeOnComplete: true, removeOnFail: { age: CANCEL_MARK_SECONDS } },
    );
  }

  /** The queue a job goes to: the long-running kinds' own, or the one of chunks. */
  private queueOf(job: Pick<JobRecord, 'kind'>): Queue {
    return this.handlers.longRunning(job.kind) ? this.longQueue : this.queue;
  }

  /** Closes the connections; jobs go on in the workers. */
  async shutdown(): Promise<void> {
    await this.queue.close();
    await this.longQueue.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async waitFinal(id: string, waitMs: number): Promise<JobRecord | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await this.repo.get(id);
      if (!job || FINAL_JOB_STATUSES.includes(job.status) || Date.now() > deadline) return job;
      await sleep(POLL_MS);
    }
  }
}
