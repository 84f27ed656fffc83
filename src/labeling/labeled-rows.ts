/**
 * A dataset with its labels: every row in dataset order with four more columns — `label` (1/0,
 * yes/no or 1–5), `label_justification`, `label_source` (human, llm or code) and
 * `label_judge_version` (the judge version of an LLM label) — from a label job's current labels.
 * Rows without a usable label have the four cells empty. Labels are read a range of rows at a
 * time, so a large dataset streams.
 */
import type { DataRecord, DatasetRow } from '../data/dataset.js';
import type { LabelJobRecord } from '../store/label-jobs.js';
import { currentLabels, type LabelRepository } from '../store/labels.js';
import type { JudgeRepository } from '../store/judges.js';

/** The added columns, by what they hold. */
export const LABEL_COLUMNS = ['label', 'label_justification', 'label_source', 'label_judge_version'] as const;

const CHUNK = 500;

/** The label cells of a job's rows. */
export class LabelLookup {
  /** The names of the added columns: `label`…, or `juror_label`… where the dataset has a column of that name. */
  readonly columns: string[];

  constructor(
    private readonly labels: LabelRepository,
    private readonly judges: JudgeRepository,
    readonly job: LabelJobRecord,
    datasetColumns: readonly string[],
  ) {
    this.columns = LABEL_COLUMNS.map((name) => (datasetColumns.includes(name) ? `juror_${name}` : name));
  }

  /** The cells of rows `from`..`to`, by row (rows without a usable label are absent). */
  async cells(from: number, to: number): Promise<Map<number, DataRecord>> {
    const labels = await this.labels.ofJob(this.job.id, { from, to });
    const versions = await this.judges.versionNames(labels.flatMap((l) => (l.judge_id ? [l.judge_id] : [])));
    const cells = new Map<number, DataRecord>();
    for (const [row, label] of currentLabels(labels, this.job.judge_id)) {
      if (label.label === null) continue;
      const values = [
        label.label_text ?? label.label,
        label.justification,
        label.source,
        label.judge_id ? (versions.get(label.judge_id) ?? null) : null,
      ];
      cells.set(row, Object.fromEntries(this.columns.map((column, i) => [column, values[i]])));
    }
    return cells;
  }

  /** Empty cells, for rows without a label. */
  empty(): DataRecord {
    return Object.fromEntries(this.columns.map((column) => [column, null]));
  }
}

/** The rows with their label cells, in order. */
export async function* labeledRecords(rows: AsyncIterable<DatasetRow>, lookup: LabelLookup): AsyncGenerator<DataRecord> {
  let chunk: DatasetRow[] = [];
  const flush = async function* (): AsyncGenerator<DataRecord> {
    if (chunk.length === 0) return;
    const cells = await lookup.cells(chunk[0]!.index, chunk[chunk.length - 1]!.index);
    for (const row of chunk) yield { ...row.record, ...(cells.get(row.index) ?? lookup.empty()) };
    chunk = [];
  };
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length >= CHUNK) yield* flush();
  }
  yield* flush();
}
