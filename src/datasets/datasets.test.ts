/**
 * Stored datasets: the one import (`juror label`, the library) and store (uploads) of a data file,
 * and reading its rows back through the data layer's readers.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../data/dataset.js';
import { EncodingError } from '../data/text.js';
import { DatasetRepository } from '../store/datasets.js';
import { serverDb } from '../store/server-tables.js';
import { Store } from '../store/store.js';
import { importDataset, previewRows, recordsAt, recordsWhere, storeDataset, storedFile, streamRows } from './index.js';

let dir: string;
let store: Store;
let datasets: DatasetRepository;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'juror-datasets-'));
  store = await Store.open({ path: join(dir, 'juror.db') });
  datasets = new DatasetRepository(serverDb(store));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A file in its own folder, and an empty data directory beside it. */
function fixture(name: string, content: string | Uint8Array): { file: string; dataDir: string } {
  const folder = mkdtempSync(join(dir, 'case-'));
  const file = join(folder, name);
  writeFileSync(file, content);
  return { file, dataDir: join(folder, 'datasets') };
}

describe('importDataset', () => {
  it('copies the file as <id>.<ext> and records what openDataset found', async () => {
    const { file, dataDir } = fixture('qa.v2.csv', 'question,answer\nWhat is 2+2?,4\n"Capital of France, please",Paris\n');
    const record = await importDataset(datasets, file, dataDir);
    const opened = await openDataset(file);
    expect(record).toMatchObject({
      name: 'qa.v2',
      original_name: 'qa.v2.csv',
      format: 'csv',
      columns: ['question', 'answer'],
      row_count: 2,
      hash: opened.hash,
      size_bytes: readFileSync(file).length,
      file: `${record.id}.csv`,
    });
    expect(readFileSync(storedFile(dataDir, record).file)).toEqual(readFileSync(file));
    expect(existsSync(file)).toBe(true);
    expect(await datasets.get(record.id)).toEqual(record);
  });

  it('reuses the dataset of the same bytes and name while its file is there, and stores it again once the file is gone', async () => {
    const { file, dataDir } = fixture('rows.jsonl', '{"x":1}\n{"x":2}\n');
    const first = await importDataset(datasets, file, dataDir);
    expect((await importDataset(datasets, file, dataDir)).id).toBe(first.id);
    unlinkSync(storedFile(dataDir, first).file);
    const again = await importDataset(datasets, file, dataDir);
    expect(again.id).not.toBe(first.id);
    expect(readdirSync(dataDir)).toEqual([again.file]);
  });

  it('refuses a file that is not valid UTF-8 naming its line, and keeps nothing', async () => {
    const { file, dataDir } = fixture('latin1.csv', Buffer.concat([Buffer.from('a,b\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const error = await importDataset(datasets, file, dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncodingError);
    expect((error as EncodingError).where).toMatchObject({ file, line: 2, column: 6 });
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('storeDataset', () => {
  it('moves a file into the data directory under the name given, trimmed', async () => {
    const { file, dataDir } = fixture('upload.csv', 'q\na\nb\n');
    const record = await storeDataset(datasets, dataDir, { path: file, originalName: 'mine.csv', name: '  my data ', place: 'move' });
    expect(record).toMatchObject({ name: 'my data', original_name: 'mine.csv', row_count: 2, size_bytes: 6 });
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dataDir)).toEqual([record.file]);
  });

  it('names the dataset after the original name, or `dataset` when that is only an extension', async () => {
    const { file, dataDir } = fixture('x.json', '[{"q":1}]');
    expect((await storeDataset(datasets, dataDir, { path: file, originalName: '.json' })).name).toBe('dataset');
  });

  it('removes the stored file when the record cannot be written', async () => {
    const closed = await Store.open({ path: join(dir, 'closed.db') });
    const repository = new DatasetRepository(serverDb(closed));
    await closed.close();
    const { file, dataDir } = fixture('a.csv', 'q\n1\n');
    await expect(storeDataset(repository, dataDir, { path: file })).rejects.toThrow();
    expect(readdirSync(dataDir)).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});

describe('rows of a stored dataset', () => {
  it('streams every row, previews the first, and finds records by row index in each format', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'n', data: [0, 1, 2, 3], type: 'INT32' }] }));
    const { file, dataDir } = fixture('p.parquet', bytes);
    const source = storedFile(dataDir, await importDataset(datasets, file, dataDir));
    const all = [];
    for await (const row of streamRows(source)) all.push(row.record);
    expect(all).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await previewRows(source, 2)).toEqual([{ n: 0 }, { n: 1 }]);
    expect(await previewRows(source, 0)).toEqual([]);
    expect([...(await recordsAt(source, [3, 1]))].sort()).toEqual([
      [1, { n: 1 }],
      [3, { n: 3 }],
    ]);
    expect(await recordsWhere(source, (row) => row % 2 === 0)).toEqual({ rows: [0, 2], records: [{ n: 0 }, { n: 2 }] });
  });
});
