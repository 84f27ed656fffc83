import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { openDataset, type Dataset, type DatasetRow } from './dataset.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-jsonl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function jsonl(content: string | Buffer, extension = '.jsonl'): string {
  const file = path.join(dir, `data${counter++}${extension}`);
  fs.writeFileSync(file, content);
  return file;
}

async function collect(dataset: Dataset, offset?: number): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of dataset.rows({ offset })) rows.push(row);
  return rows;
}

async function failure(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('JSONL datasets', () => {
  it('reads one object per line with JSON value types intact', async () => {
    const dataset = await openDataset(jsonl('{"q":"a","n":1,"tags":["x"]}\n{"q":"b","n":null,"ok":true}\n'));
    expect(dataset.format).toBe('jsonl');
    expect(dataset.rowCount).toBe(2);
    expect((await collect(dataset)).map((row) => row.record)).toEqual([
      { q: 'a', n: 1, tags: ['x'] },
      { q: 'b', n: null, ok: true },
    ]);
  });

  it('reads .ndjson files as JSONL', async () => {
    const dataset = await openDataset(jsonl('{"a":1}\n', '.ndjson'));
    expect(dataset.format).toBe('jsonl');
  });

  it('collects columns as the union of keys in order of first appearance', async () => {
    const dataset = await openDataset(jsonl('{"b":1,"a":2}\n{"c":3,"a":4}\n{"d":5}\n'));
    expect(dataset.columns).toEqual(['b', 'a', 'c', 'd']);
  });

  it('numbers rows from 0 and skips blank lines while counting them as lines', async () => {
    const dataset = await openDataset(jsonl('\n{"a":1}\n   \n\n{"a":2}\n'));
    const rows = await collect(dataset);
    expect(rows.map((row) => [row.index, row.line])).toEqual([
      [0, 2],
      [1, 5],
    ]);
  });

  it('reads CRLF line endings and a last line without a newline', async () => {
    const dataset = await openDataset(jsonl('{"a":"x"}\r\n{"a":"y"}\r\n{"a":"z"}'));
    expect((await collect(dataset)).map((row) => row.record.a)).toEqual(['x', 'y', 'z']);
  });

  it('reads Unicode text and drops a UTF-8 BOM', async () => {
    const file = jsonl(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"t":"日本語 🚀 zoë"}\n')]));
    const dataset = await openDataset(file);
    expect(dataset.columns).toEqual(['t']);
    expect((await collect(dataset))[0]?.record).toEqual({ t: '日本語 🚀 zoë' });
  });

  it('starts at the offset, keeping indexes and lines', async () => {
    const dataset = await openDataset(jsonl('{"a":1}\n\n{"a":2}\n{"a":3}\n'));
    expect(await collect(dataset, 1)).toEqual([
      { index: 1, line: 3, record: { a: 2 } },
      { index: 2, line: 4, record: { a: 3 } },
    ]);
  });

  it('reports malformed JSON with the file, line and column', async () => {
    const file = jsonl('{"a":1}\n{"a":2}\n{"a": 3\n');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3');
    expect(error.where).toMatchObject({ file, line: 3, column: 8 });
    expect(error.hint).toContain('each line must be one JSON object');
  });

  it('reports a line that is JSON but not an object', async () => {
    const file = jsonl('{"a":1}\n[1,2]\n');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('an array');
    expect(error.where).toMatchObject({ file, line: 2 });
    expect(error.hint).toContain('each line must be one JSON object');
  });

  it('reports a file of blank lines as having no rows', async () => {
    const file = jsonl('\n\n');
    const error = await failure(openDataset(file));
    expect(error.message).toBe(`${file} has no rows`);
    expect(error.hint).toContain('add at least one record to the file');
  });
});
