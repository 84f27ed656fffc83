import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { openDataset, type Dataset, type DatasetRow } from './dataset.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-parquet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function parquet(options: Omit<Parameters<typeof parquetWriteFile>[0], 'filename'>): string {
  const file = path.join(dir, `data${counter++}.parquet`);
  parquetWriteFile({ filename: file, ...options });
  return file;
}

async function collect(dataset: Dataset, offset?: number): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of dataset.rows({ offset })) rows.push(row);
  return rows;
}

/** Five rows in row groups of two, so reads cross row-group boundaries. */
function fiveRows(): string {
  return parquet({
    rowGroupSize: 2,
    columnData: [
      { name: 'question', data: ['q0', 'q1', 'q2', 'q3', 'q4'], type: 'STRING' },
      { name: 'score', data: [0.5, 1, 0, 0.25, 1], type: 'DOUBLE' },
      { name: 'id', data: [0, 1, 2, 3, 4], type: 'INT32' },
    ],
  });
}

describe('Parquet datasets', () => {
  it('reads every row of every row group with columns in schema order', async () => {
    const dataset = await openDataset(fiveRows());
    expect(dataset.format).toBe('parquet');
    expect(dataset.columns).toEqual(['question', 'score', 'id']);
    expect(dataset.rowCount).toBe(5);
    const rows = await collect(dataset);
    expect(rows.map((row) => row.index)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[3]?.record).toEqual({ question: 'q3', score: 0.25, id: 3 });
    expect(rows[0]?.line).toBeUndefined();
  });

  it('starts at an offset inside a later row group', async () => {
    const dataset = await openDataset(fiveRows());
    const rows = await collect(dataset, 3);
    expect(rows.map((row) => [row.index, row.record.question])).toEqual([
      [3, 'q3'],
      [4, 'q4'],
    ]);
  });

  it('turns 64-bit integers into numbers when exact and strings otherwise', async () => {
    const file = parquet({
      columnData: [{ name: 'n', data: [42n, -(2n ** 53n - 1n), 2n ** 53n + 1n], type: 'INT64' }],
    });
    const rows = await collect(await openDataset(file));
    expect(rows.map((row) => row.record.n)).toEqual([42, -(2 ** 53 - 1), '9007199254740993']);
  });

  it('turns timestamps into ISO strings', async () => {
    const file = parquet({ columnData: [{ name: 'at', data: [new Date('2024-05-01T12:30:00Z')], type: 'TIMESTAMP' }] });
    const rows = await collect(await openDataset(file));
    expect(rows[0]?.record.at).toBe('2024-05-01T12:30:00.000Z');
  });

  it('keeps nested JSON values and nulls', async () => {
    const file = parquet({
      columnData: [{ name: 'ctx', data: [[{ doc_uri: 'a.md', content: 'x' }], null], type: 'JSON' }],
    });
    const rows = await collect(await openDataset(file));
    expect(rows.map((row) => row.record.ctx)).toEqual([[{ doc_uri: 'a.md', content: 'x' }], null]);
  });

  it('turns raw fixed-length bytes into base64', async () => {
    const file = parquet({
      columnData: [{ name: 'raw', data: [new Uint8Array([1, 2]), new Uint8Array([255, 0])] }],
      schema: [
        { name: 'root', num_children: 1 },
        { name: 'raw', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 2, repetition_type: 'REQUIRED' },
      ],
    });
    const rows = await collect(await openDataset(file));
    expect(rows.map((row) => row.record.raw)).toEqual(['AQI=', '/wA=']);
  });

  it('reports a file that is not Parquet with its path and a hint', async () => {
    const file = path.join(dir, 'fake.parquet');
    fs.writeFileSync(file, 'id,text\n1,a\n');
    const error = await openDataset(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(file);
    expect((error as InputError).where.file).toBe(file);
    expect((error as InputError).hint).toContain('check the file is a valid Parquet file');
  });

  it('reports a file with no rows', async () => {
    const file = parquet({ columnData: [{ name: 'a', data: [], type: 'STRING' }] });
    const error = await openDataset(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${file} has no rows`);
  });
});
