/** The embedded default: SQLite through better-sqlite3, in WAL mode so readers never block the writer. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteDialect, type Dialect, type SqliteStatement } from 'kysely';

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
  const statements = new Map<string, SqliteStatement>();
  // SQLite rolls a transaction back by itself when a write fails for want of space or I/O
  // (SQLITE_FULL, SQLITE_IOERR): Kysely's ROLLBACK after that would fail with "cannot rollback - no
  // transaction is active" and throw in place of the real error. Rolling back nothing is a no-op.
  const rollback = database.prepare('rollback');
  const rollbackIfOpen: SqliteStatement = {
    reader: false,
    run: (parameters) => (database.inTransaction ? rollback.run(parameters) : { changes: 0, lastInsertRowid: 0 }),
    all: () => [],
    iterate: () => [][Symbol.iterator](),
  };
  const prepare = (sql: string): SqliteStatement => {
    if (sql === 'rollback') return rollbackIfOpen;
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(sql, (statement = database.prepare(sql)));
    }
    return statement;
  };
  return new SqliteDialect({ database: { prepare, close: () => database.close() } });
}
