/**
 * Reading the rows of a stored dataset (a file validated when it was imported) by index, without
 * validating it again: the records of chosen rows, or of every row but some.
 */
import { join } from 'node:path';
import { csvReader } from '../data/csv.js';
import type { DataRecord, DatasetRow, FileFormat } from '../data/dataset.js';
import { jsonReader } from '../data/json.js';
import { jsonlReader } from '../data/jsonl.js';
import { parquetReader } from '../data/parquet.js';
import type { FormatReader } from '../data/reader.js';
import type { DatasetRecord } from '../store/datasets.js';

const readers: Record<FileFormat, FormatReader> = { csv: csvReader, jsonl: jsonlReader, json: jsonReader, parquet: parquetReader };

/** A stored dataset's file and format. */
export interface StoredFile {
  file: string;
  format: FileFormat;
}

/** Where a dataset record's file is. */
export function storedFile(dataDir: string, dataset: Pick<DatasetRecord, 'file' | 'format'>): StoredFile {
  return { file: join(dataDir, dataset.file), format: dataset.format };
}

/** Every row of the file, in order. */
export function streamRows(source: StoredFile): AsyncIterable<DatasetRow> {
  return readers[source.format].rows(source.file, 0);
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
