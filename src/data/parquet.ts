/**
 * Parquet (.parquet), read with hyparquet one row group at a time so memory is bounded by the
 * largest row group, not the file.
 */
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { InputError } from '../errors.js';
import type { DataRecord, DatasetRow } from './dataset.js';
import { readBytes, type FormatReader } from './reader.js';

const hint = 'check the file is a valid Parquet file; Juror reads uncompressed and Snappy-compressed Parquet';

/** Reads Parquet files row group by row group. */
export const parquetReader: FormatReader = {
  async scan(file, hash) {
    // hyparquet reads by random access, so the bytes are hashed in a separate sequential pass.
    for await (const _chunk of readBytes(file, hash));
    const parquet = await openParquet(file);
    let rowCount = 0;
    // Decoding every row group now surfaces a corrupt page before any judge call is paid for.
    for await (const _row of readParquet(file, parquet, 0)) rowCount++;
    const columns = parquetSchema(parquet.metadata).children.map((child) => child.element.name);
    return { columns, rowCount };
  },
  async *rows(file, offset) {
    yield* readParquet(file, await openParquet(file), offset);
  },
};

interface OpenParquet {
  buffer: AsyncBuffer;
  metadata: FileMetaData;
}

async function* readParquet(file: string, { buffer, metadata }: OpenParquet, offset: number): AsyncGenerator<DatasetRow> {
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    // Row groups wholly before the offset are never decoded.
    if (groupEnd > offset) {
      const rowStart = Math.max(groupStart, offset);
      const rows = await readRange(file, buffer, metadata, rowStart, groupEnd);
      for (let i = 0; i < rows.length; i++) {
        yield { index: rowStart + i, record: toPlainRecord(rows[i] as DataRecord) };
      }
    }
    groupStart = groupEnd;
  }
}

async function openParquet(file: string): Promise<OpenParquet> {
  try {
    const buffer = await asyncBufferFromFile(file);
    return { buffer, metadata: await parquetMetadataAsync(buffer) };
  } catch (error) {
    throw new InputError(`cannot read Parquet file ${file}: ${(error as Error).message}`, {
      where: { file },
      hint,
      cause: error,
    });
  }
}

async function readRange(
  file: string,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  rowStart: number,
  rowEnd: number,
): Promise<DataRecord[]> {
  try {
    return await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
  } catch (error) {
    throw new InputError(`cannot read rows ${rowStart} to ${rowEnd - 1} of Parquet file ${file}: ${(error as Error).message}`, {
      where: { file, row: rowStart },
      hint,
      cause: error,
    });
  }
}

/** Replaces values that JSON cannot carry, in place at the top level (the row is hyparquet's fresh copy). */
function toPlainRecord(row: DataRecord): DataRecord {
  for (const key of Object.keys(row)) row[key] = toPlainValue(row[key]);
  return row;
}

/**
 * 64-bit integers become numbers when exact, else decimal strings; dates become ISO strings;
 * raw bytes (fixed-length byte arrays without a logical type) become base64.
 */
function toPlainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toPlainValue(inner)]));
  }
  return value;
}
