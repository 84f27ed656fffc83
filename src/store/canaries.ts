/**
 * Canaries (issue #13 §3): their definitions, each tick (a canary run: started, finished with its
 * agreement, failed, or interrupted by a stop), alert events, and their webhooks — stored in the
 * monitors' webhook outbox (webhook_deliveries, keyed by the canary's id), so one delivery loop
 * serves both. The only place that knows their SQL (migration 0010).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { WebhookDeliveryTable, WebhookState } from './monitors.js';
import { serverDb, type ServerDatabase } from './server-tables.js';
import type { Store } from './store.js';

export type CanaryStatus = 'active' | 'paused';

export interface CanaryTable {
  id: string;
  name: string;
  /** The canary as created or last patched, as JSON. */
  definition: string;
  status: CanaryStatus;
  /** When someone asked for a tick now (`POST /api/canaries/:id/run`); served by the next tick that starts after it. */
  run_requested_at: string | null;
  created_at: string;
  updated_at: string;
}

/** `running` while a tick judges; `interrupted` when its process stopped (the tick is then due again). */
export type CanaryRunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** One tick of a canary: the align run it made and the agreement it measured, or why it failed. */
export interface CanaryRunTable {
  id: string;
  canary_id: string;
  status: CanaryRunStatus;
  started_at: string;
  finished_at: string | null;
  /** The evaluation run (experiment `align`). */
  run_id: string | null;
  n: number | null;
  /** The agreement statistics as JSON (`{ accuracy, cohen_kappa, … }`, null where undefined). */
  statistics: string | null;
  error: string | null;
}

export interface CanaryAlertTable {
  id: string;
  canary_id: string;
  at: string;
  /** The evaluation run of the tick that changed the state. */
  run_id: string | null;
  statistic: string;
  value: number;
  op: string;
  threshold: number;
  state: 'firing' | 'resolved';
}

interface CanaryDatabase extends ServerDatabase {
  canaries: CanaryTable;
  canary_runs: CanaryRunTable;
  canary_alerts: CanaryAlertTable;
  webhook_deliveries: WebhookDeliveryTable;
}

/** A canary with its definition parsed. */
export interface CanaryRecord<D = unknown> extends Omit<Selectable<CanaryTable>, 'definition'> {
  definition: D;
}

/** A tick as read back, statistics parsed. */
export interface CanaryRun extends Omit<Selectable<CanaryRunTable>, 'statistics'> {
  statistics: Record<string, number | null> | null;
}

export type CanaryAlertEvent = Omit<Selectable<CanaryAlertTable>, 'id' | 'canary_id'>;

export class CanaryRepository {
  private readonly db: Kysely<CanaryDatabase>;

  constructor(store: Store) {
    this.db = serverDb(store).withTables<{
      canaries: CanaryTable;
      canary_runs: CanaryRunTable;
      canary_alerts: CanaryAlertTable;
      webhook_deliveries: WebhookDeliveryTable;
    }>();
  }

