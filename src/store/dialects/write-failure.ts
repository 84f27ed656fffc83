/**
 * A failed write to the store, in the user's words, whichever database raised it: the codes are
 * better-sqlite3's (`SQLITE_FULL`, `SQLITE_READONLY`, …), Postgres' SQLSTATE (53100 disk_full) and
 * Node's (ENOSPC). A full disk and a read-only store say so, since the user can act on them.
 */

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);
const READ_ONLY = /^SQLITE_READONLY|^EROFS$|^EACCES$|^25006$/;

/**
 * What went wrong with a write to the store at `where`, and what to do about it.
 * @example describeWriteFailure(sqliteFullError, '/data/juror.db')
 * // { message: 'cannot write to the store at /data/juror.db: SQLITE_FULL: the disk is full (database or disk is full)', hint: 'free space …' }
 */
export function describeWriteFailure(error: unknown, where: string): { message: string; hint: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = String((error as Error | undefined)?.message ?? error).split('\n')[0]!;
  const prefix = `cannot write to the store at ${where}`;
  if (typeof code === 'string' && FULL.has(code)) {
    return { message: `${prefix}: ${code}: the disk is full (${detail})`, hint: `free space on the disk that holds ${where}` };
  }
  if (typeof code === 'string' && READ_ONLY.test(code)) {
    return { message: `${prefix}: ${code}: the store is read-only (${detail})`, hint: `make ${where} writable` };
  }
  return {
    message: `${prefix}: ${typeof code === 'string' ? `${code}: ` : ''}${detail}`,
    hint: `check that ${where} is reachable and writable`,
  };
}
