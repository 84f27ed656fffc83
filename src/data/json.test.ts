import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { openDataset, type Dataset, type DatasetRow } from './dataset.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-json-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function json(content: string | Buffer): string {
  const file = path.join(dir, `data${counter++}.json`);
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

describe('JSON datasets', () => {
  it('reads an array of objects with the union of their keys as columns', async () => {
    const dataset = await openDataset(json('[{"q":"a","n":1},{"x":[1],"q":"b"}]'));
    expect(dataset.format).toBe('json');
    expect(dataset.columns).toEqual(['q', 'n', 'x']);
    expect(await collect(dataset)).toEqual([
      { index: 0, record: { q: 'a', n: 1 } },
      { index: 1, record: { x: [1], q: 'b' } },
    ]);
  });

  it('reads Unicode text and drops a UTF-8 BOM', async () => {
    const dataset = await openDataset(json(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"t":"日本語"}]')])));
    expect((await collect(dataset))[0]?.record).toEqual({ t: '日本語' });
  });

  it('starts at the offset', async () => {
    const dataset = await openDataset(json('[{"a":1},{"a":2},{"a":3}]'));
    expect((await collect(dataset, 2)).map((row) => row.index)).toEqual([2]);
  });

  it('reports a file that is not an array', async () => {
    const file = json('{"a":1}');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('not an array');
    expect(error.where.file).toBe(file);
    expect(error.hint).toContain('.jsonl');
  });

  it('reports an element that is not an object naming its index', async () => {
    const file = json('[{"a":1},{"a":2},"three"]');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('element 2');
    expect(error.where).toMatchObject({ file, row: 2 });
    expect(error.hint).toContain('one JSON array of objects');
  });

  it('reports malformed JSON with the line and column', async () => {
    const file = json('[\n  {"a": 1},\n  {"a": 2 "b": 3}\n]');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3');
    expect(error.where).toMatchObject({ file, line: 3, column: 11 });
    expect(error.hint).toContain('one JSON array of objects');
  });

  it('reports an empty array as having no rows', async () => {
    const file = json('[]');
    const error = await failure(openDataset(file));
    expect(error.message).toBe(`${file} has no rows`);
    expect(error.hint).toContain('add at least one record to the file');
  });
});
