/**
 * A data file made a stored dataset, the one way datasets enter the store (`juror label` and the
 * library import a file, `juror serve` an upload), so that every part of Juror on the same store
 * lists, previews, labels and downloads it alike: validated end to end by `openDataset` (columns,
 * row count, content hash; strict UTF-8), placed in the data directory as `<id>.<ext>`, and
 * recorded. On any failure nothing is kept.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { openDataset, type Dataset, type FileFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import type { DatasetRecord, DatasetRepository } from '../store/datasets.js';
import { storedFile, storedName } from './stored.js';

/** A data file to store as a dataset. */
export interface DatasetSource {
  /** The file to read; its extension gives its format. */
  path: string;
  /** The file's name as the user knows it (an upload's file name); default: the path's base name. */
  originalName?: string;
  /** The dataset's name; default: `originalName` without its extension, else `dataset`. */
  name?: string;
  /** `move` a file already in the data directory (an upload's temporary file); default `copy`. */
  place?: 'copy' | 'move';
}

/** A file dataset as `openDataset` validated it. */
type FileDataset = Dataset & { path: string; format: FileFormat };

/**
 * Validates `source`, stores its file in `dataDir` and records it. Errors of the data (a bad
 * row, an invalid byte) are `openDataset`'s, naming `source.path`.
 */
export async function storeDataset(datasets: DatasetRepository, dataDir: string, source: DatasetSource): Promise<DatasetRecord> {
  return keep(datasets, dataDir, await openFile(source.path), source);
}

/**
 * Imports `path` into the store's datasets, keeping the file in `dataDir`. A file whose bytes are
 * already stored under the same name is not copied again: its dataset is returned.
 */
export async function importDataset(datasets: DatasetRepository, path: string, dataDir: string): Promise<DatasetRecord> {
  const dataset = await openFile(path);
  const originalName = basename(dataset.path);
  const known = await datasets.findByHash(dataset.hash, originalName);
  if (known && (await stat(storedFile(dataDir, known).file).catch(() => undefined))) return known;
  return keep(datasets, dataDir, dataset, { path, originalName });
}

async function openFile(path: string): Promise<FileDataset> {
  const dataset = await openDataset(path);
  if (dataset.format === 'memory' || !dataset.path)
    throw new InputError(`${path} is not a data file`, { where: { file: path }, hint: 'give a .csv, .jsonl, .json or .parquet file' });
  return { ...dataset, path: dataset.path, format: dataset.format };
}

/** Places the validated file as `<id>.<ext>` and inserts its record; removes the copy if the insert fails. */
async function keep(datasets: DatasetRepository, dataDir: string, dataset: FileDataset, source: DatasetSource): Promise<DatasetRecord> {
  const originalName = source.originalName ?? basename(dataset.path);
  const id = randomUUID().replaceAll('-', '');
  const record: DatasetRecord = {
    id,
    name: source.name?.trim() || originalName.replace(/\.[^.]*$/, '') || 'dataset',
    original_name: originalName,
    format: dataset.format,
    columns: dataset.columns,
    row_count: dataset.rowCount,
    hash: dataset.hash,
    size_bytes: (await stat(dataset.path)).size,
    file: storedName(id, dataset.format),
    created_at: new Date().toISOString(),
  };
  const target = storedFile(dataDir, record).file;
  await mkdir(dataDir, { recursive: true });
  await (source.place === 'move' ? rename(dataset.path, target) : copyFile(dataset.path, target));
  try {
    await datasets.insert(record);
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
  return record;
}
