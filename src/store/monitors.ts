/**
 * Monitors (issue #13): their definitions, which interactions each has looked at, the score of each
 * sampled interaction per metric, alert events, and the webhook outbox. The only place that knows
 * their SQL (migration 0009).
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { parseInteraction, type Interaction, type InteractionTable } from './interactions.js';
import { serverDb, type ServerDatabase } from './server-tables.js';
import type { Store } from './store.js';

export type MonitorStatus = 'active' | 'paused';

export interface MonitorTable {
  id: string;
  name: string;
  /** The monitor as created or last patched, as JSON. */
  definition: string;
  status: MonitorStatus;
  created_at: string;
  updated_at: string;
}

/** An interaction a monitor has looked at: sampled (and matching its filter) or not, so it is looked at once. */
export interface MonitorItemTable {
  monitor_id: string;
  interaction_id: string;
  sampled: number;
}

/** One metric's score of one interaction; `value` null with `error` on an error row. */
export interface MonitorScoreTable {
  monitor_id: string;
  interaction_id: string;
  /** `name/version`. */
  metric: string;
  /** The interaction's own timestamp (ISO, UTC), which places it in a window. */
  timestamp: string;
  value: number | null;
  justification: string | null;
  error: string | null;
  /** From the interaction's arrival (received_at) to its score. */
  lag_ms: number;
  scored_at: string;
}

export interface MonitorAlertTable {
  id: string;
  monitor_id: string;
  /** The rule's index in the monitor's `alerts`. */
  rule: number;
  at: string;
  metric: string;
  window_start: string;
  value: number;
  op: string;
  threshold: number;
  state: 'firing' | 'resolved';
}

/** A webhook POST still to make (or made): retried with backoff until delivered or given up on. */
export interface WebhookDeliveryTable {
  id: string;
  monitor_id: string;
  url: string;
  payload: string;
  attempts: number;
  next_at: string;
  delivered_at: string | null;
  last_error: string | null;
}

/**
 * A finished window's aggregates of one metric, kept before retention deletes its interactions
 * (migration 0010): the series reads it where the scores are gone.
 */
export interface MonitorWindowTable {
  monitor_id: string;
  metric: string;
  window_start: string;
  window_end: string;
  count: number;
  errors: number;
  mean: number | null;
  p90: number | null;
  /** The share of 1s, for metrics whose every value was 0 or 1; else null. */
  ratio: number | null;
  rolled_up_at: string;
}

interface MonitorDatabase extends ServerDatabase {
  interactions: InteractionTable;
  monitors: MonitorTable;
  monitor_items: MonitorItemTable;
  monitor_scores: MonitorScoreTable;
  monitor_alerts: MonitorAlertTable;
  webhook_deliveries: WebhookDeliveryTable;
  monitor_windows: MonitorWindowTable;
}

/** A monitor with its definition parsed. */
export interface MonitorRecord<D = unknown> extends Omit<Selectable<MonitorTable>, 'definition'> {
  definition: D;
}

export type AlertEvent = Omit<Selectable<MonitorAlertTable>, 'id' | 'monitor_id'>;

/** Where an alert's webhook POST is: tried `attempts` times, delivered or not, and the last failure. */
export interface WebhookState {
  attempts: number;
  delivered_at: string | null;
  last_error: string | null;
}

/** One metric's score of one interaction, as the UI lists a window's interactions: `value` null with `error` on an error row. */
export type InteractionScore = Pick<MonitorScoreTable, 'value' | 'justification' | 'error'>;

/** A webhook delivery given up on after this many attempts (its event stays stored). */
export const MAX_WEBHOOK_ATTEMPTS = 8;

export class MonitorRepository {
  private readonly db: Kysely<MonitorDatabase>;

  constructor(store: Store) {
    this.db = serverDb(store).withTables<{
      interactions: InteractionTable;
      monitors: MonitorTable;
      monitor_items: MonitorItemTable;
      monitor_scores: MonitorScoreTable;
      monitor_alerts: MonitorAlertTable;
      webhook_deliveries: WebhookDeliveryTable;
      monitor_windows: MonitorWindowTable;
    }>();
  }

