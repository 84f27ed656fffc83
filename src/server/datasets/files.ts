/**
 * Reading stored dataset files without validating them again (they were validated on upload):
 * a preview of the first rows, and a streamed export as CSV or JSON Lines.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { csvReader } from '../../data/csv.js';
import type { DataRecord, FileFormat } from '../../data/dataset.js';
import { jsonReader } from '../../data/json.js';
import { jsonlReader } from '../../data/jsonl.js';
import { parquetReader } from '../../data/parquet.js';
import type { FormatReader } from '../../data/reader.js';
import { toCell } from '../../data/write.js';
import { labeledRecords, type LabelLookup } from '../../labeling/labeled-rows.js';
import { toJson } from '../../data/write.js';

const readers: Record<FileFormat, FormatReader> = { csv: csvReader, jsonl: jsonlReader, json: jsonReader, parquet: parquetReader };

/** The file extension of each format. */
export const EXTENSIONS: Record<FileFormat, string> = { csv: '.csv', jsonl: '.jsonl', json: '.json', parquet: '.parquet' };

/** The first `count` records of a stored file. */
export async function previewRows(file: string, format: FileFormat, count: number): Promise<DataRecord[]> {
  const rows: DataRecord[] = [];
  if (count <= 0) return rows;
  for await (const row of readers[format].rows(file, 0)) {
    rows.push(row.record);
    if (rows.length >= count) break;
  }
  return rows;
}

/**
 * The file as CSV or JSON Lines, streamed: the stored bytes when the format is already right and
 * no labels are added, else converted row by row (in CSV, nested values are JSON in their cells,
 * as `writeTable` does). With `labels`, each row gets the label columns of a label job.
 */
export function exportFile(file: string, format: FileFormat, columns: string[], to: 'csv' | 'jsonl', labels?: LabelLookup): Readable {
  if (format === to && !labels) return createReadStream(file);
  const rows = readers[format].rows(file, 0);
  const records = labels
    ? labeledRecords(rows, labels)
    : (async function* () {
        for await (const row of rows) yield row.record;
      })();
  if (to === 'jsonl') {
    return Readable.from(
      (async function* () {
        for await (const record of records) yield `${toJson(record)}\n`;
      })(),
    );
  }
  const header = labels ? [...columns, ...labels.columns] : columns;
  return Readable.from(
    (async function* () {
      yield stringify([header]);
      for await (const record of records) yield stringify([header.map((column) => toCell(record[column]))]);
    })(),
  );
}

