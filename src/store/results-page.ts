/**
 * A run's results a page at a time, filtered and sorted in SQL so that a 100,000-row run is
 * never read whole. Sorting walks the `results_run_metric_value` index; error filters walk the
 * partial `results_run_errors` index (migration 0003).
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { ResultTable, RowTable } from './schema.js';
import type { ServerDatabase } from './server-tables.js';

/** Which rows of a run to return, and in what order. Metric names must be the run's (`name/version`). */
export interface ResultsQuery {
  offset: number;
  limit: number;
  /** The metric that `maxScore` and `errorsOnly` look at; without it, `errorsOnly` means an error in any metric. */
  metric?: string;
  /** Rows whose `metric` value is at most this. */
  maxScore?: number;
  errorsOnly?: boolean;
  /**
   * Order by this metric's value, ties in dataset order; `descending` is the exact reverse (ties
   * in reverse dataset order, so both directions walk one index). Rows without a value come last,
   * in dataset order. Default: dataset order.
   */
  sort?: { metric: string; descending: boolean };
}

/** One metric's outcome for a row, as listed. */
export type ResultSummary = Pick<Selectable<ResultTable>, 'value' | 'score' | 'label' | 'justification' | 'error'>;

/** A row of a results page. */
export interface PageRow {
  row_index: number;
  record: Record<string, unknown>;
  outputs: string | null;
  model_error: string | null;
  results: Record<string, ResultSummary>;
}

/** One row with everything stored about it: full results, prompts and raw answers. */
export interface RowDetail extends Omit<Selectable<RowTable>, 'run_id' | 'record'> {
  record: Record<string, unknown>;
  results: Array<Omit<Selectable<ResultTable>, 'run_id' | 'row_index'> & { system_prompt: string | null }>;
}

/** Counts kept for runs that no longer change, so paging a finished run does not count it again. */
const COUNT_CACHE_SIZE = 500;

export class ResultsPage {
  private readonly counts = new Map<string, number>();

  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /**
   * The metrics a run has results for (or will have: its judges and per-metric counts), sorted.
   * Distinct metrics are found by skipping through the primary key one metric at a time.
   */
  async metrics(runId: string): Promise<string[]> {
    const [scored, judged, counted] = await Promise.all([
      sql<{ metric: string | null }>`
        WITH RECURSIVE m(metric) AS (
          SELECT MIN(metric) FROM results WHERE run_id = ${runId}
          UNION ALL
          SELECT (SELECT MIN(r.metric) FROM results r WHERE r.run_id = ${runId} AND r.metric > m.metric) FROM m WHERE m.metric IS NOT NULL
        )
        SELECT metric FROM m WHERE metric IS NOT NULL`.execute(this.db),
      this.db.selectFrom('run_judges').select('metric').where('run_id', '=', runId).execute(),
      this.db.selectFrom('run_metrics').select('metric').where('run_id', '=', runId).execute(),
    ]);
    const all = new Set<string>([
      ...scored.rows.flatMap((r) => (r.metric ? [r.metric] : [])),
      ...judged.map((r) => r.metric),
      ...counted.map((r) => r.metric),
    ]);
    return [...all].sort();
  }

