/**
 * JSON (.json): one array of objects. Unlike the other formats the file is read and parsed
 * whole, because a JSON array cannot be validated or counted without parsing all of it;
 * use JSONL for datasets too large to hold in memory.
 */
import type { Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { DataRecord, DatasetRow } from './dataset.js';
import { addKeys, describeType, isRecord, type FormatReader } from './reader.js';
import { decodeText, type TextOptions } from './text.js';

const hint = 'the file must hold one JSON array of objects, such as [{"input": "..."}, ...]';

/** Reads JSON array files, parsing the whole file on each pass. */
export const jsonReader: FormatReader = {
  async scan(file, hash, text = {}) {
    const records = await readArray(file, text, hash);
    const columns = new Set<string>();
    for (const record of records) addKeys(columns, record);
    return { columns: [...columns], rowCount: records.length };
  },
  async *rows(file, offset, text = {}): AsyncGenerator<DatasetRow> {
    // Parsed again rather than cached so a finished pass leaves nothing in memory.
    const records = await readArray(file, text);
    for (let index = offset; index < records.length; index++) {
      yield { index, record: records[index] as DataRecord };
    }
  },
};

/**
 * Finds the 0-based character position in a `JSON.parse` error message ("... at position 12"),
 * when the engine gives one.
 */
export function jsonErrorPosition(message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

async function readArray(file: string, options: TextOptions, hash?: Hash): Promise<DataRecord[]> {
  const bytes = await readFile(file);
  hash?.update(bytes);
  // TextDecoder strips a BOM, which JSON.parse would reject.
  const text = await decodeText(file, bytes, options);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw syntaxError(error as Error, text, file);
  }
  if (!Array.isArray(value)) {
    throw new InputError(`${file} holds ${describeType(value)}, not an array of objects`, {
      where: { file },
      hint: `${hint}; for one object per line, name the file .jsonl`,
    });
  }
  value.forEach((element: unknown, row) => {
    if (!isRecord(element)) {
      throw new InputError(`element ${row} of ${file} is ${describeType(element)}, not an object`, {
        where: { file, row },
        hint,
      });
    }
  });
  return value as DataRecord[];
}

function syntaxError(error: Error, text: string, file: string): InputError {
  const position = jsonErrorPosition(error.message);
  let where: { file: string; line?: number; column?: number } = { file };
  let place = '';
  if (position !== undefined) {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    where = { file, line, column };
    place = ` on line ${line}`;
  }
  return new InputError(`invalid JSON${place} of ${file}: ${error.message}`, { where, hint, cause: error });
}
