/**
 * Interactions (issue #13): one LLM call of a user's production app, as OTLP spans, JSON ingest or
 * the SDK middleware delivered it. Stored once per id (a retried batch adds nothing), in one
 * transaction per batch, so that an acknowledged batch is wholly stored.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Store } from './store.js';
import { serverDb, type ServerDatabase } from './server-tables.js';

/** Where an interaction came from. */
export type InteractionSource = 'otlp' | 'json';

/** One stored interaction. JSON columns (`retrieved_context`, `metadata`) are text. */
export interface InteractionTable {
  id: string;
  /** The app that made the call (`service.name` for spans); null when not said. */
  app: string | null;
  /** When the call started, ISO 8601. */
  timestamp: string;
  request: string;
  response: string;
  /** The retrieved chunks as a JSON array of strings, or null. */
  retrieved_context: string | null;
  expected_response: string | null;
  model: string | null;
  trace_id: string | null;
  span_id: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  latency_ms: number | null;
  /** Everything else the sender gave, as a JSON object, or null. */
  metadata: string | null;
  source: InteractionSource;
  /** When the server stored it. */
  received_at: string;
}

/** Every table of the store the interactions live in. */
export interface InteractionDatabase extends ServerDatabase {
  interactions: InteractionTable;
}

/** An interaction as written: the parsed forms of its JSON columns. */
export interface NewInteraction {
  id: string;
  app: string | null;
  timestamp: string;
  request: string;
  response: string;
  retrieved_context: string[] | null;
  expected_response: string | null;
  model: string | null;
  trace_id: string | null;
  span_id: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  latency_ms: number | null;
  metadata: Record<string, unknown> | null;
  source: InteractionSource;
}

/** An interaction as read back, JSON columns parsed. */
export type Interaction = NewInteraction & { received_at: string };

/** Rows per insert statement: 16 columns × 250 stays under SQLite's and Postgres' parameter limits. */
const BATCH = 250;

/** Stores and reads interactions; the only place that knows their SQL. */
export class InteractionRepository {
  private readonly db: Kysely<InteractionDatabase>;

  constructor(store: Store) {
    this.db = serverDb(store).withTables<{ interactions: InteractionTable }>();
  }

  /**
   * Stores a batch in one transaction; an id stored before is left as it was. `lateContext` gives the
   * interactions of these traces that have no retrieved context yet the chunks of a retrieval span
   * that arrived after the LLM span (exporters batch spans by end time). Returns how many were new.
   */
  async insert(interactions: NewInteraction[], lateContext: Map<string, string[]> = new Map()): Promise<number> {
    if (interactions.length === 0 && lateContext.size === 0) return 0;
    const received_at = new Date().toISOString();
    const rows = interactions.map((i) => ({
      ...i,
      retrieved_context: i.retrieved_context ? JSON.stringify(i.retrieved_context) : null,
      metadata: i.metadata && Object.keys(i.metadata).length > 0 ? JSON.stringify(i.metadata) : null,
      received_at,
    }));
    return this.db.transaction().execute(async (tx) => {
      let added = 0;
      for (let i = 0; i < rows.length; i += BATCH) {
        const result = await tx
          .insertInto('interactions')
          .values(rows.slice(i, i + BATCH))
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      for (const [traceId, chunks] of lateContext) {
        await tx
          .updateTable('interactions')
          .set({ retrieved_context: JSON.stringify(chunks) })
          .where('trace_id', '=', traceId)
          .where('retrieved_context', 'is', null)
          .execute();
      }
      return added;
    });
  }

  /** Interactions, newest first, of one app when given. */
  async list(filter: { app?: string; limit?: number; offset?: number } = {}): Promise<{ interactions: Interaction[]; total: number }> {
    let query = this.db.selectFrom('interactions');
    if (filter.app !== undefined) query = query.where('app', '=', filter.app);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('timestamp', 'desc')
        .orderBy('id')
        .limit(filter.limit ?? 50)
        .offset(filter.offset ?? 0)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { interactions: rows.map(parseInteraction), total: Number(count.n) };
  }

  /** One interaction by id, or undefined. */
  async get(id: string): Promise<Interaction | undefined> {
    const row = await this.db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? parseInteraction(row) : undefined;
  }
}

/** A stored row with its JSON columns parsed. */
export function parseInteraction(row: Selectable<InteractionTable>): Interaction {
  return {
    ...row,
    input_tokens: row.input_tokens === null ? null : Number(row.input_tokens),
    output_tokens: row.output_tokens === null ? null : Number(row.output_tokens),
    retrieved_context: row.retrieved_context === null ? null : (JSON.parse(row.retrieved_context) as string[]),
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>),
  };
}