  /**
   * The row indexes of one page, in order, and how many rows match in all. `version` identifies
   * a state of a run that no longer changes (e.g. its finish time); counts are then reused.
   */
  async rowIndexes(runId: string, q: ResultsQuery, version?: string): Promise<{ total: number; rowIndexes: number[] }> {
    const filtered = filteredRows(runId, q);
    const filterKey = JSON.stringify([runId, version, q.metric, q.maxScore, q.errorsOnly]);
    const countOf = async (query: RawBuilder<unknown>, part: string) => {
      const key = `${filterKey}|${part}`;
      const cached = version === undefined ? undefined : this.counts.get(key);
      if (cached !== undefined) return cached;
      const n = Number((await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM (${query}) t`.execute(this.db)).rows[0]!.n);
      if (version !== undefined) {
        if (this.counts.size >= COUNT_CACHE_SIZE) this.counts.delete(this.counts.keys().next().value!);
        this.counts.set(key, n);
      }
      return n;
    };
    const indexes = async (query: RawBuilder<unknown>) =>
      (await query.execute(this.db)).rows.map((r) => Number((r as { row_index: number }).row_index));
    const total = await countOf(filtered, 'total');
    if (!q.sort) {
      return {
        total,
        rowIndexes: await indexes(sql`SELECT row_index FROM (${filtered}) t ORDER BY row_index LIMIT ${q.limit} OFFSET ${q.offset}`),
      };
    }
    // Rows with a value for the sort metric come first, walked in index order; the rest follow in dataset order.
    const { metric, descending } = q.sort;
    const restrict = q.maxScore === undefined && !q.errorsOnly ? sql`` : sql`AND d.row_index IN (${filtered})`;
    const valued = sql`FROM results d WHERE d.run_id = ${runId} AND d.metric = ${metric} AND d.value IS NOT NULL ${restrict}`;
    const withValue = await countOf(sql`SELECT d.row_index ${valued}`, `valued:${metric}`);
    const rowIndexes: number[] = [];
    if (q.offset < withValue) {
      const order = descending ? sql`d.value DESC, d.row_index DESC` : sql`d.value, d.row_index`;
      rowIndexes.push(...(await indexes(sql`SELECT d.row_index ${valued} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`)));
    }
    const remaining = q.limit - rowIndexes.length;
    if (remaining > 0 && total > withValue) {
      rowIndexes.push(
        ...(await indexes(sql`
          SELECT t.row_index FROM (${filtered}) t
          WHERE NOT EXISTS (SELECT 1 FROM results v WHERE v.run_id = ${runId} AND v.metric = ${metric} AND v.row_index = t.row_index AND v.value IS NOT NULL)
          ORDER BY t.row_index LIMIT ${remaining} OFFSET ${Math.max(0, q.offset - withValue)}`)),
      );
    }
    return { total, rowIndexes };
  }

  /** The rows with these indexes and the listed metrics' outcomes, in the order given. */
  async rows(runId: string, rowIndexes: number[], metrics: string[]): Promise<PageRow[]> {
    if (rowIndexes.length === 0) return [];
    const [rows, results] = await Promise.all([
      this.db
        .selectFrom('rows')
        .select(['row_index', 'record', 'outputs', 'model_error'])
        .where('run_id', '=', runId)
        .where('row_index', 'in', rowIndexes)
        .execute(),
      metrics.length
        ? this.db
            .selectFrom('results')
            .select(['row_index', 'metric', 'value', 'score', 'label', 'justification', 'error'])
            .where('run_id', '=', runId)
            .where('metric', 'in', metrics)
            .where('row_index', 'in', rowIndexes)
            .execute()
        : Promise.resolve([]),
    ]);
    const byIndex = new Map<number, PageRow>(
      rows.map((row) => [
        Number(row.row_index),
        {
          row_index: Number(row.row_index),
          record: JSON.parse(row.record) as Record<string, unknown>,
          outputs: row.outputs,
          model_error: row.model_error,
          results: {},
        },
      ]),
    );
    for (const { row_index, metric, ...summary } of results) {
      const row = byIndex.get(Number(row_index));
      if (row) row.results[metric] = summary;
    }
    return rowIndexes.flatMap((index) => byIndex.get(index) ?? []);
  }

  /** One row of a run with every result in full and each judge's system prompt; undefined when absent. */
  async row(runId: string, rowIndex: number, metrics: string[]): Promise<RowDetail | undefined> {
    const row = await this.db
      .selectFrom('rows')
      .selectAll()
      .where('run_id', '=', runId)
      .where('row_index', '=', rowIndex)
      .executeTakeFirst();
    if (!row) return undefined;
    const [results, judges] = await Promise.all([
      metrics.length
        ? this.db
            .selectFrom('results')
            .selectAll()
            .where('run_id', '=', runId)
            .where('metric', 'in', metrics)
            .where('row_index', '=', rowIndex)
            .orderBy('metric')
            .execute()
        : Promise.resolve([]),
      this.db.selectFrom('run_judges').select(['metric', 'system_prompt']).where('run_id', '=', runId).execute(),
    ]);
    const systemPrompts = new Map(judges.map((j) => [j.metric, j.system_prompt]));
    const { run_id: _run, record, ...rest } = row;
    return {
      ...rest,
      row_index: Number(rest.row_index),
      record: JSON.parse(record) as Record<string, unknown>,
      results: results.map(({ run_id: _r, row_index: _i, ...result }) => ({
        ...result,
        system_prompt: systemPrompts.get(result.metric) ?? null,
      })),
    };
  }
}

/** The row indexes of a run that pass the query's filters, as a subquery with a `row_index` column. */
function filteredRows(runId: string, q: ResultsQuery): RawBuilder<unknown> {
  const errorOf = (rowIndex: RawBuilder<unknown>) =>
    sql`EXISTS (SELECT 1 FROM results e WHERE e.run_id = ${runId} ${q.metric ? sql`AND e.metric = ${q.metric}` : sql``} AND e.row_index = ${rowIndex} AND e.error IS NOT NULL)`;
  if (q.maxScore !== undefined) {
    const errors = q.errorsOnly ? sql`AND ${errorOf(sql`f.row_index`)}` : sql``;
    return sql`SELECT f.row_index FROM results f WHERE f.run_id = ${runId} AND f.metric = ${q.metric} AND f.value <= ${q.maxScore} ${errors}`;
  }
  if (q.errorsOnly) {
    return sql`SELECT DISTINCT e.row_index FROM results e WHERE e.run_id = ${runId} ${q.metric ? sql`AND e.metric = ${q.metric}` : sql``} AND e.error IS NOT NULL`;
  }
  return sql`SELECT r.row_index FROM rows r WHERE r.run_id = ${runId}`;
}
