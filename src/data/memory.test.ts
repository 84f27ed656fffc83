import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { openDataset, type DataRecord, type DatasetRow } from './dataset.js';
import { canonicalJson } from '../canonical-json.js';

async function collect(rows: AsyncIterable<DatasetRow>): Promise<DatasetRow[]> {
  const collected: DatasetRow[] = [];
  for await (const row of rows) collected.push(row);
  return collected;
}

async function failure(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('in-memory datasets', () => {
  it('wraps an array of records with the union of keys as columns', async () => {
    const dataset = await openDataset([{ q: 'a' }, { q: 'b', expected: 'c' }]);
    expect(dataset).toMatchObject({ name: 'memory', format: 'memory', rowCount: 2, columns: ['q', 'expected'] });
    expect(dataset.path).toBeUndefined();
    expect(await collect(dataset.rows())).toEqual([
      { index: 0, record: { q: 'a' } },
      { index: 1, record: { q: 'b', expected: 'c' } },
    ]);
  });

  it('starts at the offset', async () => {
    const dataset = await openDataset([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect((await collect(dataset.rows({ offset: 1 }))).map((row) => row.index)).toEqual([1, 2]);
  });

  it('hashes records alike whatever their key order', async () => {
    const first = await openDataset([{ a: 1, b: { c: 2, d: [1, 2] } }]);
    const second = await openDataset([{ b: { d: [1, 2], c: 2 }, a: 1 }]);
    expect(first.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second.hash).toBe(first.hash);
  });

  it('hashes different records differently', async () => {
    const first = await openDataset([{ a: 1 }]);
    const second = await openDataset([{ a: 2 }]);
    expect(second.hash).not.toBe(first.hash);
  });

  it('reports an element that is not a plain object naming its row', async () => {
    const error = await failure(openDataset([{ a: 1 }, ['b'] as unknown as DataRecord]));
    expect(error.message).toContain('row 1');
    expect(error.where).toMatchObject({ row: 1, field: 'data' });
    expect(error.hint).toContain('pass an array of plain objects');
  });

  it('reports an empty array as having no rows', async () => {
    const error = await failure(openDataset([]));
    expect(error.message).toContain('no rows');
    expect(error.hint).toContain('pass at least one record, or a path to a data file');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined values like JSON.stringify', () => {
    expect(canonicalJson({ b: [{ y: 1, x: undefined }], a: new Date(0), c: 10n })).toBe(
      '{"a":"1970-01-01T00:00:00.000Z","b":[{"y":1}],"c":10}',
    );
  });
});