  /** Stores a new active canary. */
  async create<D>(name: string, definition: D): Promise<CanaryRecord<D>> {
    const now = new Date().toISOString();
    const row: Selectable<CanaryTable> = {
      id: randomUUID().replaceAll('-', ''),
      name,
      definition: JSON.stringify(definition),
      status: 'active',
      run_requested_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('canaries').values(row).execute();
    return { ...row, definition };
  }

  /** A canary by id, or undefined. */
  async get<D = unknown>(id: string): Promise<CanaryRecord<D> | undefined> {
    const row = await this.db.selectFrom('canaries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...row, definition: JSON.parse(row.definition) as D } : undefined;
  }

  /** Every canary, newest first. */
  async list<D = unknown>(): Promise<Array<CanaryRecord<D>>> {
    const rows = await this.db.selectFrom('canaries').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map((row) => ({ ...row, definition: JSON.parse(row.definition) as D }));
  }

  /** Changes a canary's definition or status, or records that a tick was asked for now. */
  async update(id: string, patch: { definition?: unknown; status?: CanaryStatus; runRequestedAt?: string }): Promise<void> {
    await this.db
      .updateTable('canaries')
      .set({
        ...(patch.definition !== undefined ? { definition: JSON.stringify(patch.definition) } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.runRequestedAt ? { run_requested_at: patch.runRequestedAt } : {}),
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes a canary with its ticks, alert events and webhook deliveries (the agreements it stored stay the judge's). */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('canary_runs').where('canary_id', '=', id).execute();
      await tx.deleteFrom('canary_alerts').where('canary_id', '=', id).execute();
      await tx.deleteFrom('webhook_deliveries').where('monitor_id', '=', id).execute();
      const result = await tx.deleteFrom('canaries').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Records a tick starting now; returns its id. */
  async startRun(canaryId: string, startedAt: string): Promise<string> {
    const id = `${startedAt}-${randomUUID().slice(0, 8)}`;
    await this.db
      .insertInto('canary_runs')
      .values({
        id,
        canary_id: canaryId,
        status: 'running',
        started_at: startedAt,
        finished_at: null,
        run_id: null,
        n: null,
        statistics: null,
        error: null,
      })
      .execute();
    return id;
  }

  /** Records the evaluation run a tick made, while it runs, or how it ended when it did not finish. */
  async updateRun(id: string, patch: { status?: CanaryRunStatus; runId?: string; error?: string }): Promise<void> {
    await this.db
      .updateTable('canary_runs')
      .set({
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.status && patch.status !== 'running' ? { finished_at: new Date().toISOString() } : {}),
        ...(patch.runId ? { run_id: patch.runId } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Marks the canary's ticks still `running` as interrupted (their process stopped): the tick is due again. */
  async interruptRunning(canaryId: string): Promise<void> {
    await this.db
      .updateTable('canary_runs')
      .set({ status: 'interrupted', finished_at: new Date().toISOString(), error: 'the process stopped during the tick' })
      .where('canary_id', '=', canaryId)
      .where('status', '=', 'running')
      .execute();
  }

  /** The last tick that ended (finished or failed), which places the next one; undefined before the first. */
  async lastEnded(canaryId: string): Promise<CanaryRun | undefined> {
    const row = await this.db
      .selectFrom('canary_runs')
      .selectAll()
      .where('canary_id', '=', canaryId)
      .where('status', 'in', ['finished', 'failed'])
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? parseRun(row) : undefined;
  }

  /** The canary's last `limit` ticks, oldest first. */
  async runs(canaryId: string, limit = 200): Promise<CanaryRun[]> {
    const rows = await this.db
      .selectFrom('canary_runs')
      .selectAll()
      .where('canary_id', '=', canaryId)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(parseRun);
  }

  /** The alert's state after its last event, or undefined when it never fired. */
  async alertState(canaryId: string): Promise<'firing' | 'resolved' | undefined> {
    const row = await this.db
      .selectFrom('canary_alerts')
      .select('state')
      .where('canary_id', '=', canaryId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row?.state;
  }

  /**
   * Records a tick finished with its agreement and, when the alert's state changed, the event and its
   * webhook delivery in the outbox — together, so a reader never sees the point without the alert's state.
   */
  async finishRun(
    canaryId: string,
    tickId: string,
    outcome: { runId: string; n: number; statistics: Record<string, number | null> },
    alert?: { event: CanaryAlertEvent; webhook: string | undefined; about: Record<string, unknown> },
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('canary_runs')
        .set({
          status: 'finished',
          finished_at: new Date().toISOString(),
          run_id: outcome.runId,
          n: outcome.n,
          statistics: JSON.stringify(outcome.statistics),
        })
        .where('id', '=', tickId)
        .execute();
      if (!alert) return;
      const { event, webhook, about } = alert;
      const id = `${event.at}-${randomUUID().slice(0, 8)}`;
      await tx
        .insertInto('canary_alerts')
        .values({ ...event, id, canary_id: canaryId })
        .execute();
      if (webhook)
        await tx
          .insertInto('webhook_deliveries')
          .values({
            id,
            monitor_id: canaryId,
            url: webhook,
            payload: JSON.stringify({ canary_id: canaryId, ...about, ...event }),
            attempts: 0,
            next_at: event.at,
            delivered_at: null,
            last_error: null,
          })
          .execute();
    });
  }

  /** A canary's alert events, oldest first, each with its webhook delivery's state when it has one. */
  async alerts(canaryId: string): Promise<Array<CanaryAlertEvent & { webhook?: WebhookState }>> {
    const rows = await this.db
      .selectFrom('canary_alerts')
      .leftJoin('webhook_deliveries', 'webhook_deliveries.id', 'canary_alerts.id')
      .selectAll('canary_alerts')
      .select(['webhook_deliveries.attempts', 'webhook_deliveries.delivered_at', 'webhook_deliveries.last_error'])
      .where('canary_alerts.canary_id', '=', canaryId)
      .orderBy('canary_alerts.at')
      .orderBy('canary_alerts.id')
      .execute();
    return rows.map((row) => ({
      at: row.at,
      run_id: row.run_id,
      statistic: row.statistic,
      value: Number(row.value),
      op: row.op,
      threshold: Number(row.threshold),
      state: row.state,
      ...(row.attempts !== null
        ? { webhook: { attempts: Number(row.attempts), delivered_at: row.delivered_at, last_error: row.last_error } }
        : {}),
    }));
  }
}

function parseRun(row: Selectable<CanaryRunTable>): CanaryRun {
  return {
    ...row,
    n: row.n === null ? null : Number(row.n),
    statistics: row.statistics === null ? null : (JSON.parse(row.statistics) as Record<string, number | null>),
  };
}
