/**
 * The tracking store: experiments, runs, per-row results and aggregates, over Kysely. Nothing
 * outside `dialects/` knows whether it is SQLite or Postgres.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Kysely, Migrator, sql, type Dialect, type Insertable, type Selectable } from 'kysely';
import { JurorError } from '../errors.js';
import { judgeKey, type Judge } from '../judges/definition.js';
import { JudgeRepository, storedJudges } from './judges.js';
import { migrationProvider } from './migrations.js';
import type { Database, ResultTable, RowTable, RunMetricTable, RunStatus, RunTable } from './schema.js';

export type RunRecord = Selectable<RunTable>;
export type ResultRecord = Insertable<ResultTable>;
export type RowRecord = Insertable<RowTable>;
export type RunMetricRecord = Selectable<RunMetricTable>;

/** Where the store lives: a Postgres URL, or a SQLite path (default `.juror/juror.db`). */
export interface StoreLocation {
  path?: string;
  url?: string;
}

/** A run with its aggregates, per-metric counts and judge definitions. */
export interface RunDetails extends RunRecord {
  experiment: string;
  metrics: Record<string, number>;
  perMetric: RunMetricRecord[];
  judges: Array<{ metric: string; definition: Judge; systemPrompt: string }>;
}

/** Default store location: `JUROR_DATABASE_URL`, else `JUROR_DB`, else `.juror/juror.db` in the cwd. */
export function defaultStoreLocation(env: Record<string, string | undefined> = process.env): StoreLocation {
  if (env.JUROR_DATABASE_URL) return { url: env.JUROR_DATABASE_URL };
  return { path: env.JUROR_DB || '.juror/juror.db' };
}

const BATCH = 400;

export class Store {
  readonly db: Kysely<Database>;
  /** Every judge definition ever used, by name and version. */
  readonly judges: JudgeRepository;
  /** A description for messages: the SQLite path or the Postgres URL without its password. */
  readonly where: string;

  private constructor(dialect: Dialect, where: string) {
    this.db = new Kysely<Database>({ dialect });
    this.judges = new JudgeRepository(this.db);
    this.where = where;
  }

