/**
 * A stored dataset's file as a download: CSV or JSON Lines, streamed, with the label columns of
 * a label job when asked (the rows are read by the datasets module, without validating them again).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { streamRows, type StoredFile } from '../../datasets/index.js';
import { toCell, toJson } from '../../data/write.js';
import { labeledRecords, type LabelLookup } from '../../labeling/labeled-rows.js';

/**
 * The file as CSV or JSON Lines, streamed: the stored bytes when the format is already right and
 * no labels are added, else converted row by row (in CSV, nested values are JSON in their cells,
 * as `writeTable` does). With `labels`, each row gets the label columns of a label job.
 */
export function exportFile(source: StoredFile, columns: string[], to: 'csv' | 'jsonl', labels?: LabelLookup): Readable {
  if (source.format === to && !labels) return createReadStream(source.file);
  const rows = streamRows(source);
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
