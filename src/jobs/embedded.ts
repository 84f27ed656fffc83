/**
 * The embedded backend (the default): handlers run in this process, at most `concurrency` at a
 * time (a job whose starter waits for its run starts at once), over the store's jobs table — `juror serve` alone, no other service. Cancel aborts the
 * handler's signal; shutdown aborts every job with a `shutdown` stop, which leaves it `queued`,
 * and `resumeUnfinished()` on the next start runs again what a stopped process left unfinished
 * (an evaluation resumes its stored run; a label phase labels only rows without a label).
 */
import { JobRepository, type JobPatch, type JobQuery, type JobRecord } from '../store/jobs.js';
import { serverDb, type JobKind } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import { jobEnding } from './ending.js';
import type { JobHandlers } from './registry.js';
import { JobStop, type Jobs, type StartOptions } from './types.js';

/** How often a running job's progress is written to the store, at most (the one place it is set). */
export const PROGRESS_WRITE_MS = 500;

/** How many jobs run at once by default; provider limits are the scheduler's, this bounds the process. */
const DEFAULT_CONCURRENCY = 8;

/** How the embedded backend is set up. */
export interface EmbeddedJobsOptions {
  store: Store;
  handlers: JobHandlers;
  /** The environment handlers see (default process.env). */
  env?: Record<string, string | undefined>;
  /** Jobs run at once; more wait `queued` (default 8). */
  concurrency?: number;
  /** Faults that are not a job's own (a progress write the store refused, a handler's unexpected throw). */
  onError?: (error: unknown, jobId: string) => void;
}

interface Active {
  controller: AbortController;
  progress: unknown;
  /** Settles when the handler has created its run (or rejects when it failed before). */
  runCreated: Promise<void>;
  done: Promise<void>;
}

export class EmbeddedJobs implements Jobs {
  private readonly repo: JobRepository;
  private readonly env: Record<string, string | undefined>;
  private readonly concurrency: number;
  private readonly onError: (error: unknown, jobId: string) => void;
  private readonly active = new Map<string, Active>();
  /** Wake-ups of jobs waiting for a free slot. */
  private readonly waiting: Array<() => void> = [];
  private runningCount = 0;
  private stopping = false;

