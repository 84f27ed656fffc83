/**
 * Jobs of kind `audit`: a stored judge version audited over an uploaded dataset
 * (`POST /api/judges/:name/audit`), then the audit stored under the version. The probe run is the
 * job's evaluation (recorded on the job, so a job resumed after a restart resumes it, its finished
 * rows kept); the samples of the consistency probe are asked again in full, as they are not stored.
 * The payload pins the version by id, so a resumed job audits the same definition.
 */
import { runAudit } from '../../audit/audit.js';
import { recordAudit } from '../../audit/record.js';
import { planStoredAudit, type StoredAudit, type StoredAuditInput } from '../../audit/stored.js';
import { evaluate } from '../../engine/evaluate.js';
import type { Store } from '../../store/store.js';
import { runEvaluation, toJobProgress } from '../evaluation.js';
import type { JobHandler } from '../types.js';

/** What an `audit` job stores: the judge's name and the request, its version pinned by `judge_id`. */
export interface AuditPayload {
  name: string;
  audit: StoredAuditInput;
}

/** Plans the audit (the judge, the dataset, the labels; a Juror error names the request's field). */
export function planAudit(
  store: Store,
  dataDir: string,
  payload: AuditPayload,
  env?: Record<string, string | undefined>,
): Promise<StoredAudit> {
  return planStoredAudit({ store, dataDir, ...(env ? { env } : {}) }, payload.name, payload.audit);
}

/** The handler of `audit` jobs, over datasets kept in `dataDir`. */
export function auditHandler(dataDir: string): JobHandler<AuditPayload> {
  return async (job, ctx) => {
    const { plan, dataset } = await planAudit(ctx.store, dataDir, job.payload, ctx.env);
    const report = await runAudit(plan, async (options, phase) => {
      if (phase === 'probes') return runEvaluation(job, ctx, options);
      const result = await evaluate({
        ...options,
        signal: ctx.signal,
        ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
        onProgress: (p) => ctx.progress({ phase: 'consistency', ...toJobProgress(p) }),
      });
      if (result.status === 'interrupted') {
        ctx.signal.throwIfAborted();
        throw new Error(result.stopReason ?? 'the samples stopped');
      }
      return result;
    });
    const stored = await recordAudit(ctx.store, { judge: plan.judge, report, datasetId: dataset.id });
    return { audit_id: stored.id };
  };
}
