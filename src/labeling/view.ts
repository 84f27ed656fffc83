/**
 * A job's labels as people read them: while the sample is labelled or reviewed, the sample's rows
 * (with their records, the person's label where given and the judge's beside it); once every row
 * is labelled, each row's current label in dataset order, a page at a time.
 */
import type { DataRecord } from '../data/dataset.js';
import type { LabelJobRecord, UncertainRow } from '../store/label-jobs.js';
import type { LabelSource } from '../store/label-tables.js';
import { currentLabels, newestPerRow, type LabelRecord } from '../store/labels.js';
import { recordsAt } from '../datasets/index.js';
import type { LabelJobs } from './engine.js';

/** One row's label. */
export interface LabelItem {
  /** 0-based index of the row in the dataset. */
  row: number;
  /** 1/0 for binary and yes/no, 1–5 for scales; null when the row has no usable label. */
  label: number | null;
  /** `yes` / `no` for yes/no criteria. */
  label_text: string | null;
  justification: string | null;
  source: LabelSource | null;
  /** The judge version of an LLM label (`v2`). */
  judge_version: string | null;
  /** When the label was given (ISO 8601). */
  labelled_at: string | null;
  /** Why the judge gave no usable answer. */
  error: string | null;
  /** The judge's own label of a row a person labelled. */
  llm?: { label: number; label_text: string | null; justification: string | null; judge_version: string | null } | null;
  /** The row's columns (in the sample view). */
  record?: DataRecord;
}

/** A page of a job's labels. */
export interface LabelsPage {
  /** `sample` while the sample is labelled or reviewed; `all` once every row has been labelled. */
  scope: 'sample' | 'all';
  labels: LabelItem[];
  /** Rows in the scope: the sample size, or the dataset's row count. */
  total: number;
  offset: number;
  limit: number;
}

/** The page of the job's labels its status calls for. */
export async function labelsView(engine: LabelJobs, job: LabelJobRecord, page: { offset: number; limit: number }): Promise<LabelsPage> {
  const full = job.status === 'completed' || (['failed', 'cancelled'].includes(job.status) && job.runs.some((r) => r.phase === 'full'));
  return full ? allLabels(engine, job, page) : sampleLabels(engine, job, page);
}

/** The rows offered because the judge is unsure of them; with their columns while the job is in review. */
export async function uncertainView(engine: LabelJobs, job: LabelJobRecord): Promise<Array<UncertainRow & { record?: DataRecord }> | null> {
  if (!job.uncertain || job.status !== 'awaiting_review') return job.uncertain;
  const { file } = await engine.datasetOf(job);
  const records = await recordsAt(
    file,
    job.uncertain.map((u) => u.row),
  );
  return job.uncertain.map((u) => ({ ...u, record: records.get(u.row) ?? {} }));
}

async function sampleLabels(engine: LabelJobs, job: LabelJobRecord, page: { offset: number; limit: number }): Promise<LabelsPage> {
  const rows = job.sample.slice(page.offset, page.offset + page.limit);
  const { file } = await engine.datasetOf(job);
  const [labels, records] = await Promise.all([engine.labels.ofRows(job.id, rows), recordsAt(file, rows)]);
  const versions = await engine.store.judges.versionNames(labels.flatMap((l) => (l.judge_id ? [l.judge_id] : [])));
  const human = newestPerRow(labels, (l) => l.source === 'human');
  const ofCurrent = newestPerRow(labels, (l) => l.source !== 'human' && l.judge_id === job.judge_id);
  const anyLlm = newestPerRow(labels, (l) => l.source !== 'human' && l.label !== null);
  const items = rows.map((row): LabelItem => {
    const llm = ofCurrent.get(row) ?? anyLlm.get(row);
    const shown = human.get(row) ?? llm;
    const item = toItem(row, shown, versions);
    if (human.has(row)) {
      const judged = llm && llm.label !== null ? llm : anyLlm.get(row);
      item.llm = judged
        ? {
            label: judged.label!,
            label_text: judged.label_text,
            justification: judged.justification,
            judge_version: judged.judge_id ? (versions.get(judged.judge_id) ?? null) : null,
          }
        : null;
    }
    return { ...item, record: records.get(row) ?? {} };
  });
  return { scope: 'sample', labels: items, total: job.sample.length, offset: page.offset, limit: page.limit };
}

async function allLabels(engine: LabelJobs, job: LabelJobRecord, page: { offset: number; limit: number }): Promise<LabelsPage> {
  const { dataset } = await engine.datasetOf(job);
  const to = Math.min(page.offset + page.limit, dataset.row_count) - 1;
  const labels = to >= page.offset ? await engine.labels.ofJob(job.id, { from: page.offset, to }) : [];
  const current = currentLabels(labels, job.judge_id);
  const versions = await engine.store.judges.versionNames(labels.flatMap((l) => (l.judge_id ? [l.judge_id] : [])));
  const items: LabelItem[] = [];
  for (let row = page.offset; row <= to; row++) items.push(toItem(row, current.get(row), versions));
  return { scope: 'all', labels: items, total: dataset.row_count, offset: page.offset, limit: page.limit };
}

function toItem(row: number, label: LabelRecord | undefined, versions: Map<string, string>): LabelItem {
  if (!label)
    return { row, label: null, label_text: null, justification: null, source: null, judge_version: null, labelled_at: null, error: null };
  return {
    row,
    label: label.label,
    label_text: label.label_text,
    justification: label.justification,
    source: label.source,
    judge_version: label.judge_id ? (versions.get(label.judge_id) ?? null) : null,
    labelled_at: label.created_at,
    error: label.error,
  };
}
