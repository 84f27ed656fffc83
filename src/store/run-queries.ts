/**
 * Read and delete queries over runs that the server needs beyond `Store`: experiments with their
 * run counts, runs paged with a total, and deleting a run with everything
 * it owns.
 */
import type { Kysely } from 'kysely';
import type { RunStatus } from './schema.js';
import type { ServerDatabase } from './server-tables.js';
import type { RunRecord } from './store.js';

/** A run as listed: its record, experiment name and aggregates. */
export type RunSummary = RunRecord & { experiment: string; metrics: Record<string, number> };

export class RunQueries {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /** Experiments by name, with how many runs each has and when the last one started. */
  async experiments(): Promise<Array<{ id: string; name: string; created_at: string; run_count: number; last_run_at: string | null }>> {
    const rows = await this.db
      .selectFrom('experiments')
      .leftJoin('runs', 'runs.experiment_id', 'experiments.id')
      .select((eb) => [
        'experiments.id',
        'experiments.name',
        'experiments.created_at',
        eb.fn.count<number>('runs.id').as('run_count'),
        eb.fn.max('runs.started_at').as('last_run_at'),
      ])
      .groupBy(['experiments.id', 'experiments.name', 'experiments.created_at'])
      .orderBy('experiments.name')
      .execute();
    return rows.map((r) => ({ ...r, run_count: Number(r.run_count), last_run_at: (r.last_run_at as string | null) ?? null }));
  }

  /** Runs, newest first, with their aggregates and the total matching the filter. */
  async runs(filter: {
    experiment?: string;
    status?: RunStatus;
    limit: number;
    offset: number;
  }): Promise<{ runs: RunSummary[]; total: number }> {
    let query = this.db.selectFrom('runs').innerJoin('experiments', 'experiments.id', 'runs.experiment_id');
    if (filter.experiment) query = query.where('experiments.name', '=', filter.experiment);
    if (filter.status) query = query.where('runs.status', '=', filter.status);
    const [runs, count] = await Promise.all([
      query
        .selectAll('runs')
        .select('experiments.name as experiment')
        .orderBy('runs.started_at', 'desc')
        .orderBy('runs.id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const metrics = runs.length
      ? await this.db
          .selectFrom('metrics')
          .select(['run_id', 'key', 'value'])
          .where(
            'run_id',
            'in',
            runs.map((r) => r.id),
          )
          .orderBy('key')
          .execute()
      : [];
    const byRun = new Map<string, Record<string, number>>(runs.map((r) => [r.id, {}]));
    for (const m of metrics) byRun.get(m.run_id)![m.key] = m.value;
    return { runs: runs.map((run) => ({ ...run, metrics: byRun.get(run.id)! })), total: Number(count.n) };
  }

  /** The run's status and finish time, or undefined when there is no such run. */
  async state(id: string): Promise<{ status: RunStatus; finished_at: string | null } | undefined> {
    return this.db.selectFrom('runs').select(['status', 'finished_at']).where('id', '=', id).executeTakeFirst();
  }

  /** Deletes a run with its rows, results, aggregates and judge links in one transaction; false when unknown. */
  async deleteRun(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // Children first and explicitly: correct whether or not the connection enforces foreign keys.
      for (const table of ['results', 'rows', 'metrics', 'run_metrics', 'run_judges'] as const) {
        await tx.deleteFrom(table).where('run_id', '=', id).execute();
      }
      const deleted = await tx.deleteFrom('runs').where('id', '=', id).executeTakeFirst();
      return Number(deleted.numDeletedRows) > 0;
    });
  }
}
