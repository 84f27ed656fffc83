/**
 * Checking a judge against human labels ("align"), as `juror align` and
 * `POST /api/judges/:name/align` do it: the human labels are read and checked before any call, the
 * judge runs over the rows as an ordinary run, its verdicts are compared with the labels, and the
 * comparison is stored under the judge version that ran, with its run, so that a judge's agreement
 * has a history (MLRun: re-run the evaluation set periodically to see the judge stays on track).
 */
import { compareLabels, type AgreementReport, type LabelScheme } from '../agreement/compare.js';
import { judgeLabel, readHumanLabel } from '../agreement/labels.js';
import { openDataset, type DataRecord } from '../data/dataset.js';
import type { EvaluationResult } from '../engine/evaluate.js';
import { ConfigError, InputError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import { AgreementRepository } from '../store/agreements.js';
import { DatasetRepository } from '../store/datasets.js';
import { labelDb } from '../store/label-tables.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';

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
export async function readHumanLabels(source: HumanLabelSource, column: string, scheme: LabelScheme, options: { keepRecords?: boolean } = {}): Promise<{ labels: HumanLabels; labelled: LabelledRows }> {
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
    throw new InputError(`column '${column}' of ${file} has no human labels: every cell is empty`, { where: { file, field: column }, hint: `label some rows, or name the right column with ${source.columnField}` });
  }
  return { labels, labelled };
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

/** No row had both a judge verdict and a human label. */
export class NothingToCompare extends Error {
  constructor(
    readonly errors: number,
    readonly rows: number,
  ) {
    super(`no row has both a judge value and a human label (${errors} of ${rows} rows are judge errors${errors === rows ? ': every row failed' : ''}), so there is nothing to compare`);
    this.name = 'NothingToCompare';
  }
}

/**
 * Compares the judge's verdicts in a finished run (metric `key` of its results table, row for
 * row with `human`) with the human labels.
 */
export function compareRun(result: EvaluationResult, key: string, scheme: LabelScheme, human: HumanLabels, options: { seed: number; resamples?: number }): AgreementReport {
  const table = result.tables.eval_results_table;
  if (table.length !== human.length) throw new Error(`the results table has ${table.length} rows but the data ${human.length}`);
  const judged = table.map((row, index) => {
    const read = judgeLabel(scheme, row[`${key}/score`], row[`${key}/label`]);
    if ('error' in read) throw new Error(`row ${index}: ${read.error}`);
    return 'label' in read ? read.label : null;
  });
  if (!human.some((h, i) => h !== null && judged[i] !== null)) throw new NothingToCompare(result.errors[key] ?? 0, table.length);
  return compareLabels(human, judged, scheme, { seed: options.seed, ...(options.resamples !== undefined ? { resamples: options.resamples } : {}) });
}

/**
 * Stores a check under the judge version that ran, with its run. The dataset is the stored one
 * named, else an uploaded dataset with the same rows, else the data's hash.
 */
export async function recordAlignment(store: Store, check: { judge: Judge; runId: string; dataHash: string; datasetId?: string; report: AgreementReport }): Promise<{ judgeId: string; createdAt: string; datasetId: string }> {
  const judgeId = await store.judges.save(check.judge);
  const datasetId = check.datasetId ?? (await new DatasetRepository(serverDb(store)).findByHash(check.dataHash))?.id ?? check.dataHash;
  const saved = await new AgreementRepository(labelDb(store)).insert({ judgeId, datasetId, labelJobId: null, runId: check.runId, n: check.report.n, stats: check.report });
  return { judgeId, createdAt: saved.created_at, datasetId };
}
