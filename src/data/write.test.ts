import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseListCell } from './cells.js';
import { openDataset, type DataRecord } from './dataset.js';
import { writeTable } from './write.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-write-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const records: DataRecord[] = [
  { id: 1, question: 'Capital of France, please?', ok: true },
  { id: 2, question: 'Say "hi"\non two lines', context: [{ doc_uri: 'a.md', content: 'x' }], meta: { k: 'v' } },
  { id: 3, question: '日本語 🚀', ok: false, missing: null },
];

async function* stream(items: DataRecord[]): AsyncGenerator<DataRecord> {
  yield* items;
}

async function readBack(file: string): Promise<DataRecord[]> {
  const dataset = await openDataset(file);
  const rows: DataRecord[] = [];
  for await (const row of dataset.rows()) rows.push(row.record);
  return rows;
}

describe('writeTable', () => {
  it('round trips records through a JSON array', async () => {
    const file = path.join(dir, 'out.json');
    await writeTable(file, records);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(records);
    expect(await readBack(file)).toEqual(records);
  });

  it('round trips records streamed into JSONL, one object per line', async () => {
    const file = path.join(dir, 'out.jsonl');
    await writeTable(file, stream(records));
    expect(fs.readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(3);
    expect(await readBack(file)).toEqual(records);
  });

  it('writes CSV with the union of keys as columns and nested values as JSON', async () => {
    const file = path.join(dir, 'out.csv');
    await writeTable(file, records);
    const dataset = await openDataset(file);
    expect(dataset.columns).toEqual(['id', 'question', 'ok', 'context', 'meta', 'missing']);
    const rows = await readBack(file);
    expect(rows[0]).toEqual({ id: '1', question: 'Capital of France, please?', ok: 'true', context: '', meta: '', missing: '' });
    expect(rows[1]?.question).toBe('Say "hi"\non two lines');
    expect(parseListCell(rows[1]?.context)).toEqual([{ doc_uri: 'a.md', content: 'x' }]);
    expect(JSON.parse(rows[1]?.meta as string)).toEqual({ k: 'v' });
    expect(rows[2]).toMatchObject({ question: '日本語 🚀', ok: 'false' });
  });

  it('writes the same CSV from a stream as from an array, keys first seen late included', async () => {
    const late = [{ a: 1 }, { a: 2, b: undefined }, { a: 3, c: 'late' }];
    await writeTable(path.join(dir, 'array.csv'), late);
    await writeTable(path.join(dir, 'stream.csv'), stream(late));
    const fromStream = fs.readFileSync(path.join(dir, 'stream.csv'), 'utf8');
    expect(fromStream).toBe(fs.readFileSync(path.join(dir, 'array.csv'), 'utf8'));
    expect(fromStream).toBe('a,b,c\n1,,\n2,,\n3,,late\n');
  });

  it('writes an empty JSON array for no records', async () => {
    const file = path.join(dir, 'empty.json');
    await writeTable(file, []);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('writes bigints as numbers when exact and strings otherwise, and dates as ISO strings', async () => {
    const file = path.join(dir, 'values.jsonl');
    await writeTable(file, [{ small: 5n, big: 2n ** 64n, at: new Date(0) }]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      small: 5,
      big: '18446744073709551616',
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('creates missing parent directories', async () => {
    const file = path.join(dir, 'deep', 'er', 'out.jsonl');
    await writeTable(file, records);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('rejects an unknown extension with a ConfigError naming the path and the supported ones', async () => {
    const file = path.join(dir, 'out.xlsx');
    const error = await writeTable(file, records).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(file);
    expect((error as ConfigError).where.file).toBe(file);
    expect((error as ConfigError).hint).toContain('.json, .jsonl or .csv');
    expect(fs.existsSync(file)).toBe(false);
  });
});
