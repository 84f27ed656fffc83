/** Postgres, for a shared store (the server, many workers): `JUROR_DATABASE_URL=postgres://…`. */
import { PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';

const INT8 = 20;

/** A Kysely dialect over a pg pool. 64-bit integers come back as numbers (token counts fit easily). */
export function postgresDialect(url: string): Dialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  return new PostgresDialect({ pool });
}
