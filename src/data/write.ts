/**
 * Writes result tables as JSON, JSON Lines or CSV, streaming so a large run is never held
 * in memory as one string.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ConfigError } from '../errors.js';
import type { DataRecord } from './dataset.js';
import { readLines } from './lines.js';
import { addKeys } from './reader.js';
import { readText } from './text.js';

type Records = Iterable<DataRecord> | AsyncIterable<DataRecord>;
type TableFormat = 'json' | 'jsonl' | 'csv';

const formats: Record<string, TableFormat> = { '.json': 'json', '.jsonl': 'jsonl', '.csv': 'csv' };

/**
 * Writes records as .json (an array), .jsonl or .csv by the path's extension, creating the
 * parent directory. In CSV, nested values (arrays, objects) are JSON-encoded in their cells and
 * the columns are the union of keys in first-appearance order.
 */
export async function writeTable(file: string, records: Records): Promise<void> {
  const target = path.resolve(file);
  const format = formats[path.extname(target).toLowerCase()];
  if (!format) {
    throw new ConfigError(`unsupported output file type: ${target}`, {
      where: { file: target },
      hint: '--out takes a file ending in .json, .jsonl or .csv',
    });
  }
  await mkdir(path.dirname(target), { recursive: true });
  if (format === 'csv') return writeCsv(target, records);
  const chunks = format === 'json' ? jsonArrayChunks(records) : jsonLineChunks(records);
  await pipeline(Readable.from(chunks), createWriteStream(target));
}

async function* jsonLineChunks(records: Records): AsyncGenerator<string> {
  for await (const record of records) yield `${toJson(record)}\n`;
}

async function* jsonArrayChunks(records: Records): AsyncGenerator<string> {
  let first = true;
  for await (const record of records) {
    yield `${first ? '[\n' : ',\n'}${toJson(record)}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

async function writeCsv(target: string, records: Records): Promise<void> {
  if (Array.isArray(records)) {
    const columns = new Set<string>();
    for (const record of records as DataRecord[]) addKeys(columns, record);
    return writeCsvRows(target, [...columns], records as DataRecord[]);
  }
  // The header needs every record's keys, which a stream only reveals at its end, so the
  // records wait in a JSONL spool file rather than in memory.
  const dir = await mkdtemp(path.join(tmpdir(), 'juror-csv-'));
  try {
    const spool = path.join(dir, 'records.jsonl');
    const columns = new Set<string>();
    await pipeline(Readable.from(spoolChunks(records, columns)), createWriteStream(spool));
    await writeCsvRows(target, [...columns], readSpool(spool));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function* spoolChunks(records: Records, columns: Set<string>): AsyncGenerator<string> {
  for await (const record of records) {
    // Keys are taken before encoding, which would drop those whose value is undefined.
    addKeys(columns, record);
    yield `${toJson(record)}\n`;
  }
}

async function* readSpool(spool: string): AsyncGenerator<DataRecord> {
  for await (const line of readLines(readText(spool))) yield JSON.parse(line) as DataRecord;
}

async function writeCsvRows(target: string, columns: string[], records: Records): Promise<void> {
  if (columns.length === 0) return writeFile(target, '');
  async function* cells(): AsyncGenerator<string[]> {
    for await (const record of records) yield columns.map((column) => toCell(record[column]));
  }
  await pipeline(Readable.from(cells()), stringify({ header: true, columns }), createWriteStream(target));
}

/** Text for one CSV cell; cells are made strings here so csv-stringify's casts (true → "1") never apply. */
export function toCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return toJson(value);
  return String(value);
}

/** JSON.stringify that writes bigints as numbers when exact and as strings otherwise. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'bigint') return inner;
    return Number.isSafeInteger(Number(inner)) ? Number(inner) : inner.toString();
  });
}
