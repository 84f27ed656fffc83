/** Where dataset files are kept beside a store, shared by `juror serve` and `juror label`. */
import { dirname, join, resolve } from 'node:path';
import type { Store } from './store.js';

/** `datasets/` next to a SQLite store; `.juror/datasets` in the working directory for Postgres. */
export function defaultDataDir(store: Store): string {
  return /^postgres(ql)?:/.test(store.where) ? resolve('.juror/datasets') : join(dirname(store.where), 'datasets');
}
