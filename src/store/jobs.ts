/** The jobs table (src/jobs/): every job's kind, payload, status, progress and error. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { JobKind, JobStatus, JobTable, ServerDatabase } from './server-tables.js';

/** A job with its payload and progress parsed. */
export interface JobRecord<P = unknown> extends Omit<Selectable<JobTable>, 'progress' | 'payload'> {
  payload: P;
  progress: unknown;
}

/** Statuses a job does not leave. */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** Statuses of a job that is still to run or running. */
export const UNFINISHED_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/** What may change on a job. */
export type JobPatch = { status?: JobStatus; progress?: unknown; error?: string | null; runId?: string };

/** Which jobs a page lists. */
export interface JobQuery {
  kind?: JobKind | undefined;
  status?: JobStatus | readonly JobStatus[] | undefined;
  target?: string | undefined;
  limit: number;
  offset: number;
}

export class JobRepository {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /** Creates a job (queued unless told otherwise). */
  async create<P>(job: {
    kind: JobKind;
    payload: P;
    target?: string | null;
    runId?: string | null;
    status?: JobStatus;
    progress?: unknown;
  }): Promise<JobRecord<P>> {
    const now = new Date().toISOString();
    const record: Selectable<JobTable> = {
      id: randomUUID().replaceAll('-', ''),
      kind: job.kind,
      status: job.status ?? 'queued',
      payload: JSON.stringify(job.payload),
      target_id: job.target ?? null,
      progress: job.progress === undefined ? null : JSON.stringify(job.progress),
      error: null,
      run_id: job.runId ?? null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('jobs').values(record).execute();
    return { ...record, payload: job.payload, progress: job.progress ?? null };
  }

  /** Changes a job's status, progress, error or run. */
  async update(id: string, patch: JobPatch): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.progress !== undefined ? { progress: JSON.stringify(patch.progress) } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        ...(patch.runId !== undefined ? { run_id: patch.runId } : {}),
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Removes a job that never started its work (its request was refused). */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('jobs').where('id', '=', id).execute();
  }

  /** A job by id, or undefined. */
  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /** Jobs newest first, of one kind, status(es) or target when given, with their total. */
  async list(filter: JobQuery): Promise<{ jobs: JobRecord[]; total: number }> {
    let rows = this.db.selectFrom('jobs');
    if (filter.kind) rows = rows.where('kind', '=', filter.kind);
    if (typeof filter.status === 'string') rows = rows.where('status', '=', filter.status);
    else if (filter.status) rows = rows.where('status', 'in', [...filter.status]);
    if (filter.target !== undefined) rows = rows.where('target_id', '=', filter.target);
    const [page, count] = await Promise.all([
      rows.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
      rows.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { jobs: page.map(parse), total: Number(count.n) };
  }

  /** Jobs left queued or running, oldest first. */
  async unfinished(): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', 'in', [...UNFINISHED_JOB_STATUSES])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(parse);
  }

  /** The newest job of a run. */
  async latestForRun(runId: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('run_id', '=', runId).orderBy('created_at', 'desc').executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /**
   * Marks a job that cannot be resumed (stored before jobs had payloads, or of a kind this process
   * does not run) as failed, and its run as interrupted (resumable with `juror eval --resume`).
   */
  async failAbandoned(id: string, reason: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const job = await tx.selectFrom('jobs').select('run_id').where('id', '=', id).executeTakeFirst();
      const now = new Date().toISOString();
      await tx.updateTable('jobs').set({ status: 'failed', error: reason, updated_at: now }).where('id', '=', id).execute();
      if (job?.run_id)
        await tx
          .updateTable('runs')
          .set({ status: 'interrupted', error: reason, finished_at: now })
          .where('id', '=', job.run_id)
          .where('status', '=', 'running')
          .execute();
    });
  }
}

function parse(row: Selectable<JobTable>): JobRecord {
  return {
    ...row,
    payload: row.payload === null ? null : (JSON.parse(row.payload) as unknown),
    progress: row.progress === null ? null : (JSON.parse(row.progress) as unknown),
  };
}
