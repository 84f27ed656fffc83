/** Label jobs: their records, status changes and lookups. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { JurorError } from '../errors.js';
import { storedCriterion, type Criterion } from '../labeling/criterion.js';
import type { LabelDatabase, LabelJobStatus, LabelJobTable } from './label-tables.js';

/** A row offered for review because the judge is unsure of it. */
export interface UncertainRow {
  row: number;
  /** Why it was chosen, e.g. "2 of 3 samples said 1, 1 said 0". */
  reason: string;
  /** Share of samples that differ from the most common label (0 = all agree). */
  disagreement: number;
  votes: Array<{ label: number; label_text: string | null; count: number }>;
  samples: Array<{
    label: number | null;
    label_text: string | null;
    justification: string | null;
    error: string | null;
    model: string | null;
  }>;
}

/** A judge version a job went through, and the rows whose human labels were its few-shot examples. */
export interface JobVersion {
  judge_id: string;
  version: string;
  example_rows: number[];
  created_at: string;
}

/** A run made for a job. */
export interface JobRun {
  run_id: string;
  phase: 'sample' | 'full';
  judge_id: string;
}

/** A label job with its JSON columns parsed (its criterion checked by its schema). */
export type LabelJobRecord = Omit<Selectable<LabelJobTable>, 'criterion' | 'sample' | 'uncertain' | 'versions' | 'runs' | 'progress'> & {
  criterion: Criterion;
  sample: number[];
  uncertain: UncertainRow[] | null;
  versions: JobVersion[];
  runs: JobRun[];
  progress: Record<string, unknown> | null;
};

/** Statuses a label job does not leave. */
export const FINAL_LABEL_JOB_STATUSES: readonly LabelJobStatus[] = ['completed', 'failed', 'cancelled'];

/** What may change on a job. */
export type LabelJobPatch = Partial<
  Pick<LabelJobRecord, 'status' | 'criterion' | 'judge_id' | 'uncertain' | 'versions' | 'runs' | 'progress' | 'error'>
>;

export class LabelJobRepository {
  constructor(private readonly db: Kysely<LabelDatabase>) {}

