/**
 * The workers' side of the distributed backend (`juror worker`): a BullMQ Worker running the same
 * handlers, with the same JobContext, as the embedded backend — over the shared store, with the
 * Redis provider limiter, so that limits hold across every worker together.
 *
 * A job of a kind that splits (an evaluation) becomes a BullMQ flow: its `job` step plans (creates
 * the run) and adds a `finish` parent with one `chunk` child per `chunkSize` rows. A worker that dies
 * loses its lock; after `leaseMs` BullMQ's stalled check hands its chunks to the others, which judge
 * only the rows it had not written. A chunk that keeps failing, or that crashes its worker, is given
 * up on and reaches `finish`, which records its unwritten rows as error rows: bounded attempts, never
 * an endless loop.
 *
 * A crash cannot tell which of the steps running beside each other caused it, so it does not count
 * against them all: a step taken over from a dead worker is a suspect, and runs alone in its next
 * worker (the others there wait, and none starts beside it), marked in Redis while it runs. Dying
 * again while alone is then its own doing: taken over once more, the mark left behind gives it up.
 * A bystander costs nothing but a wait; the row that crashes is tried twice, as before.
 *
 * A job of a long-running kind (a monitor) comes from a queue of its own and runs beside the chunks,
 * not in one of the `concurrency` slots. BullMQ's lock keeps it in one worker at a time; a worker that
 * dies loses it to another after the lease, however many times; a worker that stops (SIGTERM) or
 * fails to renew its lease stops the job and hands it back to the queue at once.
 */
import { FlowProducer, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Limiter } from '../engine/limiter.js';
import { FINAL_JOB_STATUSES, JobRepository, type JobPatch, type JobRecord } from '../store/jobs.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import { connectRedis, queueKeys, CANCEL_MARK_SECONDS, type QueueSettings } from './bullmq.js';
import { PROGRESS_WRITE_MS } from './embedded.js';
import { jobEnding } from './ending.js';
import type { JobHandlers } from './registry.js';
import { JobStop, type ChunkedHandler, type JobContext } from './types.js';

/** How a worker is set up. */
export interface JobWorkerOptions extends QueueSettings {
  store: Store;
  handlers: JobHandlers;
  /** Shared provider limits (the Redis limiter); the caller closes it. */
  limiter?: Limiter;
  /** Jobs (chunks) this process runs at once (default 2). */
  concurrency?: number;
  /**
   * Rows per chunk (default 1000: 1.6 s of work at 64 calls in flight of 100 ms). Each chunk reads its
   * file up to its last row, so smaller chunks of a large file cost more reading than judging.
   */
  chunkSize?: number;
  /** How long a dead worker's chunks wait before others take them over (default 30 s). */
  leaseMs?: number;
  env?: Record<string, string | undefined>;
  /** Faults that are not a job's own (a handler's unexpected throw, a store write refused). */
  onError?: (error: unknown, jobId: string) => void;
}

/** What each step of a job carries in the queue. */
interface StepData {
  jobId: string;
  start?: number;
  end?: number;
}

/** Attempts of a chunk that throws (a store or Redis outage), before its rows are recorded as errors. */
const CHUNK_ATTEMPTS = 3;

/**
 * Take-overs after which BullMQ fails a step on its own: a backstop only — a step that crashes its
 * worker is given up on after two (see the module comment); a bystander waits beside each suspect.
 */
const MAX_STALLS = 10;

/** Long-running jobs (monitors) one worker takes at most; more wait for another worker. */
const LONG_RUNNING_AT_ONCE = 100;

/**
 * A long-running job lives for months and is taken over each time a worker running it dies: BullMQ's
 * limit of stalls is set out of reach rather than failing a monitor on its Nth deploy.
 */
const LONG_RUNNING_TAKEOVERS = Number.MAX_SAFE_INTEGER;

export class JobWorker {
  private readonly repo: JobRepository;
  private readonly keys: ReturnType<typeof queueKeys>;
  private readonly active = new Map<string, { jobId: string; controller: AbortController; longRunning?: boolean }>();
  private readonly lastWrite = new Map<string, number>();
  private readonly onError: (error: unknown, jobId: string) => void;
  private worker!: Worker<StepData>;
  private longRunningWorker!: Worker<StepData>;
  private flows!: FlowProducer;
  private closing = false;
  /** Set by `close(true)`: steps that were waiting for their turn stop as they start. */
  private aborting = false;
  private readonly isolation = new Isolation();

