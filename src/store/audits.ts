/**
 * The judge_audits table (migration 0011): one record per audit of a judge version (`juror audit`,
 * `POST /api/judges/:name/audit`), the whole report kept as JSON beside the suite that made it,
 * so that a judge's versions can be compared on every audit number, as on their agreement.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { serverDb, type ServerDatabase } from './server-tables.js';
import type { Store } from './store.js';

/** One audit of one judge version. */
export interface JudgeAuditTable {
  id: string;
  judge_id: string;
  /** The stored dataset audited, or the sha256 of the rows of a file that was not uploaded. */
  dataset_id: string;
  /** The run of the originals and perturbed copies. */
  run_id: string | null;
  suite: string;
  suite_version: string;
  /** Rows audited. */
  n: number;
  /** The report (src/audit/audit.ts `AuditReport`) as JSON. */
  report: string;
  created_at: string;
}

/** One stored audit, with its judge version's name and its report parsed. */
export interface AuditRecord {
  id: string;
  judge_id: string;
  version: string;
  dataset_id: string;
  run_id: string | null;
  suite: string;
  suite_version: string;
  n: number;
  report: Record<string, unknown>;
  created_at: string;
}

type AuditDatabase = ServerDatabase & { judge_audits: JudgeAuditTable };

export class AuditRepository {
  private readonly db: Kysely<AuditDatabase>;

  constructor(store: Store) {
    this.db = serverDb(store).withTables<{ judge_audits: JudgeAuditTable }>();
  }

  /** Records an audit; answers its id and time. */
  async insert(entry: {
    judgeId: string;
    datasetId: string;
    runId: string | null;
    suite: string;
    suiteVersion: string;
    n: number;
    report: unknown;
  }): Promise<{ id: string; created_at: string }> {
    const record: JudgeAuditTable = {
      id: randomUUID().replaceAll('-', ''),
      judge_id: entry.judgeId,
      dataset_id: entry.datasetId,
      run_id: entry.runId,
      suite: entry.suite,
      suite_version: entry.suiteVersion,
      n: entry.n,
      report: JSON.stringify(entry.report),
      created_at: new Date().toISOString(),
    };
    await this.db.insertInto('judge_audits').values(record).execute();
    return { id: record.id, created_at: record.created_at };
  }

  /** Every audit of the versions of the judge named `name`, oldest first. */
  async ofJudge(name: string): Promise<AuditRecord[]> {
    const rows = await this.db
      .selectFrom('judge_audits')
      .innerJoin('judges', 'judges.id', 'judge_audits.judge_id')
      .select([
        'judge_audits.id',
        'judge_audits.judge_id',
        'judges.version',
        'judge_audits.dataset_id',
        'judge_audits.run_id',
        'judge_audits.suite',
        'judge_audits.suite_version',
        'judge_audits.n',
        'judge_audits.report',
        'judge_audits.created_at',
      ])
      .where('judges.name', '=', name)
      .orderBy('judge_audits.created_at')
      .orderBy('judge_audits.id')
      .execute();
    return rows.map((row) => ({ ...row, n: Number(row.n), report: JSON.parse(row.report) as Record<string, unknown> }));
  }
}
