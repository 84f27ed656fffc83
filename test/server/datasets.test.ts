/** Dataset uploads over HTTP: formats, validation naming the line, size limits, preview and download. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileForm, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ maxUploadBytes: 4096 });
});
afterAll(() => server.stop());

/** Files kept in the data directory (temporary uploads included). */
function storedFiles(): string[] {
  return readdirSync(server.dataDir);
}

describe('POST /api/datasets', () => {
  it('stores a valid CSV with its columns, row count and hash, and lists it', async () => {
    const { status, body } = await server.call('POST', '/api/datasets', {
      body: fileForm('qa.csv', 'question,answer\nWhat is 2+2?,4\n"Capital of France, please",Paris\n'),
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: 'qa',
      original_name: 'qa.csv',
      format: 'csv',
      columns: ['question', 'answer'],
      row_count: 2,
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(storedFiles()).toContain(`${body.id}.csv`);
    const list = await server.call('GET', '/api/datasets');
    expect(list.body.datasets.map((d: { id: string }) => d.id)).toContain(body.id);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
  });

  it('takes JSONL, JSON and Parquet, and a name field', async () => {
    const jsonl = await server.call('POST', '/api/datasets', {
      body: fileForm('a.jsonl', '{"x":1}\n{"x":2,"y":"b"}\n', { name: 'my data' }),
    });
    expect(jsonl.body).toMatchObject({ name: 'my data', format: 'jsonl', columns: ['x', 'y'], row_count: 2 });
    const json = await server.call('POST', '/api/datasets', { body: fileForm('a.json', '[{"q":"a"},{"q":"b"},{"q":"c"}]') });
    expect(json.body).toMatchObject({ format: 'json', row_count: 3 });
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'q', data: ['p0', 'p1'], type: 'STRING' },
          { name: 'n', data: [1, 2], type: 'INT32' },
        ],
      }),
    );
    const parquet = await server.call('POST', '/api/datasets', { body: fileForm('p.parquet', bytes) });
    expect(parquet.status).toBe(201);
    expect(parquet.body).toMatchObject({ format: 'parquet', columns: ['q', 'n'], row_count: 2 });
    const detail = await server.call('GET', `/api/datasets/${parquet.body.id}`);
    expect(detail.body.preview).toEqual([
      { q: 'p0', n: 1 },
      { q: 'p1', n: 2 },
    ]);
  });

  it('refuses a malformed CSV with a 400 naming the line, and keeps nothing', async () => {
    const before = storedFiles();
    const total = (await server.call('GET', '/api/datasets')).body.total;
    const { status, body } = await server.call('POST', '/api/datasets', { body: fileForm('broken.csv', 'a,b\n1,2\n3,4,5\n') });
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 400, error: 'bad_request', field: 'file', line: 3 });
    expect(body.message).toMatch(/line 3 of broken\.csv/);
    expect(body.message).not.toContain(server.dataDir);
    expect(storedFiles()).toEqual(before);
    expect((await server.call('GET', '/api/datasets')).body.total).toBe(total);
  });

  it('names the line a quoted field opens on when it is never closed', async () => {
    const { status, body } = await server.call('POST', '/api/datasets', { body: fileForm('quote.csv', 'a,b\n1,2\n3,"4\n5,6\n') });
    expect(status).toBe(400);
    expect(body).toMatchObject({ field: 'file', line: 3 });
    expect(body.message).toBe('malformed CSV on line 3 of quote.csv: a quoted field is never closed');
  });

  it('refuses malformed JSONL naming the line', async () => {
    const { status, body } = await server.call('POST', '/api/datasets', { body: fileForm('rows.jsonl', '{"a":1}\n{"a":\n') });
    expect(status).toBe(400);
    expect(body.line).toBe(2);
    expect(body.message).toMatch(/line 2 of rows\.jsonl/);
  });

  it('refuses a file that is not valid UTF-8 with a 400 naming the line, and keeps nothing', async () => {
    const before = storedFiles();
    const total = (await server.call('GET', '/api/datasets')).body.total;
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n3,caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const { status, body } = await server.call('POST', '/api/datasets', { body: fileForm('latin1.csv', new Uint8Array(bytes)) });
    expect(status).toBe(400);
    expect(body).toMatchObject({ field: 'file', line: 3, hint: 'save the file as UTF-8 and upload it again' });
    expect(body.message).toBe('line 3 of latin1.csv is not valid UTF-8 (byte 0xE9 at column 6)');
    expect(storedFiles()).toEqual(before);
    expect((await server.call('GET', '/api/datasets')).body.total).toBe(total);
  });

  it('answers 413 for a file over the limit, with the limit in the message, and keeps nothing', async () => {
    const before = storedFiles();
    const big = 'a,b\n' + '1,2\n'.repeat(2000);
    const { status, body } = await server.call('POST', '/api/datasets', { body: fileForm('big.csv', big) });
    expect(status).toBe(413);
    expect(body).toMatchObject({ error: 'payload_too_large', field: 'file' });
    expect(body.message).toMatch(/larger than the upload limit of 4 KB/);
    expect(storedFiles()).toEqual(before);
  });

  it('names the field when the upload is not usable', async () => {
    const notMultipart = await server.call('POST', '/api/datasets', { body: { file: 'a,b' } });
    expect(notMultipart).toMatchObject({ status: 400, body: { field: 'file' } });
    const noFile = new FormData();
    noFile.append('name', 'x');
    expect(await server.call('POST', '/api/datasets', { body: noFile })).toMatchObject({
      status: 400,
      body: { field: 'file', message: 'no file was sent' },
    });
    const unknownType = await server.call('POST', '/api/datasets', { body: fileForm('notes.txt', 'hello') });
    expect(unknownType).toMatchObject({ status: 400, body: { field: 'file' } });
    expect(unknownType.body.message).toMatch(/cannot tell the format of 'notes\.txt'/);
    const badFormat = await server.call('POST', '/api/datasets', { body: fileForm('x.csv', 'a\n1\n', { format: 'xlsx' }) });
    expect(badFormat).toMatchObject({ status: 400, body: { field: 'format' } });
    const empty = await server.call('POST', '/api/datasets', { body: fileForm('empty.csv', 'a,b\n') });
    expect(empty).toMatchObject({ status: 400, body: { field: 'file' } });
    expect(empty.body.message).toMatch(/empty\.csv has no rows/);
    expect(storedFiles().filter((f) => f.startsWith('.upload-'))).toEqual([]);
  });
});

