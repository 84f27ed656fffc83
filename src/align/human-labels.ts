/**
 * The human labels a judge is checked against: a column of a data file, or the labels people gave
 * in a label job. Every label is read before any call; a label that cannot be read stops the check
 * naming its file, line and column. Rows whose human labels are few-shot examples of the judge
 * version are left out — its answer to those is in its prompt, so they would flatter it — by one
 * rule, {@link withoutExamples}, which a label job's own agreement uses too.
 */
import type { LabelScheme } from '../agreement/compare.js';
import { readHumanLabel } from '../agreement/labels.js';
import { openDataset, type DataRecord } from '../data/dataset.js';
import { recordsAt, type StoredFile } from '../datasets/index.js';
import { ConfigError, InputError } from '../errors.js';
import type { LabelRecord } from '../store/labels.js';

/** A human label per row (by row index); null where the cell is empty. */
export type HumanLabels = Array<string | number | null>;

/** Rows that have a human label: their records and labels, in dataset order. */
export interface LabelledRows {
  rows: number[];
  records: DataRecord[];
  labels: Array<string | number>;
}

/** Where a data file's errors are named: the file as people know it, and the field naming the human column. */
export interface HumanLabelSource {
  path: string;
  /** The name the file is shown under (an upload's original name); default the path. */
  shownAs?: string;
  /** The option or field that named the column: `--human-col`, `human_col`. */
  columnField: string;
}

/**
 * Reads every human label of `column` before any call: a label that cannot be read stops the
 * check, naming the file, line, row and column; empty cells are missing (the row is left out).
 * With `keepRecords`, the records of the labelled rows come back too (to judge those rows only).
 */
export async function readHumanLabels(
  source: HumanLabelSource,
  column: string,
  scheme: LabelScheme,
  options: { keepRecords?: boolean } = {},
): Promise<{ labels: HumanLabels; labelled: LabelledRows }> {
  const file = source.shownAs ?? source.path;
  const dataset = await openDataset(source.path);
  if (!dataset.columns.includes(column)) {
    throw new ConfigError(`${source.columnField} names column '${column}', which ${file} does not have`, {
      where: { file, field: source.columnField },
      hint: `the columns are: ${dataset.columns.join(', ')}`,
    });
  }
  const labels: HumanLabels = [];
  const labelled: LabelledRows = { rows: [], records: [], labels: [] };
  for await (const row of dataset.rows()) {
    const read = readHumanLabel(scheme, row.record[column]);
    if ('error' in read) {
      throw new InputError(`human label in column '${column}': ${read.error}`, {
        where: { file, ...(row.line !== undefined ? { line: row.line } : {}), row: row.index, field: column },
        hint: `fix the label, or empty the cell to leave the row out; this judge's labels are ${describeLabels(scheme)}`,
      });
    }
    labels[row.index] = 'label' in read ? read.label : null;
    if ('label' in read && options.keepRecords) {
      labelled.rows.push(row.index);
      labelled.records.push(row.record);
      labelled.labels.push(read.label);
    }
  }
  if (labels.every((l) => l === null)) {
    throw new InputError(`column '${column}' of ${file} has no human labels: every cell is empty`, {
      where: { file, field: column },
      hint: `label some rows, or name the right column with ${source.columnField}`,
    });
  }
  return { labels, labelled };
}

/**
 * The human labels fair to compare with a judge version: those of rows that are not among its
 * few-shot examples (`exampleRows`), and how many were left out.
 */
export function withoutExamples<T>(
  human: ReadonlyMap<number, T>,
  exampleRows: readonly number[],
): { fair: Map<number, T>; excluded: number } {
  const examples = new Set(exampleRows);
  const fair = new Map([...human].filter(([row]) => !examples.has(row)));
  return { fair, excluded: human.size - fair.size };
}

/**
 * The rows of `file` that people labelled (the newest human label of each, already without the
 * version's examples), as the judge's output reads them. A label that does not fit the output is
 * an input error naming `field`.
 */
export async function reviewedRows(
  file: StoredFile,
  human: ReadonlyMap<number, LabelRecord>,
  scheme: LabelScheme,
  field: string,
): Promise<LabelledRows> {
  const records = await recordsAt(file, human.keys());
  const labelled: LabelledRows = { rows: [], records: [], labels: [] };
  for (const [row, label] of human) {
    const read = readHumanLabel(scheme, label.label);
    if ('error' in read || 'missing' in read) {
      throw new InputError(
        `row ${row}: the human label ${label.label} does not fit this judge's output: ${'error' in read ? read.error : 'empty'}`,
        {
          where: { field },
          hint: `this judge's labels are ${describeLabels(scheme)}: compare with a label job of the same output kind, or name a column of human labels with human_col`,
        },
      );
    }
    const record = records.get(row);
    if (!record)
      throw new InputError(`row ${row}, labelled by a person, is not in the dataset`, {
        where: { field },
        hint: 'the dataset file was changed after labelling: upload it again and label it anew',
      });
    labelled.rows.push(row);
    labelled.records.push(record);
    labelled.labels.push(read.label);
  }
  return labelled;
}

/** The labels a judge's output takes, for messages. */
export function describeLabels(scheme: LabelScheme): string {
  switch (scheme.kind) {
    case 'binary':
      return '1/0 (or yes/no, true/false, pass/fail)';
    case 'yes_no':
      return 'yes/no (or 1/0, true/false, pass/fail)';
    case 'scale':
      return `integers from ${scheme.labels[0]} to ${scheme.labels[scheme.labels.length - 1]}`;
    case 'categories':
      return scheme.labels.join(', ');
  }
}
