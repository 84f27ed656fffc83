/**
 * A data file made a stored dataset, as an upload to `juror serve` makes one (so that `juror serve`
 * on the same store lists, previews and downloads it): validated end to end, copied into the data
 * directory as `<id>.<ext>`, and recorded. A file whose bytes are already stored (same hash, same
 * name) is not copied again: its dataset is reused.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { openDataset, type FileFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import type { DatasetRecord, DatasetRepository } from '../store/datasets.js';

const EXTENSIONS: Record<FileFormat, string> = { csv: '.csv', jsonl: '.jsonl', json: '.json', parquet: '.parquet' };

/** Imports `path` into the store's datasets (or finds it there), keeping the file in `dataDir`. */
export async function importDataset(datasets: DatasetRepository, path: string, dataDir: string): Promise<DatasetRecord> {
  const dataset = await openDataset(path);
  if (dataset.format === 'memory' || !dataset.path) throw new InputError(`${path} is not a data file`, { where: { file: path }, hint: 'give a .csv, .jsonl, .json or .parquet file' });
  const originalName = basename(dataset.path);
  const known = await datasets.findByHash(dataset.hash, originalName);
  if (known && (await stat(join(dataDir, known.file)).catch(() => undefined))) return known;
  const id = randomUUID().replaceAll('-', '');
  const file = `${id}${EXTENSIONS[dataset.format]}`;
  await mkdir(dataDir, { recursive: true });
  const target = join(dataDir, file);
  await copyFile(dataset.path, target);
  const record: DatasetRecord = {
    id,
    name: originalName.slice(0, originalName.length - extname(originalName).length) || 'dataset',
    original_name: originalName,
    format: dataset.format,
    columns: dataset.columns,
    row_count: dataset.rowCount,
    hash: dataset.hash,
    size_bytes: (await stat(dataset.path)).size,
    file,
    created_at: new Date().toISOString(),
  };
  try {
    await datasets.insert(record);
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
  return record;
}
