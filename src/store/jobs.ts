/** Background jobs of the server (evaluations started over the API) and their progress. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { JobStatus, JobTable, ServerDatabase } from './server-tables.js';

/** A job with its progress parsed. */
export type JobRecord = Omit<Selectable<JobTable>, 'progress'> & { progress: unknown };

/** Statuses a job does not leave. */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export class JobRepository {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /** Creates a job (queued unless told otherwise). */
  async create(job: { kind: JobTable['kind']; runId: string | null; status?: JobStatus; progress?: unknown }): Promise<JobRecord> {
    const now = new Date().toISOString();
    const record: Selectable<JobTable> = {
      id: randomUUID().replaceAll('-', ''),
      kind: job.kind,
      status: job.status ?? 'queued',
      progress: job.progress === undefined ? null : JSON.stringify(job.progress),
      error: null,
      run_id: job.runId,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('jobs').values(record).execute();
    return { ...record, progress: job.progress ?? null };
  }

  /** Changes a job's status, progress or error. */
  async update(id: string, patch: { status?: JobStatus; progress?: unknown; error?: string | null }): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.progress !== undefined ? { progress: JSON.stringify(patch.progress) } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** A job by id, or undefined. */
  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /** Jobs, newest first. */
  async list(filter: { status?: JobStatus; limit: number; offset: number }): Promise<{ jobs: JobRecord[]; total: number }> {
    let rows = this.db.selectFrom('jobs');
    if (filter.status) rows = rows.where('status', '=', filter.status);
    const [page, count] = await Promise.all([
      rows.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
      rows.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { jobs: page.map(parse), total: Number(count.n) };
  }

  /** The newest job of a run, if it was started by the server. */
  async latestForRun(runId: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('run_id', '=', runId).orderBy('created_at', 'desc').executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /**
   * Marks jobs left queued or running by a server that stopped as failed, and their runs as
   * interrupted (resumable); returns how many jobs there were.
   */
  async failAbandoned(reason: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const stale = await tx.selectFrom('jobs').select(['id', 'run_id']).where('status', 'in', ['queued', 'running']).execute();
      if (stale.length === 0) return 0;
      const now = new Date().toISOString();
      await tx.updateTable('jobs').set({ status: 'failed', error: reason, updated_at: now }).where('id', 'in', stale.map((j) => j.id)).execute();
      const runIds = stale.flatMap((j) => (j.run_id ? [j.run_id] : []));
      if (runIds.length) {
        await tx.updateTable('runs').set({ status: 'interrupted', error: reason, finished_at: now }).where('id', 'in', runIds).where('status', '=', 'running').execute();
      }
      return stale.length;
    });
  }
}

function parse(row: Selectable<JobTable>): JobRecord {
  return { ...row, progress: row.progress === null ? null : (JSON.parse(row.progress) as unknown) };
}
