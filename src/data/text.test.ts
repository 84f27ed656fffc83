/**
 * Data files that are not valid UTF-8: refused at the line and column of the first bad byte, in
 * every text format, unless the config names the file's encoding.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { openDataset, type Dataset } from './dataset.js';
import { EncodingError } from './text.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-text-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** Writes the parts (text as UTF-8, numbers as raw bytes) to a new file with the extension. */
function file(extension: string, ...parts: Array<string | number[]>): string {
  const name = path.join(dir, `data${counter++}${extension}`);
  fs.writeFileSync(name, Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part)))));
  return name;
}

async function records(dataset: Dataset): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of dataset.rows()) rows.push(row.record);
  return rows;
}

async function encodingFailure(promise: Promise<unknown>): Promise<EncodingError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EncodingError);
  return error as EncodingError;
}

const E9 = [0xe9]; // é in latin1: a lone continuation-less lead byte in UTF-8

describe('invalid UTF-8', () => {
  it('refuses a CSV with a latin1 byte on line 3, naming the line, the column and the byte', async () => {
    const csv = file('.csv', 'q,a\nQ1,A1\nQ2,caf', E9, '\nQ3,A3\n');
    const error = await encodingFailure(openDataset(csv));
    expect(error.where).toEqual({ file: csv, line: 3, column: 7 });
    expect(error.message).toBe(`line 3 of ${csv} is not valid UTF-8 (byte 0xE9 at column 7)`);
    expect(error.hint).toContain('re-save the file as UTF-8, or set `encoding: latin1`');
    expect(error.hint).toContain(`data: { path: ${path.basename(csv)}, encoding: latin1 }`);
  });

  it('refuses a JSONL file with a bad byte on line 3', async () => {
    const jsonl = file('.jsonl', '{"q":"a"}\n{"q":"b"}\n{"q":"', E9, '"}\n');
    const error = await encodingFailure(openDataset(jsonl));
    expect(error.where).toEqual({ file: jsonl, line: 3, column: 7 });
  });

  it('refuses a JSON array with a bad byte, naming its line', async () => {
    const json = file('.json', '[\n{"q":"a"},\n{"q":"', E9, '"}\n]');
    const error = await encodingFailure(openDataset(json));
    expect(error.where).toMatchObject({ line: 3, column: 7 });
  });

  it('refuses a multi-byte character cut short at the end of the file', async () => {
    const csv = file('.csv', 'q\nx\n', [0xe6, 0x97]);
    const error = await encodingFailure(openDataset(csv));
    expect(error.where).toMatchObject({ line: 3, column: 1 });
    expect(error.message).toContain('byte 0xE6');
  });

  it('counts columns in characters, passing over a U+FFFD the file really holds', async () => {
    const csv = file('.csv', 'q\n日本\uFFFDx', [0xff], '\n');
    const error = await encodingFailure(openDataset(csv));
    expect(error.where).toMatchObject({ line: 2, column: 5 });
    expect(error.message).toContain('byte 0xFF');
  });

  it('finds the line of a bad byte far past the first chunk the reader reads', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"i":${i},"t":"ünïcödé"}\n`).join('');
    const jsonl = file('.jsonl', lines, '{"i":"', E9, '"}\n');
    const error = await encodingFailure(openDataset(jsonl));
    expect(error.where.line).toBe(20_001);
  });
});

describe('valid text', () => {
  it('reads a multi-byte character split across two read chunks', async () => {
    // The reader reads 64 KiB at a time: the two bytes of é straddle the boundary.
    const filler = 'x'.repeat(64 * 1024 - 'q\n'.length - 1);
    const csv = file('.csv', 'q\n', filler, 'é\n');
    expect(await records(await openDataset(csv))).toEqual([{ q: `${filler}é` }]);
  });

  it('drops a UTF-8 byte order mark before the first column name', async () => {
    const csv = file('.csv', [0xef, 0xbb, 0xbf], 'q\nzoë\n');
    expect(await records(await openDataset(csv))).toEqual([{ q: 'zoë' }]);
  });
});

describe('the encoding option', () => {
  it('reads a latin1 CSV as latin1', async () => {
    const csv = file('.csv', 'q,a\nQ1,A1\nQ2,caf', E9, '\n');
    const dataset = await openDataset(csv, { encoding: 'latin1' });
    expect(await records(dataset)).toEqual([
      { q: 'Q1', a: 'A1' },
      { q: 'Q2', a: 'café' },
    ]);
  });

  it('reads latin1 JSONL and JSON', async () => {
    const jsonl = file('.jsonl', '{"q":"caf', E9, '"}\n');
    expect(await records(await openDataset(jsonl, { encoding: 'latin1' }))).toEqual([{ q: 'café' }]);
    const json = file('.json', '[{"q":"caf', E9, '"}]');
    expect(await records(await openDataset(json, { encoding: 'windows-1252' }))).toEqual([{ q: 'café' }]);
  });

  it('reads UTF-16LE with its byte order mark', async () => {
    const name = path.join(dir, 'utf16.csv');
    fs.writeFileSync(name, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('q\nzoë 🚀\n', 'utf16le')]));
    expect(await records(await openDataset(name, { encoding: 'utf-16le' }))).toEqual([{ q: 'zoë 🚀' }]);
  });

  it('refuses bytes invalid in the named encoding, naming the encoding', async () => {
    const name = path.join(dir, 'bad16.jsonl');
    // A lone high surrogate.
    fs.writeFileSync(name, Buffer.concat([Buffer.from('{"q":"x"}\n', 'utf16le'), Buffer.from([0x00, 0xd8])]));
    const error = await encodingFailure(openDataset(name, { encoding: 'utf-16le' }));
    expect(error.message).toBe(`${name} is not valid utf-16le`);
    expect(error.hint).toContain("set the file's real encoding");
  });

  it('refuses an unknown encoding as a config error at data.encoding', async () => {
    const csv = file('.csv', 'q\nx\n');
    const error = await openDataset(csv, { encoding: 'latin-9000' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).where.field).toBe('data.encoding');
  });

  it('refuses an encoding for a Parquet file, which holds UTF-8', async () => {
    const error = await openDataset(path.join(dir, 'x.parquet'), { encoding: 'latin1' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).hint).toContain('remove `encoding`');
  });
});
