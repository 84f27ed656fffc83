/**
 * Reading the rows of a stored dataset (a file validated when it was imported) without validating
 * it again: every row, the first few, the records of chosen rows, or of every row but some.
 */
import { readRows, type DataRecord, type DatasetRow } from '../data/dataset.js';
import type { StoredFile } from './stored.js';

/** Every row of the file, in order. */
export function streamRows(source: StoredFile): AsyncIterable<DatasetRow> {
  return readRows(source.file, source.format);
}

/** The first `count` records of the file. */
export async function previewRows(source: StoredFile, count: number): Promise<DataRecord[]> {
  const records: DataRecord[] = [];
  if (count <= 0) return records;
  for await (const row of streamRows(source)) {
    records.push(row.record);
    if (records.length >= count) break;
  }
  return records;
}

/** The records of the given rows (stops reading after the last one). */
export async function recordsAt(source: StoredFile, rows: Iterable<number>): Promise<Map<number, DataRecord>> {
  const wanted = new Set(rows);
  const found = new Map<number, DataRecord>();
  if (wanted.size === 0) return found;
  const last = [...wanted].reduce((a, b) => Math.max(a, b), 0);
  for await (const row of streamRows(source)) {
    if (wanted.has(row.index)) found.set(row.index, row.record);
    if (row.index >= last) break;
  }
  return found;
}

/** The records of every row for which `keep` holds, with their row indexes, in order. */
export async function recordsWhere(source: StoredFile, keep: (row: number) => boolean): Promise<{ rows: number[]; records: DataRecord[] }> {
  const rows: number[] = [];
  const records: DataRecord[] = [];
  for await (const row of streamRows(source)) {
    if (!keep(row.index)) continue;
    rows.push(row.index);
    records.push(row.record);
  }
  return { rows, records };
}
