/**
 * JSON Lines (.jsonl, .ndjson): one JSON object per line, blank lines ignored.
 */
import type { Hash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { DataRecord, DatasetRow } from './dataset.js';
import { jsonErrorPosition } from './json.js';
import { readLines } from './lines.js';
import { addKeys, describeType, isRecord, type FormatReader } from './reader.js';
import { readText, type TextOptions } from './text.js';

const hint = 'each line must be one JSON object, such as {"input": "...", "expected": "..."}';

/** Reads JSON Lines files line by line. */
export const jsonlReader: FormatReader = {
  async scan(file, hash, text = {}) {
    const columns = new Set<string>();
    let rowCount = 0;
    for await (const { record } of readJsonl(file, 0, { ...text, hash })) {
      addKeys(columns, record);
      rowCount++;
    }
    return { columns: [...columns], rowCount };
  },
  rows: (file, offset, text = {}) => readJsonl(file, offset, text),
};

async function* readJsonl(file: string, offset: number, options: TextOptions & { hash?: Hash }): AsyncGenerator<DatasetRow> {
  let line = 0;
  let index = 0;
  for await (const text of readLines(readText(file, options))) {
    line++;
    if (isBlank(text)) continue;
    // Skipped rows are not parsed: `scan` has already validated them.
    if (index < offset) {
      index++;
      continue;
    }
    yield { index: index++, record: parseLine(text, file, line), line };
  }
}

function parseLine(text: string, file: string, line: number): DataRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = jsonErrorPosition(message);
    throw new InputError(`invalid JSON on line ${line} of ${file}: ${message}`, {
      where: { file, line, column: position === undefined ? undefined : position + 1 },
      hint,
      cause: error,
    });
  }
  if (!isRecord(value)) {
    throw new InputError(`line ${line} of ${file} is ${describeType(value)}, not a JSON object`, {
      where: { file, line },
      hint,
    });
  }
  return value;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}
