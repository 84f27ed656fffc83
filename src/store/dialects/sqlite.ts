/** The embedded default: SQLite through better-sqlite3, in WAL mode so readers never block the writer. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteDialect, type Dialect } from 'kysely';

/** Prepared statements kept per database; a run's batched writes take a few dozen shapes. */
const STATEMENTS = 256;

/** A Kysely dialect over a SQLite file (created with its folder if missing), or `:memory:`. */
export function sqliteDialect(path: string): Dialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Kysely prepares every query it runs, and compiling a batch insert's SQL anew is a good part of
  // the cost of writing the batch: statements are kept by their SQL (the oldest goes past the
  // limit). Kysely runs one query at a time on its one connection, so no statement is used twice at once.
  const statements = new Map<string, SQLite.Statement>();
  const prepare = (sql: string): SQLite.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(sql, (statement = database.prepare(sql)));
    }
    return statement;
  };
  return new SqliteDialect({ database: { prepare, close: () => database.close() } });
}
