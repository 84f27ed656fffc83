/**
 * CSV (.csv): a header line naming the columns, then one record per line (quoted fields may
 * span lines). Values stay strings.
 */
import type { Hash } from 'node:crypto';
import { pipeline } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { InputError } from '../errors.js';
import type { DatasetRow } from './dataset.js';
import type { FormatReader } from './reader.js';
import { readText, type TextOptions } from './text.js';

/** Reads CSV files record by record with csv-parse. */
export const csvReader: FormatReader = {
  async scan(file, hash, text = {}) {
    let columns: string[] = [];
    let rowCount = 0;
    for await (const _row of readCsv(file, 0, { ...text, hash }, (header) => (columns = header))) rowCount++;
    return { columns, rowCount };
  },
  rows: (file, offset, text = {}) => readCsv(file, offset, text),
};

async function* readCsv(
  file: string,
  offset: number,
  text: TextOptions & { hash?: Hash },
  onHeader?: (columns: string[]) => void,
): AsyncGenerator<DatasetRow> {
  // csv-parse's own line count drifts on quoted CRLF line breaks, so lines are counted here:
  // the lines spanned by the header and the records so far, plus csv-parse's count of the
  // skipped empty lines, puts the next record on the line after.
  let spanned = 0;
  // The parser runs ahead of the loop below; errors are placed by what the parser itself has read.
  let parsed = 0;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    info: true,
    on_record: (entry: { record: Record<string, string> }) => {
      parsed += lineSpan(Object.values(entry.record));
      return entry;
    },
    columns: (raw: string[]) => {
      spanned = lineSpan(raw);
      parsed = spanned;
      const header = checkHeader(raw, file, parser.info.empty_lines + 1);
      onHeader?.(header);
      return header;
    },
  });
  // pipeline destroys the parser with any read or decoding error, so the loop below sees it.
  // The parser is given text (which it takes as UTF-8), so any encoding the decoder knows reads.
  const records = pipeline(readText(file, text), parser, () => {}) as AsyncIterable<{
    record: Record<string, string>;
    info: Info;
  }>;
  let index = 0;
  try {
    for await (const { record, info } of records) {
      const line = spanned + info.empty_lines + 1;
      spanned += lineSpan(Object.values(record));
      // csv-parse has no cheap skip: a quoted field may hide line breaks, so every record is parsed.
      if (index >= offset) yield { index, record, line };
      index++;
    }
  } catch (error) {
    throw toInputError(error, file, parsed);
  }
}

function checkHeader(raw: string[], file: string, line: number): string[] {
  const header = raw.map((name) => name.trim());
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') {
      throw new InputError(`column ${i + 1} of the header of ${file} has no name`, {
        where: { file, line, field: `column ${i + 1}` },
        hint: 'give every column a name in the first line, and remove any trailing comma',
      });
    }
    if (seen.has(name)) {
      throw new InputError(`column "${name}" appears more than once in the header of ${file}`, {
        where: { file, line, field: name },
        hint: 'give every column a unique name in the first line',
      });
    }
    seen.add(name);
  });
  return header;
}

/** How many source lines a record's fields span: one, plus the line breaks inside quoted fields. */
function lineSpan(values: string[]): number {
  let span = 1;
  for (const value of values) {
    if (value.includes('\n') || value.includes('\r')) span += value.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return span;
}

interface CsvParseError extends Error {
  code?: string;
  empty_lines?: number;
  record?: unknown[];
  columns?: unknown[];
}

function toInputError(error: unknown, file: string, spanned: number): InputError {
  if (error instanceof InputError) return error;
  const failure = error as CsvParseError;
  if (!failure.code?.startsWith('CSV_') && failure.code !== 'INVALID_OPENING_QUOTE') {
    return new InputError(`cannot read ${file}: ${failure.message}`, {
      where: { file },
      hint: 'check the file is readable and was not changed while Juror was reading it',
      cause: error,
    });
  }
  const line = spanned + (failure.empty_lines ?? 0) + 1;
  const { problem, hint } = explain(failure);
  return new InputError(`malformed CSV on line ${line} of ${file}: ${problem}`, {
    where: { file, line },
    hint,
    cause: error,
  });
}

const quoteHint = 'wrap a field holding quotes in double quotes and double each quote inside: "say ""hi"""';

function explain(failure: CsvParseError): { problem: string; hint: string } {
  switch (failure.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return { problem: 'a quoted field is never closed', hint: `add the missing closing quote; ${quoteHint}` };
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return {
        problem: `the record has ${failure.record?.length ?? 'a different number of'} fields but the header has ${failure.columns?.length ?? 'another number of'} columns`,
        hint: 'give every record one value per header column, and quote values that contain commas',
      };
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return { problem: 'a quote is out of place', hint: quoteHint };
    default:
      return { problem: failure.message, hint: 'check the file is valid CSV with a header line' };
  }
}