  /** Creates a job in status `sampling`. */
  async create(job: {
    id?: string;
    datasetId: string;
    name: string;
    criterion: Criterion;
    sample: number[];
    sampleSize: number;
    seed: number;
  }): Promise<LabelJobRecord> {
    const now = new Date().toISOString();
    const record: LabelJobRecord = {
      id: job.id ?? newJobId(),
      dataset_id: job.datasetId,
      name: job.name,
      status: 'sampling',
      criterion: job.criterion,
      judge_id: null,
      sample: job.sample,
      sample_size: job.sampleSize,
      seed: job.seed,
      uncertain: null,
      versions: [],
      runs: [],
      progress: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
    await this.db
      .insertInto('label_jobs')
      .values({
        ...record,
        criterion: JSON.stringify(record.criterion),
        sample: JSON.stringify(record.sample),
        uncertain: null,
        versions: '[]',
        runs: '[]',
        progress: null,
      })
      .execute();
    return record;
  }

  /** A job by id, or undefined. */
  async get(id: string): Promise<LabelJobRecord | undefined> {
    const row = await this.db.selectFrom('label_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? parse(row) : undefined;
  }

  /** Changes a job. */
  async update(id: string, patch: LabelJobPatch): Promise<void> {
    const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
    await this.db
      .updateTable('label_jobs')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.criterion !== undefined ? { criterion: JSON.stringify(patch.criterion) } : {}),
        ...(patch.judge_id !== undefined ? { judge_id: patch.judge_id } : {}),
        ...(patch.uncertain !== undefined ? { uncertain: json(patch.uncertain) } : {}),
        ...(patch.versions !== undefined ? { versions: JSON.stringify(patch.versions) } : {}),
        ...(patch.runs !== undefined ? { runs: JSON.stringify(patch.runs) } : {}),
        ...(patch.progress !== undefined ? { progress: json(patch.progress) } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Jobs newest first, of one dataset and/or status when given, with their total. */
  async list(filter: {
    datasetId?: string | undefined;
    status?: LabelJobStatus | undefined;
    limit: number;
    offset: number;
  }): Promise<{ jobs: LabelJobRecord[]; total: number }> {
    let query = this.db.selectFrom('label_jobs');
    if (filter.datasetId !== undefined) query = query.where('dataset_id', '=', filter.datasetId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { jobs: rows.map(parse), total: Number(count.n) };
  }

  /** A job by its id or a unique prefix of it. */
  async findId(idOrPrefix: string): Promise<string> {
    const rows = /^[0-9a-f]+$/i.test(idOrPrefix)
      ? await this.db.selectFrom('label_jobs').select('id').where('id', 'like', `${idOrPrefix.toLowerCase()}%`).limit(2).execute()
      : [];
    if (rows.length === 1) return rows[0]!.id;
    throw new JurorError('input', rows.length ? `label job id prefix '${idOrPrefix}' is ambiguous` : `no label job '${idOrPrefix}'`, {
      where: { field: '--label-job' },
      hint: rows.length ? 'give more characters of the id' : 'check the id printed by `juror label` (and --db)',
    });
  }

  /**
   * The job whose labels a dataset's download carries: its newest completed job, else its newest
   * job with any label; undefined when it has none.
   */
  async forDataset(datasetId: string): Promise<LabelJobRecord | undefined> {
    const completed = await this.db
      .selectFrom('label_jobs')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where('status', '=', 'completed')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst();
    if (completed) return parse(completed);
    const labelled = await this.db
      .selectFrom('label_jobs')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('labels').select('labels.id').whereRef('labels.label_job_id', '=', 'label_jobs.id')),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst();
    return labelled ? parse(labelled) : undefined;
  }

  /**
   * Marks jobs left sampling or running with no pass queued or running to resume them (a process
   * that stopped before passes were jobs) as failed; returns how many.
   */
  async failAbandoned(reason: string): Promise<number> {
    const result = await this.db
      .updateTable('label_jobs')
      .set({ status: 'failed', error: reason, updated_at: new Date().toISOString() })
      .where('status', 'in', ['sampling', 'running'])
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('jobs')
              .select('jobs.id')
              .whereRef('jobs.target_id', '=', 'label_jobs.id')
              .where('jobs.status', 'in', ['queued', 'running']),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

/** A new job id: 32 hex digits, like run ids. */
export function newJobId(): string {
  return randomUUID().replaceAll('-', '');
}

function parse(row: Selectable<LabelJobTable>): LabelJobRecord {
  return {
    ...row,
    sample_size: Number(row.sample_size),
    seed: Number(row.seed),
    criterion: parseCriterion(row.criterion, row.id),
    sample: JSON.parse(row.sample) as number[],
    uncertain: row.uncertain === null ? null : (JSON.parse(row.uncertain) as UncertainRow[]),
    versions: JSON.parse(row.versions) as JobVersion[],
    runs: JSON.parse(row.runs) as JobRun[],
    progress: row.progress === null ? null : (JSON.parse(row.progress) as Record<string, unknown>),
  };
}

/** The stored criterion of job `id`; one that does not read as a criterion is a store error naming the job. */
function parseCriterion(json: string, id: string): Criterion {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new JurorError('store', `label job ${id} in the store: its criterion is not valid JSON`, {
      cause,
      hint: 'the store was changed outside Juror: restore it from a backup',
    });
  }
  const parsed = storedCriterion.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : `${at}.${String(key)}`), 'criterion');
    throw new JurorError('store', `label job ${id} in the store: ${field}: ${issue.message}`, {
      hint: 'the store was changed outside Juror, or by a newer Juror: restore it from a backup, or upgrade',
    });
  }
  return parsed.data;
}