  /** Stores a new active monitor. */
  async create<D>(name: string, definition: D): Promise<MonitorRecord<D>> {
    const now = new Date().toISOString();
    const row: Selectable<MonitorTable> = {
      id: randomUUID().replaceAll('-', ''),
      name,
      definition: JSON.stringify(definition),
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('monitors').values(row).execute();
    return { ...row, definition };
  }

  /** A monitor by id, or undefined. */
  async get<D = unknown>(id: string): Promise<MonitorRecord<D> | undefined> {
    const row = await this.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...row, definition: JSON.parse(row.definition) as D } : undefined;
  }

  /** Every monitor, newest first. */
  async list<D = unknown>(): Promise<Array<MonitorRecord<D>>> {
    const rows = await this.db.selectFrom('monitors').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map((row) => ({ ...row, definition: JSON.parse(row.definition) as D }));
  }

  /** Changes a monitor's definition or status. */
  async update(id: string, patch: { definition?: unknown; status?: MonitorStatus }): Promise<void> {
    await this.db
      .updateTable('monitors')
      .set({
        ...(patch.definition !== undefined ? { definition: JSON.stringify(patch.definition) } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes a monitor with its scores, alert events, deliveries and rolled-up windows. */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      for (const table of ['monitor_items', 'monitor_scores', 'monitor_alerts', 'webhook_deliveries', 'monitor_windows'] as const)
        await tx.deleteFrom(table).where('monitor_id', '=', id).execute();
      const result = await tx.deleteFrom('monitors').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /**
   * Interactions (of `app` when given) the monitor has not looked at yet, oldest arrival first; with
   * `since`, only those received then or later (an index range rather than every interaction).
   */
  async unseen(monitorId: string, app: string | undefined, limit: number, since?: string): Promise<Interaction[]> {
    let query = this.db
      .selectFrom('interactions')
      .leftJoin('monitor_items', (join) =>
        join.onRef('monitor_items.interaction_id', '=', 'interactions.id').on('monitor_items.monitor_id', '=', monitorId),
      )
      .where('monitor_items.interaction_id', 'is', null);
    if (app !== undefined) query = query.where('interactions.app', '=', app);
    if (since !== undefined) query = query.where('interactions.received_at', '>=', since);
    const rows = await query
      .selectAll('interactions')
      .orderBy('interactions.received_at')
      .orderBy('interactions.id')
      .limit(limit)
      .execute();
    return rows.map(parseInteraction);
  }

  /** Records interactions looked at and the scores of those judged, in one transaction (a batch is wholly kept or not at all). */
  async record(
    monitorId: string,
    items: Array<{ interaction_id: string; sampled: boolean }>,
    scores: Array<Omit<MonitorScoreTable, 'monitor_id'>>,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      // 250 rows × up to 10 columns stays under SQLite's and Postgres' parameter limits.
      for (let i = 0; i < items.length; i += 250)
        await tx
          .insertInto('monitor_items')
          .values(
            items
              .slice(i, i + 250)
              .map((item) => ({ monitor_id: monitorId, interaction_id: item.interaction_id, sampled: item.sampled ? 1 : 0 })),
          )
          .onConflict((oc) => oc.columns(['monitor_id', 'interaction_id']).doNothing())
          .execute();
      for (let i = 0; i < scores.length; i += 250)
        await tx
          .insertInto('monitor_scores')
          .values(scores.slice(i, i + 250).map((score) => ({ ...score, monitor_id: monitorId })))
          .onConflict((oc) => oc.columns(['monitor_id', 'interaction_id', 'metric']).doNothing())
          .execute();
    });
  }

  /** The scores of one metric whose interaction's timestamp is in [from, to). */
  async scores(
    monitorId: string,
    metric: string,
    from: string,
    to: string,
  ): Promise<Array<Pick<MonitorScoreTable, 'timestamp' | 'value'>>> {
    const rows = await this.db
      .selectFrom('monitor_scores')
      .select(['timestamp', 'value'])
      .where('monitor_id', '=', monitorId)
      .where('metric', '=', metric)
      .where('timestamp', '>=', from)
      .where('timestamp', '<', to)
      .orderBy('timestamp')
      .execute();
    return rows.map((row) => ({ timestamp: row.timestamp, value: row.value === null ? null : Number(row.value) }));
  }

  /**
   * The interactions one metric scored in [from, to) (by their own timestamp), lowest value first and
   * error rows last, a page of them with every metric's score of this monitor; and how many there are.
   */
  async windowInteractions(
    monitorId: string,
    metric: string,
    range: { from: string; to: string },
    page: { limit: number; offset: number },
  ): Promise<{ interactions: Array<Interaction & { scores: Record<string, InteractionScore> }>; total: number }> {
    const inWindow = this.db
      .selectFrom('monitor_scores')
      .innerJoin('interactions', 'interactions.id', 'monitor_scores.interaction_id')
      .where('monitor_scores.monitor_id', '=', monitorId)
      .where('monitor_scores.metric', '=', metric)
      .where('monitor_scores.timestamp', '>=', range.from)
      .where('monitor_scores.timestamp', '<', range.to);
    const [rows, count] = await Promise.all([
      inWindow
        .selectAll('interactions')
        // SQLite sorts nulls first and Postgres last: say where error rows go.
        .orderBy(sql`case when monitor_scores.value is null then 1 else 0 end`)
        .orderBy('monitor_scores.value')
        .orderBy('monitor_scores.timestamp')
        .orderBy('interactions.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      inWindow.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const scores = await this.scoresOf(
      monitorId,
      rows.map((row) => row.id),
    );
    return {
      interactions: rows.map((row) => ({ ...parseInteraction(row), scores: scores.get(row.id) ?? {} })),
      total: Number(count.n),
    };
  }

  /** Every metric's score of these interactions by this monitor, by interaction id (an interaction it did not score is absent). */
  async scoresOf(monitorId: string, ids: string[]): Promise<Map<string, Record<string, InteractionScore>>> {
    const scores = new Map<string, Record<string, InteractionScore>>();
    // 500 ids per statement stays under SQLite's and Postgres' parameter limits.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('monitor_scores')
        .select(['interaction_id', 'metric', 'value', 'justification', 'error'])
        .where('monitor_id', '=', monitorId)
        .where('interaction_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) {
        const of = scores.get(row.interaction_id) ?? {};
        of[row.metric] = { value: row.value === null ? null : Number(row.value), justification: row.justification, error: row.error };
        scores.set(row.interaction_id, of);
      }
    }
    return scores;
  }

  /**
   * The metrics (`name/version`) a monitor has scored, by name: those with scores, and those whose
   * windows retention rolled up. One index probe per metric rather than a scan of its scores.
   */
  async scoredMetrics(monitorId: string): Promise<string[]> {
    const metrics = new Set<string>();
    for (const table of ['monitor_scores', 'monitor_windows'] as const) {
      let after: string | undefined;
      for (;;) {
        let query = this.db.selectFrom(table).select('metric').where('monitor_id', '=', monitorId);
        if (after !== undefined) query = query.where('metric', '>', after);
        const row = await query.orderBy('metric').limit(1).executeTakeFirst();
        if (!row) break;
        metrics.add((after = row.metric));
      }
    }
    return [...metrics].sort();
  }

  /** Stored interactions by id (those not stored are left out), in the order of `ids`. */
  async interactionsByIds(ids: string[]): Promise<Interaction[]> {
    const found = new Map<string, Interaction>();
    // 500 ids per statement stays under SQLite's and Postgres' parameter limits.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('interactions')
        .selectAll()
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) found.set(row.id, parseInteraction(row));
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** How many interactions were judged, and their lag (arrival → scored): mean and max, in ms. */
  async lag(monitorId: string): Promise<{ scored: number; mean_ms: number | null; max_ms: number | null }> {
    const row = await this.db
      .selectFrom('monitor_scores')
      .select((eb) => [
        eb.fn.count<number>('interaction_id').distinct().as('n'),
        eb.fn.avg<number>('lag_ms').as('mean'),
        eb.fn.max('lag_ms').as('max'),
      ])
      .where('monitor_id', '=', monitorId)
      .executeTakeFirstOrThrow();
    return {
      scored: Number(row.n),
      mean_ms: row.mean === null ? null : Number(row.mean),
      max_ms: row.max === null ? null : Number(row.max),
    };
  }

  /** The state of a rule in a window after its last event, or undefined when it never fired there. */
  async alertState(monitorId: string, rule: number, windowStart: string): Promise<'firing' | 'resolved' | undefined> {
    const row = await this.db
      .selectFrom('monitor_alerts')
      .select('state')
      .where('monitor_id', '=', monitorId)
      .where('rule', '=', rule)
      .where('window_start', '=', windowStart)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row?.state;
  }

  /** Stores an alert event and, when the rule has a webhook, its delivery, together. */
  async addAlert(monitorId: string, event: AlertEvent, webhook: string | undefined): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      // Ids sort as events happened (several events may share a millisecond).
      const id = `${event.at}-${randomUUID().slice(0, 8)}`;
      await tx
        .insertInto('monitor_alerts')
        .values({ ...event, id, monitor_id: monitorId })
        .execute();
      if (webhook)
        await tx
          .insertInto('webhook_deliveries')
          .values({
            id,
            monitor_id: monitorId,
            url: webhook,
            payload: JSON.stringify({ monitor_id: monitorId, ...publicEvent(event) }),
            attempts: 0,
            next_at: event.at,
            delivered_at: null,
            last_error: null,
          })
          .execute();
    });
  }

