import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { openDataset, type Dataset, type DatasetRow } from './dataset.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function csv(content: string | Buffer): string {
  const file = path.join(dir, `data${counter++}.csv`);
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

describe('CSV datasets', () => {
  it('reads records as string values keyed by header in header order', async () => {
    const dataset = await openDataset(csv('question,answer,score\nWhat is 2+2?,4,1\nCapital of France?,Paris,0\n'));
    expect(dataset.format).toBe('csv');
    expect(dataset.columns).toEqual(['question', 'answer', 'score']);
    expect(dataset.rowCount).toBe(2);
    const rows = await collect(dataset);
    expect(rows.map((row) => row.record)).toEqual([
      { question: 'What is 2+2?', answer: '4', score: '1' },
      { question: 'Capital of France?', answer: 'Paris', score: '0' },
    ]);
    expect(rows.map((row) => row.index)).toEqual([0, 1]);
  });

  it('keeps commas, quotes and line breaks inside quoted fields', async () => {
    const dataset = await openDataset(csv('a,b\n"x, y","line one\nline two"\n"say ""hi""",z\n'));
    const rows = await collect(dataset);
    expect(rows[0]?.record).toEqual({ a: 'x, y', b: 'line one\nline two' });
    expect(rows[1]?.record).toEqual({ a: 'say "hi"', b: 'z' });
  });

  it('reads Unicode text and drops a UTF-8 BOM from the first header name', async () => {
    const file = csv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name,text\nzoë,日本語 🚀\n')]));
    const dataset = await openDataset(file);
    expect(dataset.columns).toEqual(['name', 'text']);
    expect((await collect(dataset))[0]?.record).toEqual({ name: 'zoë', text: '日本語 🚀' });
  });

  it('reads CRLF line endings, including inside quoted fields', async () => {
    const dataset = await openDataset(csv('a,b\r\n1,"x\r\ny"\r\n2,3\r\n'));
    const rows = await collect(dataset);
    expect(rows.map((row) => row.record)).toEqual([
      { a: '1', b: 'x\r\ny' },
      { a: '2', b: '3' },
    ]);
  });

  it('trims header names but not values', async () => {
    const dataset = await openDataset(csv(' a , b\n 1 ,2\n'));
    expect(dataset.columns).toEqual(['a', 'b']);
    expect((await collect(dataset))[0]?.record).toEqual({ a: ' 1 ', b: '2' });
  });

  it('skips empty lines', async () => {
    const dataset = await openDataset(csv('a\n\n1\n\n\n2\n'));
    expect(dataset.rowCount).toBe(2);
  });

  it('gives each row the line its record starts on', async () => {
    const dataset = await openDataset(csv('\na,b\n1,"x\r\ny"\n\n2,3\n"4\n\n5",6\n7,8'));
    const rows = await collect(dataset);
    expect(rows.map((row) => row.line)).toEqual([3, 6, 7, 10]);
  });

  it('starts at the offset, keeping indexes and lines', async () => {
    const dataset = await openDataset(csv('a\n1\n2\n3\n'));
    const rows = await collect(dataset, 2);
    expect(rows).toEqual([{ index: 2, line: 4, record: { a: '3' } }]);
  });

  it('reports an unclosed quote with the file and the line it opens on', async () => {
    const file = csv('a,b\n1,2\n\n3,"unclosed\n5,6\n');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 4');
    expect(error.where).toMatchObject({ file, line: 4 });
    expect(error.hint).toContain('add the missing closing quote');
  });

  it('reports a record with the wrong number of fields with the file and line', async () => {
    const file = csv('a,b\n1,2\n3,4,5\n');
    const error = await failure(openDataset(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('3 fields');
    expect(error.where).toMatchObject({ file, line: 3 });
    expect(error.hint).toContain('one value per header column, and quote values that contain commas');
  });

  it('reports a duplicated header name naming the column', async () => {
    const file = csv('id,text,id\n1,a,2\n');
    const error = await failure(openDataset(file));
    expect(error.message).toContain('"id"');
    expect(error.message).toContain(file);
    expect(error.where).toMatchObject({ file, line: 1, field: 'id' });
    expect(error.hint).toContain('a unique name');
  });

  it('reports an empty header name naming the column position', async () => {
    const file = csv('\n\na,,c\n1,2,3\n');
    const error = await failure(openDataset(file));
    expect(error.message).toContain('column 2');
    expect(error.where).toMatchObject({ file, line: 3, field: 'column 2' });
    expect(error.hint).toContain('give every column a name in the first line');
  });

  it('reports a file with only a header as having no rows', async () => {
    const file = csv('a,b\n');
    const error = await failure(openDataset(file));
    expect(error.message).toBe(`${file} has no rows`);
    expect(error.where.file).toBe(file);
    expect(error.hint).toContain('add at least one record to the file');
  });

  it('keeps JSON text in a cell as a string', async () => {
    const cell = '[{"doc_uri": "a.md", "content": "x, y"}]';
    const dataset = await openDataset(csv(`id,retrieved_context\n1,"${cell.replaceAll('"', '""')}"\n`));
    expect((await collect(dataset))[0]?.record.retrieved_context).toBe(cell);
  });
});

describe('CSV errors in the middle of a file', () => {
  it('names the line of a bad record that is followed by good ones', async () => {
    const file = path.join(dir, 'middle.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n3,4,5\n6,7\n');
    const error = await openDataset(file).then(
      () => undefined,
      (caught: unknown) => caught as InputError,
    );
    expect(error?.where.line).toBe(3);
  });
});
