/**
 * In-memory datasets: an array of records passed to `evaluate()` instead of a file path.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { DataRecord, Dataset, DatasetRow } from './dataset.js';
import { addKeys, checkOffset, describeType, isRecord } from './reader.js';
import { canonicalJson } from '../canonical-json.js';

const hint = "pass an array of plain objects, such as [{ input: '...', expected: '...' }]";

/** Validates an array of records and wraps it as a `Dataset`; the records are not copied. */
export function memoryDataset(records: unknown): Dataset {
  if (!Array.isArray(records)) {
    throw new InputError(`data must be a file path or an array of records, not ${describeType(records)}`, {
      where: { field: 'data' },
      hint,
    });
  }
  if (records.length === 0) {
    throw new InputError('the data array has no rows', {
      where: { field: 'data' },
      hint: 'pass at least one record, or a path to a data file',
    });
  }
  const columns = new Set<string>();
  // Hashes the same bytes as canonicalJson(records), without building one large string.
  const hash = createHash('sha256').update('[');
  records.forEach((record: unknown, row) => {
    if (!isRecord(record)) {
      throw new InputError(`data row ${row} is ${describeType(record)}, not an object`, {
        where: { field: 'data', row },
        hint,
      });
    }
    addKeys(columns, record);
    hash.update(`${row > 0 ? ',' : ''}${canonicalJson(record)}`);
  });
  hash.update(']');

  const rows = records as DataRecord[];
  return {
    name: 'memory',
    format: 'memory',
    columns: [...columns],
    rowCount: rows.length,
    hash: `sha256:${hash.digest('hex')}`,
    rows: (options) => {
      const offset = checkOffset(options?.offset);
      return { [Symbol.asyncIterator]: () => iterate(rows, offset) };
    },
  };
}

async function* iterate(records: DataRecord[], offset: number): AsyncGenerator<DatasetRow> {
  for (let index = offset; index < records.length; index++) {
    yield { index, record: records[index] as DataRecord };
  }
}