describe('GET /api/datasets/:id and /download', () => {
  it('shows columns, row count and the first 20 rows', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},v${i}`).join('\n');
    const { body: created } = await server.call('POST', '/api/datasets', { body: fileForm('thirty.csv', `n,v\n${rows}\n`) });
    const { status, body } = await server.call('GET', `/api/datasets/${created.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: created.id, columns: ['n', 'v'], row_count: 30 });
    expect(body.preview).toHaveLength(20);
    expect(body.preview[19]).toEqual({ n: '19', v: 'v19' });
  });

  it('streams a CSV back byte for byte, and converts it to JSON Lines', async () => {
    const csv = 'q,a\n"x, y",1\nz,2\n';
    const { body: created } = await server.call('POST', '/api/datasets', { body: fileForm('dl.csv', csv) });
    const asCsv = await server.call('GET', `/api/datasets/${created.id}/download`);
    expect(asCsv.status).toBe(200);
    expect(asCsv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(asCsv.headers.get('content-disposition')).toContain('filename="dl.csv"');
    expect(asCsv.body).toBe(csv);
    const asJsonl = await server.call('GET', `/api/datasets/${created.id}/download?format=jsonl`);
    expect(asJsonl.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(
      String(asJsonl.body)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { q: 'x, y', a: '1' },
      { q: 'z', a: '2' },
    ]);
  });

  it('converts JSON with nested values to CSV with JSON in the cells', async () => {
    const { body: created } = await server.call('POST', '/api/datasets', {
      body: fileForm('nested.json', '[{"q":"a","ctx":["c1","c2"]},{"q":"b"}]'),
    });
    const { body } = await server.call('GET', `/api/datasets/${created.id}/download?format=csv`);
    expect(body).toBe('q,ctx\na,"[""c1"",""c2""]"\nb,\n');
  });

  it('answers 404 for an unknown dataset and 400 for an unknown format', async () => {
    expect(await server.call('GET', '/api/datasets/nope')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: "no dataset 'nope'" },
    });
    expect((await server.call('GET', '/api/datasets/nope/download')).status).toBe(404);
    const { body: created } = await server.call('POST', '/api/datasets', { body: fileForm('f.csv', 'a\n1\n') });
    expect(await server.call('GET', `/api/datasets/${created.id}/download?format=xlsx`)).toMatchObject({
      status: 400,
      body: { field: 'format' },
    });
  });
});

describe('the data directory', () => {
  it('is next to the SQLite store by default', async () => {
    const other = await startTestServer({ dataDir: undefined });
    try {
      expect(other.dataDir).toBe(join(other.dir, 'datasets'));
    } finally {
      await other.stop();
    }
  });
});
