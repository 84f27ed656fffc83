/**
 * Storing an audit under the judge version that was audited (as align stores agreement), so that
 * `GET /api/judges/:name/audits` and the Judges page show each version's numbers side by side.
 * Human agreement measured by the audit is stored as an align check too, with the audit's run.
 */
import { recordAlignment } from '../align/check.js';
import type { Judge } from '../judges/definition.js';
import { AuditRepository } from '../store/audits.js';
import { DatasetRepository } from '../store/datasets.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import type { AuditReport } from './audit.js';

/** Stores `report`; the dataset is the stored one named, else an upload with the same rows, else the rows' hash. */
export async function recordAudit(
  store: Store,
  audit: { judge: Judge; report: AuditReport; datasetId?: string },
): Promise<{ id: string; judgeId: string; createdAt: string }> {
  const { judge, report } = audit;
  const judgeId = await store.judges.save(judge);
  const datasetId = audit.datasetId ?? (await new DatasetRepository(serverDb(store)).findByHash(report.data.hash))?.id ?? report.data.hash;
  const saved = await new AuditRepository(store).insert({
    judgeId,
    datasetId,
    runId: report.run_id,
    suite: report.suite.name,
    suiteVersion: report.suite.version,
    n: report.data.rows,
    report,
  });
  if (report.human_agreement) {
    const { human_col: _column, ...agreement } = report.human_agreement;
    await recordAlignment(store, { judge, runId: report.run_id, dataHash: report.data.hash, datasetId, report: agreement });
  }
  return { id: saved.id, judgeId, createdAt: saved.created_at };
}
