/** Judge–human agreement, one record per computation that changed it, so that a judge's agreement has a history. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../canonical-json.js';
import type { LabelDatabase } from './label-tables.js';

/** One computation of one judge version's agreement, with the version's name. */
export interface AgreementRecord {
  id: string;
  judge_id: string;
  version: string;
  dataset_id: string;
  label_job_id: string | null;
  run_id: string | null;
  n: number;
  stats: Record<string, unknown>;
  created_at: string;
}

export class AgreementRepository {
  constructor(private readonly db: Kysely<LabelDatabase>) {}

  /**
   * Records a computation. A label job's agreement (no run) equal to the last one recorded for the
   * same judge version, dataset and job (same n and statistics) is not recorded again: looking
   * again at an agreement that has not changed adds no point to its history. A check that ran the
   * judge (`runId`) is always recorded. Answers the record kept.
   */
  async insert(entry: {
    judgeId: string;
    datasetId: string;
    labelJobId: string | null;
    runId?: string | null;
    n: number;
    stats: unknown;
  }): Promise<{ id: string; created_at: string }> {
    const runId = entry.runId ?? null;
    if (runId === null) {
      const last = await this.db
        .selectFrom('agreements')
        .select(['id', 'n', 'stats', 'created_at'])
        .where('judge_id', '=', entry.judgeId)
        .where('dataset_id', '=', entry.datasetId)
        .where('run_id', 'is', null)
        .where((eb) => (entry.labelJobId === null ? eb('label_job_id', 'is', null) : eb('label_job_id', '=', entry.labelJobId)))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (
        last &&
        Number(last.n) === entry.n &&
        canonicalJson(JSON.parse(last.stats)) === canonicalJson(JSON.parse(JSON.stringify(entry.stats)))
      )
        return { id: last.id, created_at: last.created_at };
    }
    const record = {
      id: randomUUID().replaceAll('-', ''),
      judge_id: entry.judgeId,
      dataset_id: entry.datasetId,
      label_job_id: entry.labelJobId,
      run_id: runId,
      n: entry.n,
      stats: JSON.stringify(entry.stats),
      created_at: new Date().toISOString(),
    };
    await this.db.insertInto('agreements').values(record).execute();
    return { id: record.id, created_at: record.created_at };
  }

  /** Every computation for the versions of the judge named `name`, oldest first. */
  async ofJudge(name: string): Promise<AgreementRecord[]> {
    const rows = await this.db
      .selectFrom('agreements')
      .innerJoin('judges', 'judges.id', 'agreements.judge_id')
      .select([
        'agreements.id',
        'agreements.judge_id',
        'judges.version',
        'agreements.dataset_id',
        'agreements.label_job_id',
        'agreements.run_id',
        'agreements.n',
        'agreements.stats',
        'agreements.created_at',
      ])
      .where('judges.name', '=', name)
      .orderBy('agreements.created_at')
      .orderBy('agreements.id')
      .execute();
    return rows.map((row) => ({ ...row, n: Number(row.n), stats: JSON.parse(row.stats) as Record<string, unknown> }));
  }
}
