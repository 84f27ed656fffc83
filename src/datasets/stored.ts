/**
 * Where a stored dataset's bytes are: `<id>.<ext>` in the data directory (`defaultDataDir`, or
 * `juror serve --data-dir`). A record keeps only the file name, so the directory can move.
 */
import { join } from 'node:path';
import type { FileFormat } from '../data/dataset.js';
import type { DatasetRecord } from '../store/datasets.js';

// One extension per format, so that `openDataset` reads a stored file in the format it was given as.
const EXTENSIONS: Record<FileFormat, string> = { csv: '.csv', jsonl: '.jsonl', json: '.json', parquet: '.parquet' };

/** A stored dataset's file (absolute path) and format. */
export interface StoredFile {
  file: string;
  format: FileFormat;
}

/** The file name a dataset of `format` is stored under: `storedName('ab12', 'jsonl')` is `ab12.jsonl`. */
export function storedName(id: string, format: FileFormat): string {
  return `${id}${EXTENSIONS[format]}`;
}

/** Where a dataset record's file is. */
export function storedFile(dataDir: string, dataset: Pick<DatasetRecord, 'file' | 'format'>): StoredFile {
  return { file: join(dataDir, dataset.file), format: dataset.format };
}
