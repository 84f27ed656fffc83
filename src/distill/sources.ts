/**
 * Where a distilled judge's labels come from: a label job (each labelled row's current label — a
 * person's where given, else the LLM judge's — to learn, with both kinds kept for the agreement
 * report; the text columns are the ones the job's criterion reads) or a file with a label column.
 */
import { labelScheme, readHumanLabel } from '../agreement/index.js';
import { Columns } from '../data/columns.js';
import { openDataset, type DataRecord } from '../data/dataset.js';
import { recordsWhere } from '../datasets/index.js';
import { InputError } from '../errors.js';
import type { OutputKind } from '../judges/definition.js';
import { judgeVariables } from '../judges/prompt.js';
import { judgeForCriterion, outputKind } from '../labeling/criterion.js';
import type { LabelJobs } from '../labeling/engine.js';
import { newestPerRow } from '../store/labels.js';
import type { TrainingRow } from './train.js';

/** Labelled rows, the text columns to read and the labels' output kind. */
export interface LabelledData {
  rows: TrainingRow[];
  columns: string[];
  output: OutputKind;
  /** What the judge is distilled from, stored with it. */
  source: Record<string, unknown>;
}

/** The labelled rows of a label job. */
export async function fromLabelJob(engine: LabelJobs, jobId: string): Promise<LabelledData> {
  const job = await engine.get(jobId);
  const { dataset, file } = await engine.datasetOf(job);
  const judge = judgeForCriterion(job.criterion, { name: job.name, version: 'v1' });
  const columns = new Columns({
    columns: dataset.columns,
    ...(job.criterion.col_mapping ? { colMapping: job.criterion.col_mapping } : {}),
    hasModel: false,
  });
  const textColumns = judgeVariables(judge).flatMap((variable) => {
    const source = columns.resolve(variable);
    return source && 'column' in source ? [source.column] : [];
  });
  if (textColumns.length === 0) {
    throw new InputError(`label job ${job.id}: its criterion reads none of the dataset's columns`, {
      hint: 'distil from a file instead: juror distill --data <file> --label-col <column> --text-cols <columns>',
    });
  }
  const labels = await engine.labels.ofJob(job.id, { from: 0, to: dataset.row_count });
  const human = newestPerRow(labels, (l) => l.source === 'human' && l.label !== null);
  const llm = newestPerRow(labels, (l) => l.source === 'llm' && l.label !== null && (job.judge_id === null || l.judge_id === job.judge_id));
  const anyLlm = newestPerRow(labels, (l) => l.source === 'llm' && l.label !== null);
  const labelled = new Set([...human.keys(), ...anyLlm.keys()]);
  if (labelled.size === 0) {
    throw new InputError(`label job ${job.id} has no labelled rows yet (status ${job.status})`, {
      hint: 'wait for the job to label its rows (juror label …, or GET /api/label-jobs/:id), then distil',
    });
  }
  const { rows, records } = await recordsWhere(file, (row) => labelled.has(row));
  return {
    columns: textColumns,
    output: outputKind(job.criterion.output),
    source: { label_job_id: job.id, dataset_id: job.dataset_id },
    rows: rows.map((row, i) => {
      const h = human.get(row)?.label ?? null;
      const l = (llm.get(row) ?? anyLlm.get(row))?.label ?? null;
      return { record: records[i]!, label: (h ?? l)!, human: h, llm: llm.get(row)?.label ?? null };
    }),
  };
}

/**
 * The labelled rows of a file. Labels may be 1/0, yes/no, true/false, pass/fail (a binary judge)
 * or integers (a scale from the lowest to the highest seen); a row with an empty label is left
 * out; a label that is neither stops, naming the file, row and column.
 */
export async function fromFile(file: string, labelColumn: string, textColumns: string[] | undefined): Promise<LabelledData> {
  const dataset = await openDataset(file);
  if (!dataset.columns.includes(labelColumn)) {
    throw new InputError(`${file} has no column '${labelColumn}'`, {
      where: { file, field: labelColumn },
      hint: `its columns are: ${dataset.columns.join(', ')}`,
    });
  }
  const columns = textColumns ?? dataset.columns.filter((c) => c !== labelColumn);
  for (const column of columns) {
    if (!dataset.columns.includes(column)) {
      throw new InputError(`${file} has no column '${column}' (--text-cols)`, {
        where: { file, field: column },
        hint: `its columns are: ${dataset.columns.join(', ')}`,
      });
    }
  }
  const cells: Array<{ index: number; record: DataRecord; cell: unknown }> = [];
  for await (const row of dataset.rows()) cells.push({ index: row.index, record: row.record, cell: row.record[labelColumn] });
  const binary = labelScheme({ type: 'binary' });
  const present = cells.filter((c) => !('missing' in readHumanLabel(binary, c.cell)));
  const asBinary = present.map((c) => readHumanLabel(binary, c.cell));
  let output: OutputKind;
  let values: number[];
  if (asBinary.every((r) => 'label' in r)) {
    output = { type: 'binary' };
    values = asBinary.map((r) => (r as { label: number }).label);
  } else {
    const numbers = present.map((c) => Number(typeof c.cell === 'string' ? c.cell.trim() : c.cell));
    const bad = numbers.findIndex((n) => !Number.isInteger(n));
    if (bad >= 0) {
      throw new InputError(
        `${JSON.stringify(present[bad]!.cell)} is not a label: use 1/0, yes/no, true/false, pass/fail or an integer score`,
        {
          where: { file, row: present[bad]!.index, field: labelColumn },
          hint: 'fix the cell, or leave it empty to leave the row out',
        },
      );
    }
    output = { type: 'scale', min: Math.min(...numbers), max: Math.max(...numbers) };
    values = numbers;
  }
  return {
    columns,
    output,
    source: { file: dataset.path ?? file, label_col: labelColumn },
    rows: present.map((c, i) => ({ record: c.record, label: values[i]! })),
  };
}