  private constructor(
    private readonly options: JobWorkerOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
  ) {
    this.repo = new JobRepository(serverDb(options.store));
    this.keys = queueKeys(options);
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Connects and starts taking jobs.
   * @example const worker = await JobWorker.start({ store, handlers, redisUrl, limiter, concurrency: 4 });
   */
  static async start(options: JobWorkerOptions): Promise<JobWorker> {
    const redis = await connectRedis(options.redisUrl);
    const subscriber = redis.duplicate();
    subscriber.on('error', () => undefined);
    const self = new JobWorker(options, redis, subscriber);
    subscriber.on('message', (_channel: string, jobId: string) => self.abortJob(jobId, new JobStop('cancel')));
    await subscriber.subscribe(self.keys.cancelChannel);
    const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
    self.flows = new FlowProducer({ connection });
    const leaseMs = options.leaseMs ?? 30_000;
    self.worker = new Worker<StepData>(self.keys.name, (job) => self.process(job), {
      connection,
      concurrency: options.concurrency ?? 2,
      lockDuration: leaseMs,
      stalledInterval: leaseMs,
      maxStalledCount: MAX_STALLS,
    });
    self.worker.on('error', (error) => self.onError(error, ''));
    self.longRunningWorker = new Worker<StepData>(self.keys.longRunning, (job, token) => self.processLongRunning(job, token), {
      connection,
      concurrency: LONG_RUNNING_AT_ONCE,
      lockDuration: leaseMs,
      stalledInterval: leaseMs,
      maxStalledCount: LONG_RUNNING_TAKEOVERS,
    });
    self.longRunningWorker.on('error', (error) => self.onError(error, ''));
    // A lease this worker could not renew may be another's by now: stop, so that one job runs in one worker.
    self.longRunningWorker.on('lockRenewalFailed', (stepIds) => {
      for (const id of stepIds) self.active.get(id)?.controller.abort(new JobStop('shutdown'));
    });
    return self;
  }

  /**
   * Stops gracefully: takes no new step, lets the steps running finish (a chunk is seconds of work),
   * hands the long-running jobs back to the queue for other workers, and closes the connections
   * (`juror worker` on SIGTERM). With `abort`, running steps are stopped instead and fail their
   * attempt: a chunk is tried again (by any worker) over its rows not written, and a job's own step
   * is enqueued again by the next server start.
   */
  async close(abort = false): Promise<void> {
    this.closing = true;
    this.aborting = abort;
    const longRunningClosed = this.longRunningWorker.close();
    for (const { controller, longRunning } of this.active.values()) if (abort || longRunning) controller.abort(new JobStop('shutdown'));
    await longRunningClosed;
    await this.worker.close();
    await this.flows.close();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private abortJob(jobId: string, stop: JobStop): void {
    for (const entry of this.active.values()) if (entry.jobId === jobId) entry.controller.abort(stop);
  }

  /** A step of the main queue: beside the others, or alone when it may have crashed a worker (see the module comment). */
  private async process(step: Job<StepData>): Promise<void> {
    if (step.stalledCounter === 0) return this.isolation.beside(() => this.runStep(step));
    const mark = this.keys.alone(step.id!);
    if (await this.redis.exists(mark)) return this.giveUp(step);
    return this.isolation.alone(async () => {
      await this.redis.set(mark, '1', 'EX', CANCEL_MARK_SECONDS);
      try {
        return await this.runStep(step);
      } finally {
        // Left behind only by a process that died running it.
        await this.redis.del(mark);
      }
    });
  }

  /** A step that crashed the worker running it alone: a chunk fails (its rows become error rows), another step fails its job. */
  private async giveUp(step: Job<StepData>): Promise<void> {
    const reason = 'it crashed the worker process that ran it alone, after taking over from one that died';
    if (step.name === 'chunk') throw new UnrecoverableError(reason);
    const record = await this.repo.get(step.data.jobId);
    if (record && !FINAL_JOB_STATUSES.includes(record.status))
      await this.repo.update(record.id, { status: 'failed', error: `the job's ${step.name === 'finish' ? 'summary' : 'plan'}: ${reason}` });
  }

  private async runStep(step: Job<StepData>): Promise<void> {
    const record = await this.repo.get(step.data.jobId);
    // A job removed from the store, or ended (cancelled while queued), has nothing left to do.
    if (!record || record.status === 'completed' || record.status === 'failed') return;
    const controller = new AbortController();
    this.active.set(step.id!, { jobId: record.id, controller });
    if (this.aborting) controller.abort(new JobStop('shutdown'));
    try {
      if (record.status === 'cancelled' || (await this.redis.exists(this.keys.cancelled(record.id))))
        controller.abort(new JobStop('cancel'));
      const chunked = this.options.handlers.chunked(record.kind);
      if (step.name === 'chunk') return await this.runChunk(record, chunked!, step, controller);
      if (step.name === 'finish') return await this.finish(record, chunked!, step, controller);
      return await this.runJob(record, chunked, controller);
    } finally {
      this.active.delete(step.id!);
    }
  }

  /**
   * A job of a long-running kind, for as long as it runs: it ends as any job does, except when stopped
   * with its worker (a graceful stop, a lease lost), when it goes back to the queue for the next worker
   * and stays `running` in the store.
   */
  private async processLongRunning(step: Job<StepData>, token: string | undefined): Promise<void> {
    const record = await this.repo.get(step.data.jobId);
    if (!record || FINAL_JOB_STATUSES.includes(record.status)) return;
    const controller = new AbortController();
    this.active.set(step.id!, { jobId: record.id, controller, longRunning: true });
    let progress: unknown;
    try {
      if (this.closing) controller.abort(new JobStop('shutdown'));
      if (await this.redis.exists(this.keys.cancelled(record.id))) controller.abort(new JobStop('cancel'));
      const ctx = this.context(record, controller, (p) => {
        progress = p;
        this.writeProgress(record.id, p);
      });
      try {
        controller.signal.throwIfAborted();
        await this.repo.update(record.id, { status: 'running', error: null });
        await this.options.handlers.get(record.kind)(record, ctx);
        await this.repo.update(record.id, { status: 'completed', error: null, ...(progress !== undefined ? { progress } : {}) });
      } catch (error) {
        const patch = jobEnding(controller.signal, error, progress, (unexpected) => this.onError(unexpected, record.id));
        if (patch.status !== 'queued') return void (await this.repo.update(record.id, patch));
        // A lease already lost has put the job back in the queue (or in another worker) without us.
        await step.moveToWait(token).catch(() => undefined);
        throw new WaitingError();
      }
    } finally {
      this.active.delete(step.id!);
    }
  }

  /** A job's first step: the whole job, or the plan of a job that splits, which then adds its chunks. */
  private async runJob(record: JobRecord, chunked: ChunkedHandler | undefined, controller: AbortController): Promise<void> {
    let progress: unknown;
    const ctx = this.context(record, controller, (p) => {
      progress = p;
      this.writeProgress(record.id, p);
    });
    try {
      controller.signal.throwIfAborted();
      await this.repo.update(record.id, { status: 'running', error: null });
      if (!chunked) {
        await this.options.handlers.get(record.kind)(record, ctx);
        await this.repo.update(record.id, { status: 'completed', error: null, ...(progress !== undefined ? { progress } : {}) });
        return;
      }
      const { rowCount } = await chunked.plan(record, ctx);
      const size = Math.max(1, this.options.chunkSize ?? 1000);
      const children = [];
      for (let start = 0; start < rowCount; start += size) {
        const end = Math.min(rowCount, start + size);
        children.push({
          name: 'chunk',
          queueName: this.keys.name,
          data: { jobId: record.id, start, end },
          opts: {
            jobId: `${record.id}-${start}-${end}`,
            attempts: CHUNK_ATTEMPTS,
            backoff: { type: 'exponential', delay: 1000 },
            ignoreDependencyOnFailure: true,
            removeOnComplete: true,
          },
        });
      }
      await this.flows.add({
        name: 'finish',
        queueName: this.keys.name,
        data: { jobId: record.id },
        opts: { jobId: `${record.id}-finish`, removeOnComplete: true },
        children,
      });
    } catch (error) {
      await this.end(record, controller.signal, error, progress);
    }
  }

  /** One chunk: its rows of the run, each written once; a cancel ends it quietly (the finish records the cancel). */
  private async runChunk(record: JobRecord, chunked: ChunkedHandler, step: Job<StepData>, controller: AbortController): Promise<void> {
    if (controller.signal.aborted) return;
    const field = String(step.data.start);
    let last: unknown;
    const ctx = this.context(record, controller, (p) => {
      last = p;
      this.saveChunkProgress(record.id, field, p, chunked);
    });
    try {
      await chunked.chunk(record, ctx, { start: step.data.start!, end: step.data.end! });
    } catch (error) {
      if (controller.signal.aborted && (controller.signal.reason as JobStop).reason === 'cancel') return;
      throw error;
    } finally {
      if (last !== undefined) await this.redis.hset(this.keys.progress(record.id), field, JSON.stringify(last));
    }
  }

  /** Once every chunk has ended: chunks given up on become error rows, then the run is summarized once. */
  private async finish(record: JobRecord, chunked: ChunkedHandler, step: Job<StepData>, controller: AbortController): Promise<void> {
    const ctx = this.context(record, controller, () => undefined);
    try {
      for (const [key, reason] of Object.entries(await step.getIgnoredChildrenFailures())) {
        const [, start, end] = key
          .slice(key.lastIndexOf(':') + 1)
          .split('-')
          .map(Number);
        const failWith = `the chunk of rows ${start}–${end! - 1} was given up on (${reason}); its rows not written before are error rows`;
        const chunkCtx = this.context(record, new AbortController(), (p) => this.saveChunkProgress(record.id, String(start), p));
        await chunked.chunk(record, chunkCtx, { start: start!, end: end!, failWith });
      }
      await chunked.finish(record, ctx);
      await this.repo.update(record.id, { status: 'completed', error: null, progress: await this.combined(record.id, chunked) });
    } catch (error) {
      await this.end(record, controller.signal, error, await this.combined(record.id, chunked));
    }
    for (const key of this.lastWrite.keys()) if (key.startsWith(record.id)) this.lastWrite.delete(key);
    await this.redis.del(this.keys.progress(record.id));
    await this.redis.expire(this.keys.cancelled(record.id), CANCEL_MARK_SECONDS);
  }

  private async end(record: JobRecord, signal: AbortSignal, error: unknown, progress: unknown): Promise<void> {
    const patch: JobPatch = jobEnding(signal, error, progress, (unexpected) => this.onError(unexpected, record.id));
    // A forced stop: the step is taken over from the queue, so the job stays running.
    if (patch.status === 'queued') throw error;
    await this.repo.update(record.id, patch);
  }

  private context(record: JobRecord, controller: AbortController, progress: (p: unknown) => void): JobContext {
    return {
      signal: controller.signal,
      store: this.options.store,
      env: this.options.env ?? process.env,
      ...(this.options.limiter ? { limiter: this.options.limiter } : {}),
      progress,
      runCreated: async (runId) => {
        record.run_id = runId;
        await this.repo.update(record.id, { runId });
      },
    };
  }

  /** The job's progress from every chunk's, as stored for the server to serve. */
  private async combined(jobId: string, chunked: ChunkedHandler): Promise<unknown> {
    const parts = Object.entries(await this.redis.hgetall(this.keys.progress(jobId))).map(([, json]) => JSON.parse(json) as unknown);
    return chunked.combine(parts);
  }

  /**
   * Keeps a chunk's progress in Redis and writes the job's combined progress to the store, each at most
   * every PROGRESS_WRITE_MS (a command per row would cost more than the row); a chunk's last is kept on its end.
   */
  private saveChunkProgress(jobId: string, field: string, progress: unknown, chunked?: ChunkedHandler): void {
    if (chunked && !this.due(`${jobId}:${field}`)) return;
    const due = chunked !== undefined && this.due(jobId);
    void this.redis
      .hset(this.keys.progress(jobId), field, JSON.stringify(progress))
      .then(async () => {
        if (due) await this.repo.update(jobId, { progress: await this.combined(jobId, chunked) });
      })
      .catch((error: unknown) => this.onError(error, jobId));
  }

  private writeProgress(jobId: string, progress: unknown): void {
    if (!this.due(jobId)) return;
    void this.repo.update(jobId, { progress }).catch((error: unknown) => this.onError(error, jobId));
  }

  /** Whether `key`'s progress (a job's, or one chunk's) may be written again: at most every PROGRESS_WRITE_MS from this process. */
  private due(key: string): boolean {
    const now = Date.now();
    if (now - (this.lastWrite.get(key) ?? 0) < PROGRESS_WRITE_MS) return false;
    this.lastWrite.set(key, now);
    return true;
  }
}

/**
 * Steps run beside each other, or one alone: `alone` waits for those running and holds back those that
 * come after it (a suspect waits seconds — a chunk's work — and never starves behind a stream of others).
 */
class Isolation {
  private running = 0;
  private aloneRunning = false;
  private aloneWaiting = 0;
  private wakeups: Array<() => void> = [];

  async beside<T>(work: () => Promise<T>): Promise<T> {
    while (this.aloneRunning || this.aloneWaiting > 0) await this.turn();
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.wake();
    }
  }

  async alone<T>(work: () => Promise<T>): Promise<T> {
    this.aloneWaiting++;
    while (this.aloneRunning || this.running > 0) await this.turn();
    this.aloneWaiting--;
    this.aloneRunning = true;
    try {
      return await work();
    } finally {
      this.aloneRunning = false;
      this.wake();
    }
  }

  private turn(): Promise<void> {
    return new Promise((resolve) => this.wakeups.push(resolve));
  }

  private wake(): void {
    for (const wake of this.wakeups.splice(0)) wake();
  }
}
