/** Datasets uploaded to the server: their metadata rows (the bytes live in the data directory). */
import type { Kysely, Selectable } from 'kysely';
import type { DatasetTable, ServerDatabase } from './server-tables.js';

/** A stored dataset with its columns parsed. */
export type DatasetRecord = Omit<Selectable<DatasetTable>, 'columns'> & { columns: string[] };

export class DatasetRepository {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /** Adds a dataset's row. */
  async insert(dataset: DatasetRecord): Promise<void> {
    await this.db
      .insertInto('datasets')
      .values({ ...dataset, columns: JSON.stringify(dataset.columns) })
      .execute();
  }

  /** A dataset by id, or undefined. */
  async get(id: string): Promise<DatasetRecord | undefined> {
    const row = await this.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /** The newest dataset with these bytes (uploaded under this name, when given), or undefined. */
  async findByHash(hash: string, originalName?: string): Promise<DatasetRecord | undefined> {
    let query = this.db.selectFrom('datasets').selectAll().where('hash', '=', hash);
    if (originalName !== undefined) query = query.where('original_name', '=', originalName);
    const row = await query.orderBy('created_at', 'desc').orderBy('id').executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /** Datasets, newest first, with the total for paging. */
  async list(page: { limit: number; offset: number }): Promise<{ datasets: DatasetRecord[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('datasets')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      this.db
        .selectFrom('datasets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { datasets: rows.map(parse), total: Number(count.n) };
  }
}

function parse(row: Selectable<DatasetTable>): DatasetRecord {
  return { ...row, row_count: Number(row.row_count), size_bytes: Number(row.size_bytes), columns: JSON.parse(row.columns) as string[] };
}