  /** A monitor's alert events, oldest first, each with its webhook delivery's state when it has one. */
  async alerts(monitorId: string): Promise<Array<Omit<AlertEvent, 'rule'> & { webhook?: WebhookState }>> {
    const rows = await this.db
      .selectFrom('monitor_alerts')
      .leftJoin('webhook_deliveries', 'webhook_deliveries.id', 'monitor_alerts.id')
      .selectAll('monitor_alerts')
      .select(['webhook_deliveries.attempts', 'webhook_deliveries.delivered_at', 'webhook_deliveries.last_error'])
      .where('monitor_alerts.monitor_id', '=', monitorId)
      .orderBy('monitor_alerts.at')
      .orderBy('monitor_alerts.id')
      .execute();
    return rows.map((row) => ({
      ...publicEvent({ ...row, value: Number(row.value), threshold: Number(row.threshold) }),
      ...(row.attempts !== null
        ? { webhook: { attempts: Number(row.attempts), delivered_at: row.delivered_at, last_error: row.last_error } }
        : {}),
    }));
  }

  /** Deliveries due by `now` (not delivered, not given up on), oldest first. */
  async dueDeliveries(monitorId: string, now: string, limit = 20): Promise<Array<Selectable<WebhookDeliveryTable>>> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('monitor_id', '=', monitorId)
      .where('delivered_at', 'is', null)
      .where('attempts', '<', MAX_WEBHOOK_ATTEMPTS)
      .where('next_at', '<=', now)
      .orderBy('next_at')
      .limit(limit)
      .execute();
  }

  /** Records one attempt of a delivery: delivered, or failed with its error and when to try again. */
  async attempted(id: string, outcome: { delivered: true } | { delivered: false; error: string; nextAt: string }): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        ...(outcome.delivered
          ? { delivered_at: new Date().toISOString(), last_error: null }
          : { last_error: outcome.error, next_at: outcome.nextAt }),
      }))
      .where('id', '=', id)
      .execute();
  }

  /** The earliest timestamp of the monitor's scores in [from, before), or undefined when it has none there. */
  async firstScoreAt(monitorId: string, from: string, before: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('monitor_scores')
      .select('timestamp')
      .where('monitor_id', '=', monitorId)
      .where('timestamp', '>=', from)
      .where('timestamp', '<', before)
      .orderBy('timestamp')
      .limit(1)
      .executeTakeFirst();
    return row?.timestamp;
  }

  /** Every metric's scores of the monitor whose interaction's timestamp is in [from, to). */
  async windowScores(monitorId: string, from: string, to: string): Promise<Array<Pick<MonitorScoreTable, 'metric' | 'value'>>> {
    const rows = await this.db
      .selectFrom('monitor_scores')
      .select(['metric', 'value'])
      .where('monitor_id', '=', monitorId)
      .where('timestamp', '>=', from)
      .where('timestamp', '<', to)
      .execute();
    return rows.map((row) => ({ metric: row.metric, value: row.value === null ? null : Number(row.value) }));
  }

  /** The metrics whose window starting at `windowStart` is already rolled up. */
  async rolledUpMetrics(monitorId: string, windowStart: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('monitor_windows')
      .select('metric')
      .where('monitor_id', '=', monitorId)
      .where('window_start', '=', windowStart)
      .execute();
    return new Set(rows.map((row) => row.metric));
  }

  /** Keeps windows' aggregates; a window already kept stays as it was. */
  async saveRollups(rows: Array<Omit<MonitorWindowTable, 'rolled_up_at'>>): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date().toISOString();
    await this.db
      .insertInto('monitor_windows')
      .values(rows.map((row) => ({ ...row, rolled_up_at: now })))
      .onConflict((oc) => oc.columns(['monitor_id', 'metric', 'window_start']).doNothing())
      .execute();
  }

  /** The kept aggregates of one metric's windows that overlap [from, to), oldest first. */
  async rollups(monitorId: string, metric: string, from: string, to: string): Promise<Array<Selectable<MonitorWindowTable>>> {
    const rows = await this.db
      .selectFrom('monitor_windows')
      .selectAll()
      .where('monitor_id', '=', monitorId)
      .where('metric', '=', metric)
      .where('window_end', '>', from)
      .where('window_start', '<', to)
      .orderBy('window_start')
      .execute();
    const number = (v: number | null) => (v === null ? null : Number(v));
    return rows.map((row) => ({
      ...row,
      count: Number(row.count),
      errors: Number(row.errors),
      mean: number(row.mean),
      p90: number(row.p90),
      ratio: number(row.ratio),
    }));
  }

  /**
   * Deletes up to `limit` interactions whose timestamp is before `before`, with what every monitor
   * recorded of them (items, scores), in one transaction; returns how many were deleted.
   */
  async expireInteractions(before: string, limit: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const ids = (await tx.selectFrom('interactions').select('id').where('timestamp', '<', before).limit(limit).execute()).map(
        (r) => r.id,
      );
      // Items and scores are keyed by monitor first: one monitor at a time, their primary keys find the rows.
      const monitors = (await tx.selectFrom('monitors').select('id').execute()).map((r) => r.id);
      // 500 ids per statement stays under SQLite's and Postgres' parameter limits.
      for (let i = 0; i < ids.length; i += 500) {
        const some = ids.slice(i, i + 500);
        for (const monitorId of monitors) {
          await tx.deleteFrom('monitor_scores').where('monitor_id', '=', monitorId).where('interaction_id', 'in', some).execute();
          await tx.deleteFrom('monitor_items').where('monitor_id', '=', monitorId).where('interaction_id', 'in', some).execute();
        }
        await tx.deleteFrom('interactions').where('id', 'in', some).execute();
      }
      return ids.length;
    });
  }
}

function publicEvent({ rule: _rule, ...event }: AlertEvent & { id?: string; monitor_id?: string }): Omit<AlertEvent, 'rule'> {
  return {
    at: event.at,
    metric: event.metric,
    window_start: event.window_start,
    value: event.value,
    op: event.op,
    threshold: event.threshold,
    state: event.state,
  };
}
