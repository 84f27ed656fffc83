/** Labels of dataset rows: writing them, and reading a label job's labels by row. */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { LabelDatabase, LabelTable } from './label-tables.js';

/** A stored label. */
export type LabelRecord = Selectable<LabelTable>;
/** A label to store; id and created_at are filled in. */
export type NewLabel = Omit<Insertable<LabelTable>, 'id' | 'created_at'>;

const BATCH = 400;

export class LabelRepository {
  constructor(private readonly db: Kysely<LabelDatabase>) {}

  /** Stores labels (in batches, one transaction). */
  async insert(labels: NewLabel[]): Promise<void> {
    if (labels.length === 0) return;
    const created_at = now();
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < labels.length; i += BATCH) {
        await tx
          .insertInto('labels')
          .values(labels.slice(i, i + BATCH).map((label) => ({ id: randomUUID().replaceAll('-', ''), created_at, ...label })))
          .execute();
      }
    });
  }

  /** Every label of a job on rows `from`..`to` (inclusive), oldest first. */
  async ofJob(jobId: string, range?: { from: number; to: number }): Promise<LabelRecord[]> {
    let query = this.db.selectFrom('labels').selectAll().where('label_job_id', '=', jobId);
    if (range) query = query.where('row_index', '>=', range.from).where('row_index', '<=', range.to);
    const rows = await query.orderBy('row_index').orderBy('created_at').orderBy('id').execute();
    return rows.map(parse);
  }

  /** The labels of a job on the given rows, oldest first. */
  async ofRows(jobId: string, rows: number[]): Promise<LabelRecord[]> {
    const found: LabelRecord[] = [];
    for (let i = 0; i < rows.length; i += BATCH) {
      const part = await this.db
        .selectFrom('labels')
        .selectAll()
        .where('label_job_id', '=', jobId)
        .where('row_index', 'in', rows.slice(i, i + BATCH))
        .orderBy('row_index')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      found.push(...part.map(parse));
    }
    return found;
  }

  /** The human labels of a job, oldest first. */
  async human(jobId: string): Promise<LabelRecord[]> {
    const rows = await this.db
      .selectFrom('labels')
      .selectAll()
      .where('label_job_id', '=', jobId)
      .where('source', '=', 'human')
      .orderBy('row_index')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(parse);
  }

  /** Rows of a job that a judge version labelled successfully. */
  async rowsLabelledBy(jobId: string, judgeId: string): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('labels')
      .select('row_index')
      .where('label_job_id', '=', jobId)
      .where('judge_id', '=', judgeId)
      .where('label', 'is not', null)
      .execute();
    return new Set(rows.map((r) => Number(r.row_index)));
  }

  /** The LLM labels of a job (successful ones), oldest first. */
  async llm(jobId: string): Promise<LabelRecord[]> {
    const rows = await this.db
      .selectFrom('labels')
      .selectAll()
      .where('label_job_id', '=', jobId)
      .where('source', '=', 'llm')
      .where('label', 'is not', null)
      .orderBy('row_index')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(parse);
  }
}

/**
 * The current label of each row among `labels` (oldest first): the newest human label, else the
 * newest LLM attempt of `finalJudgeId` (an attempt without a usable answer included, so that its
 * error shows).
 */
export function currentLabels(labels: LabelRecord[], finalJudgeId: string | null): Map<number, LabelRecord> {
  const human = new Map<number, LabelRecord>();
  const llm = new Map<number, LabelRecord>();
  for (const label of labels) {
    if (label.source === 'human') human.set(label.row_index, label);
    else if (label.judge_id !== null && label.judge_id === finalJudgeId) llm.set(label.row_index, label);
  }
  const current = new Map(llm);
  for (const [row, label] of human) current.set(row, label);
  return new Map([...current].sort((a, b) => a[0] - b[0]));
}

/** The newest label of each row among `labels` (oldest first) that `keep` accepts. */
export function newestPerRow(labels: LabelRecord[], keep: (label: LabelRecord) => boolean = () => true): Map<number, LabelRecord> {
  const newest = new Map<number, LabelRecord>();
  for (const label of labels) if (keep(label)) newest.set(label.row_index, label);
  return newest;
}

let last = 0;
/** ISO timestamps that strictly increase within the process, so that "newest" is never a tie. */
export function now(): string {
  last = Math.max(Date.now(), last + 1);
  return new Date(last).toISOString();
}

function parse(row: Selectable<LabelTable>): LabelRecord {
  return { ...row, row_index: Number(row.row_index), run_row_index: row.run_row_index === null ? null : Number(row.run_row_index) };
}