  constructor(private readonly options: EmbeddedJobsOptions) {
    this.repo = new JobRepository(serverDb(options.store));
    this.env = options.env ?? process.env;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Stores the job and runs it when a slot is free; see {@link StartOptions.awaitRun}. */
  async start<P>(kind: JobKind, payload: P, options: StartOptions = {}): Promise<JobRecord<P>> {
    // A kind nothing here runs fails now, before a job is stored that would wait forever.
    this.options.handlers.get(kind);
    const record = await this.repo.create({ kind, payload, target: options.target ?? null });
    const entry = this.launch(record, options.awaitRun === true);
    if (!options.awaitRun) return record;
    try {
      await entry.runCreated;
    } catch (error) {
      await entry.done;
      await this.repo.delete(record.id);
      throw error;
    }
    return ((await this.repo.get(record.id)) ?? record) as JobRecord<P>;
  }

  /** A job by id, or undefined. */
  get(id: string): Promise<JobRecord | undefined> {
    return this.repo.get(id);
  }

  /** Jobs newest first, with their total. */
  list(filter: JobQuery): Promise<{ jobs: JobRecord[]; total: number }> {
    return this.repo.list(filter);
  }

  /** The progress a running job last reported, fresher than the stored one. */
  liveProgress(id: string): unknown {
    return this.active.get(id)?.progress;
  }

  /** Aborts a job of this process with a cancel; it ends `cancelled` (or as it was ending anyway). */
  async cancel(id: string, waitMs = 10_000): Promise<JobRecord | undefined> {
    const entry = this.active.get(id);
    if (!entry) return undefined;
    entry.controller.abort(new JobStop('cancel'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([entry.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    return this.repo.get(id);
  }

  /** Waits for a job of this process to end; a job run elsewhere is returned as stored. */
  async settled(id: string): Promise<JobRecord | undefined> {
    await this.active.get(id)?.done;
    return this.repo.get(id);
  }

  /**
   * Runs again the jobs a stopped process left queued or running. A job stored before jobs had
   * payloads, or of a kind this process does not run, cannot be resumed: it fails, naming why.
   */
  async resumeUnfinished(): Promise<number> {
    let resumed = 0;
    for (const job of await this.repo.unfinished()) {
      if (this.active.has(job.id)) continue;
      if (job.payload === null || !this.options.handlers.has(job.kind)) {
        const why =
          job.payload === null
            ? 'it was stored by an older Juror, without what it needs to resume'
            : `this process does not run jobs of kind '${job.kind}'`;
        await this.repo.failAbandoned(
          job.id,
          `the process running this job stopped, and it cannot resume here: ${why}; finished rows are kept`,
        );
        continue;
      }
      this.launch(job);
      resumed++;
    }
    return resumed;
  }

  /** Aborts every job of this process with a shutdown stop (they go back to `queued`) and waits for each. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const entry of this.active.values()) entry.controller.abort(new JobStop('shutdown'));
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all([...this.active.values()].map((entry) => entry.done));
  }

  /** Runs a stored job in the background; every end is recorded on it. */
  private launch(job: JobRecord, now = false): Active {
    const controller = new AbortController();
    let runCreated!: () => void;
    let failedEarly!: (error: unknown) => void;
    const entry: Active = {
      controller,
      progress: job.progress ?? undefined,
      runCreated: new Promise<void>((resolve, reject) => {
        runCreated = resolve;
        failedEarly = reject;
      }),
      done: Promise.resolve(),
    };
    // Only `start` with awaitRun listens; others must not see an unhandled rejection.
    entry.runCreated.catch(() => undefined);
    this.active.set(job.id, entry);
    if (this.stopping) controller.abort(new JobStop('shutdown'));
    entry.done = this.run(job, entry, now, { runCreated, failedEarly }).finally(() => this.active.delete(job.id));
    return entry;
  }

  private async run(
    job: JobRecord,
    entry: Active,
    now: boolean,
    handshake: { runCreated: () => void; failedEarly: (error: unknown) => void },
  ): Promise<void> {
    const { signal } = entry.controller;
    // Writes are chained so they land in order, and the final status lands after them.
    let writes: Promise<void> = Promise.resolve();
    const write = (patch: JobPatch) => {
      writes = writes.then(() => this.repo.update(job.id, patch)).catch((error: unknown) => this.onError(error, job.id));
      return writes;
    };
    let lastWrite = 0;
    const ctx = {
      signal,
      store: this.options.store,
      env: this.env,
      progress: (progress: unknown) => {
        entry.progress = progress;
        if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = Date.now();
        void write({ progress });
      },
      runCreated: async (runId: string) => {
        job.run_id = runId;
        await write({ runId });
        handshake.runCreated();
      },
    };
    // A job its starter waits on (awaitRun: a request answered with the run) takes a slot at once, even
    // past the limit: a request is not held until other jobs end; the limit paces background work.
    // A long-running job (a monitor) takes none: it would hold it for good.
    const acquired = this.options.handlers.longRunning(job.kind) ? false : now ? this.take() : await this.slot(signal);
    try {
      signal.throwIfAborted();
      await write({ status: 'running', error: null });
      await this.options.handlers.get(job.kind)(job, ctx);
      await write({ status: 'completed', error: null, ...(entry.progress !== undefined ? { progress: entry.progress } : {}) });
    } catch (error) {
      await write(jobEnding(signal, error, entry.progress, (unexpected) => this.onError(unexpected, job.id)));
      handshake.failedEarly(error);
    } finally {
      if (acquired) this.release();
      handshake.runCreated();
    }
  }

  /** Waits for a free slot; false when the job was stopped while it waited (it then holds none). */
  private async slot(signal: AbortSignal): Promise<boolean> {
    while (this.runningCount >= this.concurrency) {
      if (signal.aborted) return false;
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    if (signal.aborted) return false;
    return this.take();
  }

  private take(): true {
    this.runningCount++;
    return true;
  }

  private release(): void {
    this.runningCount--;
    // Every waiter checks again (one stopped while waiting may have left its wake-up behind).
    for (const wake of this.waiting.splice(0)) wake();
  }
}