  /** Opens (creating if needed) and migrates a store. */
  static async open(location: StoreLocation = defaultStoreLocation()): Promise<Store> {
    // Each database's driver is loaded only when a store of that kind is opened.
    const store = location.url
      ? new Store(
          (await import('./dialects/postgres.js')).postgresDialect(location.url),
          location.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
        )
      : new Store(
          (await import('./dialects/sqlite.js')).sqliteDialect(resolve(location.path ?? '.juror/juror.db')),
          resolve(location.path ?? '.juror/juror.db'),
        );
    try {
      // Kysely looks for its migration tables in every schema it can see unless told which: a
      // Postgres database with another store (or another Kysely app) in a second schema would
      // hide that this one has none yet.
      const schema = location.url
        ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
        : undefined;
      const { error } = await new Migrator({
        db: store.db,
        provider: migrationProvider,
        ...(schema ? { migrationTableSchema: schema } : {}),
      }).migrateToLatest();
      if (error) throw error;
    } catch (cause) {
      await store.close();
      throw new JurorError('store', `cannot open the store at ${store.where}: ${(cause as Error).message}`, {
        cause,
        hint: 'check --db / JUROR_DB (a SQLite file path) or JUROR_DATABASE_URL (postgres://…)',
      });
    }
    return store;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** The id of an experiment, created on first use. */
  async experimentId(name: string): Promise<string> {
    await this.db
      .insertInto('experiments')
      .values({ id: randomUUID(), name, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('experiments').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Creates a run in status `running`, with the exact judge definitions it uses and the system
   * prompt each sends (rendered by the engine: the store only keeps what it is given).
   */
  async createRun(run: {
    experiment: string;
    name?: string;
    config: unknown;
    dataset: unknown;
    rowCount: number;
    judges: Array<{ judge: Judge; systemPrompt: string }>;
  }): Promise<RunRecord> {
    const experimentId = await this.experimentId(run.experiment);
    const judgeIds = await Promise.all(run.judges.map(({ judge }) => this.judges.save(judge)));
    const id = randomUUID().replaceAll('-', '');
    const record: RunRecord = {
      id,
      experiment_id: experimentId,
      name: run.name ?? `run-${id.slice(0, 8)}`,
      status: 'running',
      config: JSON.stringify(run.config ?? {}),
      dataset: JSON.stringify(run.dataset ?? {}),
      started_at: new Date().toISOString(),
      finished_at: null,
      row_count: run.rowCount,
      rows_done: 0,
      error_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      error: null,
      metric_info: null,
    };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('runs').values(record).execute();
      if (run.judges.length) {
        await tx
          .insertInto('run_judges')
          .values(
            run.judges.map(({ judge, systemPrompt }, i) => ({
              run_id: id,
              metric: judgeKey(judge),
              judge_id: judgeIds[i]!,
              system_prompt: systemPrompt,
            })),
          )
          .execute();
      }
    });
    return record;
  }

  /** Updates a run's status and counters. */
  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id' | 'experiment_id'>>): Promise<void> {
    await this.db.updateTable('runs').set(patch).where('id', '=', id).execute();
  }

  /** Writes a batch of rows and results in one transaction; a re-written result replaces the old one. */
  async writeBatch(rows: RowRecord[], results: ResultRecord[]): Promise<void> {
    if (rows.length === 0 && results.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += BATCH) {
        await tx
          .insertInto('rows')
          .values(rows.slice(i, i + BATCH))
          .onConflict((oc) =>
            oc.columns(['run_id', 'row_index']).doUpdateSet((eb) => ({
              outputs: eb.ref('excluded.outputs'),
              model_latency_ms: eb.ref('excluded.model_latency_ms'),
              model_input_tokens: eb.ref('excluded.model_input_tokens'),
              model_output_tokens: eb.ref('excluded.model_output_tokens'),
              model_error: eb.ref('excluded.model_error'),
            })),
          )
          .execute();
      }
      for (let i = 0; i < results.length; i += BATCH) {
        await tx
          .insertInto('results')
          .values(results.slice(i, i + BATCH))
          .onConflict((oc) =>
            oc.columns(['run_id', 'metric', 'row_index']).doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'),
              score: eb.ref('excluded.score'),
              label: eb.ref('excluded.label'),
              justification: eb.ref('excluded.justification'),
              raw: eb.ref('excluded.raw'),
              details: eb.ref('excluded.details'),
              panel: eb.ref('excluded.panel'),
              prompt: eb.ref('excluded.prompt'),
              input_tokens: eb.ref('excluded.input_tokens'),
              output_tokens: eb.ref('excluded.output_tokens'),
              cost_usd: eb.ref('excluded.cost_usd'),
              latency_ms: eb.ref('excluded.latency_ms'),
              error: eb.ref('excluded.error'),
            })),
          )
          .execute();
      }
    });
  }

  /** Replaces a run's aggregates and per-metric counts, and updates the run, in one transaction. */
  async writeSummary(
    runId: string,
    summary: { metrics: Record<string, number>; perMetric: RunMetricRecord[]; run: Partial<RunRecord> },
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('metrics').where('run_id', '=', runId).execute();
      await tx.deleteFrom('run_metrics').where('run_id', '=', runId).execute();
      const metrics = Object.entries(summary.metrics).map(([key, value]) => ({ run_id: runId, key, value }));
      if (metrics.length) await tx.insertInto('metrics').values(metrics).execute();
      if (summary.perMetric.length) await tx.insertInto('run_metrics').values(summary.perMetric).execute();
      await tx.updateTable('runs').set(summary.run).where('id', '=', runId).execute();
    });
  }

  /** Finds a run by its id or a unique prefix of it (as git does for commits). */
  async findRunId(idOrPrefix: string): Promise<string> {
    // Ids are hex, so anything else (LIKE's % and _ included) matches nothing.
    const rows = /^[0-9a-f]+$/i.test(idOrPrefix)
      ? await this.db.selectFrom('runs').select('id').where('id', 'like', `${idOrPrefix.toLowerCase()}%`).limit(2).execute()
      : [];
    if (rows.length === 1) return rows[0]!.id;
    throw new JurorError('input', rows.length ? `run id prefix '${idOrPrefix}' is ambiguous` : `no run '${idOrPrefix}' in ${this.where}`, {
      hint: rows.length ? 'give more characters of the id' : 'list runs with `juror runs list` (and check --db)',
    });
  }

  /** A run with its aggregates, per-metric counts and judges. */
  async getRun(id: string): Promise<RunDetails> {
    const run = await this.db
      .selectFrom('runs')
      .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
      .selectAll('runs')
      .select('experiments.name as experiment')
      .where('runs.id', '=', id)
      .executeTakeFirst();
    if (!run) throw new JurorError('input', `no run '${id}' in ${this.where}`, { hint: 'list runs with `juror runs list`' });
    const [metrics, perMetric, judges] = await Promise.all([
      this.db.selectFrom('metrics').select(['key', 'value']).where('run_id', '=', id).orderBy('key').execute(),
      this.db.selectFrom('run_metrics').selectAll().where('run_id', '=', id).orderBy('metric').execute(),
      this.db
        .selectFrom('run_judges')
        .innerJoin('judges', 'judges.id', 'run_judges.judge_id')
        .select(['run_judges.metric', 'run_judges.system_prompt', 'run_judges.judge_id', 'judges.definition'])
        .where('run_judges.run_id', '=', id)
        .orderBy('run_judges.metric')
        .execute(),
    ]);
    const { parseStoredJudge } = await storedJudges();
    return {
      ...run,
      metrics: Object.fromEntries(metrics.map((m) => [m.key, m.value])),
      perMetric,
      judges: judges.map((j) => ({
        metric: j.metric,
        definition: parseStoredJudge(j.definition, j.judge_id),
        systemPrompt: j.system_prompt,
      })),
    };
  }

  /** Runs, newest first, with their aggregates. */
  async listRuns(
    filter: { experiment?: string; status?: RunStatus; limit?: number } = {},
  ): Promise<Array<RunRecord & { experiment: string; metrics: Record<string, number> }>> {
    let query = this.db
      .selectFrom('runs')
      .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
      .selectAll('runs')
      .select('experiments.name as experiment');
    if (filter.experiment) query = query.where('experiments.name', '=', filter.experiment);
    if (filter.status) query = query.where('runs.status', '=', filter.status);
    const runs = await query
      .orderBy('runs.started_at', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    if (runs.length === 0) return [];
    const metrics = await this.db
      .selectFrom('metrics')
      .select(['run_id', 'key', 'value'])
      .where(
        'run_id',
        'in',
        runs.map((r) => r.id),
      )
      .execute();
    return runs.map((run) => ({
      ...run,
      metrics: Object.fromEntries(metrics.filter((m) => m.run_id === run.id).map((m) => [m.key, m.value])),
    }));
  }

  /** A page of a run's rows, in dataset order. */
  async rows(runId: string, page: { offset?: number; limit?: number } = {}): Promise<Array<Selectable<RowTable>>> {
    return this.db
      .selectFrom('rows')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('row_index')
      .offset(page.offset ?? 0)
      .limit(page.limit ?? 100)
      .execute();
  }

  /** The results of the given rows of a run. */
  async results(runId: string, rowIndexes: { from: number; to: number }): Promise<Array<Selectable<ResultTable>>> {
    return this.db
      .selectFrom('results')
      .selectAll()
      .where('run_id', '=', runId)
      .where('row_index', '>=', rowIndexes.from)
      .where('row_index', '<=', rowIndexes.to)
      .orderBy('row_index')
      .orderBy('metric')
      .execute();
  }

  /** Cached answers for the given keys. */
  async cacheGet(keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < keys.length; i += BATCH) {
      const rows = await this.db
        .selectFrom('cache')
        .select(['key', 'answer'])
        .where('key', 'in', keys.slice(i, i + BATCH))
        .execute();
      for (const row of rows) found.set(row.key, row.answer);
    }
    return found;
  }

  /** Stores answers; an existing key keeps its first answer. */
  async cachePut(entries: Array<{ key: string; model: string; answer: string }>): Promise<void> {
    if (entries.length === 0) return;
    const created_at = new Date().toISOString();
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < entries.length; i += BATCH) {
        await tx
          .insertInto('cache')
          .values(entries.slice(i, i + BATCH).map((e) => ({ ...e, created_at })))
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
      }
    });
  }

  /** Entries and size of the cache, per model. */
  async cacheStats(): Promise<Array<{ model: string; entries: number; bytes: number }>> {
    const rows = await this.db
      .selectFrom('cache')
      .select((eb) => ['model', eb.fn.countAll<number>().as('entries'), eb.fn.sum<number>(eb.fn('length', ['answer'])).as('bytes')])
      .groupBy('model')
      .orderBy('model')
      .execute();
    return rows.map((r) => ({ model: r.model, entries: Number(r.entries), bytes: Number(r.bytes) }));
  }

  /** Empties the cache (or one model's part of it); returns how many entries went. */
  async cacheClear(model?: string): Promise<number> {
    let query = this.db.deleteFrom('cache');
    if (model) query = query.where('model', '=', model);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * What a run has already done, for resuming: its rows (with the model's answers) and its scored
   * results — with `errors`, its error results too (a run split into chunks keeps them, once written).
   */
  async resumeState(
    runId: string,
    options: { errors?: boolean } = {},
  ): Promise<{
    rows: Array<
      Pick<RowRecord, 'row_index' | 'outputs' | 'model_latency_ms' | 'model_input_tokens' | 'model_output_tokens' | 'model_error'>
    >;
    results: Array<
      Pick<ResultRecord, 'row_index' | 'metric' | 'value' | 'input_tokens' | 'output_tokens' | 'cost_usd' | 'error' | 'panel'>
    >;
  }> {
    let results = this.db
      .selectFrom('results')
      .select(['row_index', 'metric', 'value', 'input_tokens', 'output_tokens', 'cost_usd', 'error', 'panel'])
      .where('run_id', '=', runId);
    if (!options.errors) results = results.where('error', 'is', null);
    const [rows, resultRows] = await Promise.all([
      this.db
        .selectFrom('rows')
        .select(['row_index', 'outputs', 'model_latency_ms', 'model_input_tokens', 'model_output_tokens', 'model_error'])
        .where('run_id', '=', runId)
        .execute(),
      results.execute(),
    ]);
    return { rows, results: resultRows };
  }

  /**
   * A run's results table, as `evaluate()` returns it: one record per row, in dataset order, with
   * the row's columns, `outputs`, and `name/version/score`, `/justification`, `/label`, `/error`.
   */
  async table(runId: string): Promise<Array<Record<string, unknown>>> {
    const [rows, results] = await Promise.all([
      this.db
        .selectFrom('rows')
        .select(['row_index', 'record', 'outputs', 'model_error'])
        .where('run_id', '=', runId)
        .orderBy('row_index')
        .execute(),
      this.db
        .selectFrom('results')
        .select(['row_index', 'metric', 'value', 'label', 'justification', 'error', 'panel'])
        .where('run_id', '=', runId)
        .orderBy('row_index')
        .orderBy('metric')
        .execute(),
    ]);
    const byRow = new Map<number, Record<string, unknown>>();
    for (const row of rows) {
      const record = JSON.parse(row.record) as Record<string, unknown>;
      if (row.outputs !== null || row.model_error !== null) record.outputs = row.outputs;
      byRow.set(row.row_index, record);
    }
    for (const r of results) {
      const record = byRow.get(r.row_index);
      if (!record) continue;
      record[`${r.metric}/score`] = r.value;
      record[`${r.metric}/justification`] = r.justification;
      if (r.label !== null) record[`${r.metric}/label`] = r.label;
      if (r.error !== null) record[`${r.metric}/error`] = r.error;
      // A jury's or samples' spread, as the engine's own table has it.
      const spread = r.panel ? (JSON.parse(r.panel) as { spread?: number | null }).spread : undefined;
      if (spread !== null && spread !== undefined) record[`${r.metric}/spread`] = spread;
    }
    return [...byRow.values()];
  }
}
