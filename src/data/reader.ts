/**
 * The small interface every file format implements, and the helpers the formats share.
 */
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { DataRecord, DatasetRow } from './dataset.js';
import type { TextOptions } from './text.js';

/** What one validating pass over a file found. */
export interface ScanResult {
  columns: string[];
  rowCount: number;
}

/** Reads one file format. Both methods stream; neither keeps rows after yielding them. */
export interface FormatReader {
  /**
   * Reads the whole file once, throwing an `InputError` at the first bad row, and feeds every
   * byte of the file to `hash`. Text formats decode the file as `text` says.
   */
  scan(file: string, hash: Hash, text?: TextOptions): Promise<ScanResult>;
  /** Streams rows from `offset` on. Assumes `scan` already accepted the file. */
  rows(file: string, offset: number, text?: TextOptions): AsyncIterable<DatasetRow>;
}

/** Streams a file's bytes, feeding each chunk to `hash` when one is given. */
export async function* readBytes(file: string, hash?: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(file)) {
    hash?.update(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/** Validates the `offset` option of `Dataset.rows`. */
export function checkOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (Number.isSafeInteger(offset) && offset >= 0) return offset;
  throw new ConfigError(`invalid row offset: ${offset}`, {
    where: { field: 'offset' },
    hint: 'pass a whole number of rows to skip, 0 or more',
  });
}

/** True for `{...}` objects: not null, arrays, class instances, dates or maps. */
export function isRecord(value: unknown): value is DataRecord {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Names a value's JSON type for error messages: `an array`, `a string`, `null`. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'non-plain'} object`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

/** Adds a record's keys to an insertion-ordered set, giving the union by first appearance. */
export function addKeys(columns: Set<string>, record: DataRecord): void {
  for (const key of Object.keys(record)) columns.add(key);
}
