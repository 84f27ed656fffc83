/**
 * The tables of the LLM Judge++ loop (migration 0004): labels of dataset rows, the label jobs that
 * make them, and judge–human agreement per judge version. Kept apart from schema.ts and
 * server-tables.ts; `labelDb()` gives a Kysely handle over every table.
 */
import type { Kysely } from 'kysely';
import type { Store } from './store.js';
import { serverDb, type ServerDatabase } from './server-tables.js';

/** Who gave a label: a person, an LLM judge, or a code metric. */
export type LabelSource = 'human' | 'llm' | 'code';

/**
 * One label of one dataset row. A row may have many; its current label (in a label job) is the
 * newest human label, else the newest LLM label of the job's final judge version.
 */
export interface LabelTable {
  id: string;
  dataset_id: string;
  /** 0-based index of the row in the dataset. */
  row_index: number;
  /** 1/0 for binary and yes/no, the score for scales; null for an LLM attempt without a usable answer. */
  label: number | null;
  /** `yes` / `no` for yes/no criteria, else null. */
  label_text: string | null;
  justification: string | null;
  source: LabelSource;
  /** The judge version that produced an LLM label; null for human labels. */
  judge_id: string | null;
  label_job_id: string | null;
  /** The run whose result produced an LLM label, and the row's index in that run. */
  run_id: string | null;
  run_row_index: number | null;
  /** Why an LLM attempt produced no label. */
  error: string | null;
  created_at: string;
}

export type LabelJobStatus = 'sampling' | 'awaiting_review' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A labeling job: a criterion, a sample for a person to review, then every row labelled. */
export interface LabelJobTable {
  id: string;
  dataset_id: string;
  /** The judge name every version of this job's criterion is stored under. */
  name: string;
  status: LabelJobStatus;
  /** `{ prompt | builtin, output, model?, examples, col_mapping? }` as JSON (examples are the user's own). */
  criterion: string;
  /** The current judge version. */
  judge_id: string | null;
  /** Row indexes of the sample, ascending, as JSON. */
  sample: string;
  sample_size: number;
  seed: number;
  /** Rows offered for review where the judge is least sure, with why, as JSON. */
  uncertain: string | null;
  /** The judge versions the job went through, with the rows that were few-shot examples of each, as JSON. */
  versions: string;
  /** The runs made for the job: `[{ run_id, phase, judge_id }]` as JSON. */
  runs: string;
  progress: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

/** One computation of a judge version's agreement with human labels. */
export interface AgreementTable {
  id: string;
  judge_id: string;
  dataset_id: string;
  label_job_id: string | null;
  /** The run of a check that ran the judge for it (align); null for a label job's labels. */
  run_id: string | null;
  /** Pairs compared. */
  n: number;
  /** The agreement report (statistics, confusion matrix, intervals, notes) as JSON. */
  stats: string;
  created_at: string;
}

/** Every table of the store. */
export interface LabelDatabase extends ServerDatabase {
  labels: LabelTable;
  label_jobs: LabelJobTable;
  agreements: AgreementTable;
}

/** A Kysely handle over a store's connection that knows every table, the labeling ones included. */
export function labelDb(store: Store): Kysely<LabelDatabase> {
  return serverDb(store).withTables<{ labels: LabelTable; label_jobs: LabelJobTable; agreements: AgreementTable }>();
}
