/**
 * One job system (issue #12): evaluations, label-job phases and align checks — later monitors and
 * canaries — are jobs: a kind and a JSON payload that is enough to run or resume the work from the
 * store alone, with one status vocabulary and one cancel semantics. As Kysely's `Dialect`, one
 * small interface ({@link Jobs}) with thin backends behind it: `embedded.ts` runs handlers in this
 * process; a BullMQ backend runs them in workers. Nothing above the interface asks which it has.
 */
import type { Limiter } from '../engine/limiter.js';
import type { JobQuery, JobRecord } from '../store/jobs.js';
import type { JobKind } from '../store/server-tables.js';
import type { Store } from '../store/store.js';

export type { JobKind, JobStatus } from '../store/server-tables.js';
export { FINAL_JOB_STATUSES, type JobQuery, type JobRecord } from '../store/jobs.js';

/** What a handler works with. */
export interface JobContext {
  /** Aborted on cancel or shutdown; its `reason` is a {@link JobStop}. */
  signal: AbortSignal;
  /** Reports progress: kept live, written to the store at most every PROGRESS_WRITE_MS. */
  progress(progress: unknown): void;
  /** Records the run the job evaluates in (so that it resumes that run); resolves once stored. */
  runCreated(runId: string): Promise<void>;
  store: Store;
  /** The environment provider calls see (keys, base URLs). */
  env: Record<string, string | undefined>;
  /** Where provider limits are kept, when the backend shares them (workers: Redis); else each run keeps its own. */
  limiter?: Limiter;
}

/**
 * Does the work of one kind. Stopped by its signal, it throws (`signal.throwIfAborted()`), so the
 * backend can tell a stop from a finish; any other throw fails the job with its message, once.
 */
export type JobHandler<P = unknown> = (job: JobRecord<P>, ctx: JobContext) => Promise<unknown>;

/**
 * A job whose work splits into chunks of rows that any worker may run (an evaluation): what a backend
 * with many workers runs in place of the kind's {@link JobHandler}. `plan` creates what the chunks
 * share (the run, recorded with `ctx.runCreated`) and counts the rows; each chunk does rows
 * `start`..`end` (excluded) and writes each row once, so a chunk run again does only the rows it had
 * not written; `finish` runs once every chunk has ended and makes the job's outcome — a chunk given
 * up on (it crashed its worker every time) is passed to `finish` with `failWith`, to be recorded as
 * error rows.
 */
export interface ChunkedHandler<P = unknown> {
  plan(job: JobRecord<P>, ctx: JobContext): Promise<{ rowCount: number }>;
  chunk(job: JobRecord<P>, ctx: JobContext, rows: { start: number; end: number; failWith?: string }): Promise<void>;
  finish(job: JobRecord<P>, ctx: JobContext): Promise<void>;
  /** The job's progress from what each chunk reported of its own rows. */
  combine(parts: unknown[]): unknown;
}

/**
 * Why a job's signal was aborted: a cancel (the job ends `cancelled`) or the process stopping
 * (the job goes back to `queued`, and the next start resumes it).
 */
export class JobStop extends Error {
  constructor(readonly reason: 'cancel' | 'shutdown') {
    super(
      reason === 'cancel'
        ? 'interrupted by the user: cancelled; finished rows are kept'
        : 'the process stopped; the job resumes when it starts again',
    );
    this.name = 'JobStop';
  }
}

/** Whether a job's signal was aborted by a cancel (not by its process stopping). */
export function cancelled(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof JobStop && signal.reason.reason === 'cancel';
}

/** How to start a job. */
export interface StartOptions {
  /** The domain object it works for (a label job's id), to find its jobs by. */
  target?: string;
  /**
   * Resolve once the handler has created its run (`ctx.runCreated`), so the caller can answer
   * with the run id. If the handler fails before that, `start` rejects with its error and removes
   * the job: a request refused by a check leaves nothing behind. A backend starts such a job
   * without waiting for other jobs to end, so that the request is answered.
   */
  awaitRun?: boolean;
}

/** The job system: the one door through which long work is started, followed and stopped. */
export interface Jobs {
  /** Stores a job (`queued`) and hands it to a handler of its kind. */
  start<P>(kind: JobKind, payload: P, options?: StartOptions): Promise<JobRecord<P>>;
  /** A job by id, or undefined. */
  get(id: string): Promise<JobRecord | undefined>;
  /** Jobs newest first, with their total. */
  list(filter: JobQuery): Promise<{ jobs: JobRecord[]; total: number }>;
  /** The live progress of a job running here (fresher than the stored one), or undefined. */
  liveProgress(id: string): unknown;
  /**
   * Stops a queued or running job: no new calls, finished work kept, status `cancelled`. Resolves
   * once stopped (or after `waitMs`) with the job; undefined when the job is not this backend's to stop.
   */
  cancel(id: string, waitMs?: number): Promise<JobRecord | undefined>;
  /** Resolves when the job has left queued/running (or its backend stopped), with the job. */
  settled(id: string): Promise<JobRecord | undefined>;
  /** Starts again every job a stopped process left queued or running; returns how many. */
  resumeUnfinished(): Promise<number>;
  /** Stops every job of this backend (they go back to `queued`) and waits for each to record it. */
  shutdown(): Promise<void>;
}
