/**
 * Preloaded (`node --import`) into a CLI child process when the disk-full test cannot mount a small
 * tmpfs: every better-sqlite3 connection the process opens gets `PRAGMA max_page_count =
 * $JUROR_TEST_MAX_PAGES`, past which SQLite itself raises a genuine SQLITE_FULL. (The pragma lasts
 * as long as the connection, so it must be set inside the process that writes.)
 */
import Database from 'better-sqlite3';

const pages = Number(process.env.JUROR_TEST_MAX_PAGES);
const limited = new WeakSet();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (...args) {
  if (!limited.has(this)) {
    limited.add(this);
    this.pragma(`max_page_count = ${pages}`);
  }
  return prepare.apply(this, args);
};
