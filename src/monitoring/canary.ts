/**
 * One tick of a canary: the existing align check (src/align) of the canary's judge version against
 * its human labels, with the answer cache off — the point is to catch the provider changing the
 * model behind the same name, so every verdict is asked for again — its agreement stored in the
 * judge's history as `juror align` stores it, then the alert checked: an event is stored (and its
 * webhook put in the outbox) when the state changes, firing or resolving, as a monitor's rule does.
 */
import { compareRun, recordAlignment } from '../align/check.js';
import { planStoredCheck } from '../align/stored-check.js';
import type { Limiter } from '../engine/limiter.js';
import { evaluate } from '../engine/evaluate.js';
import { compare } from '../engine/thresholds.js';
import { JurorError } from '../errors.js';
import { judgeToConfig } from '../judges/serialize.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { metricKey } from '../metrics/metric.js';
import { CanaryRepository, type CanaryRecord } from '../store/canaries.js';
import type { Store } from '../store/store.js';
import type { CanarySpec } from './canary-spec.js';

/** What a tick runs with. */
export interface TickContext {
  store: Store;
  /** Where uploaded datasets are kept. */
  dataDir: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  limiter?: Limiter | undefined;
}

/** How a tick ended: the statistics it measured, or why it failed. */
export type TickOutcome =
  { status: 'finished'; runId: string; n: number; statistics: Record<string, number | null> } | { status: 'failed'; error: string };

/** The seed of the agreement's bootstrap intervals: fixed, so two ticks differ only by the judge's verdicts. */
const SEED = 1;

/**
 * Runs one tick of `canary` and records it (a canary run; the agreement under the judge version;
 * an alert event when the state changed). A tick that fails (a label unreadable, the provider
 * refusing) is recorded failed and does not change the alert. Stopped by the signal, it throws the
 * stop, its canary run marked interrupted (a process that dies outright leaves it `running`, and the
 * next start marks it so): the tick is then due again.
 */
export async function runTick(ctx: TickContext, canary: CanaryRecord<CanarySpec>): Promise<TickOutcome> {
  const repo = new CanaryRepository(ctx.store);
  const spec = canary.definition;
  const tickId = await repo.startRun(canary.id, new Date().toISOString());
  let outcome: TickOutcome;
  try {
    outcome = await check(ctx, canary, (runId) => void repo.updateRun(tickId, { runId }).catch(() => undefined));
  } catch (error) {
    if (ctx.signal.aborted) {
      await repo.updateRun(tickId, { status: 'interrupted', error: 'stopped during the tick' }).catch(() => undefined);
      ctx.signal.throwIfAborted();
    }
    outcome = { status: 'failed', error: error instanceof JurorError ? error.describe() : String((error as Error)?.message ?? error) };
  }
  if (outcome.status === 'failed') {
    await repo.updateRun(tickId, { status: 'failed', error: outcome.error });
    return outcome;
  }
  const value = outcome.statistics[spec.alert.statistic];
  // An undefined statistic (every label the same) leaves the alert as it was.
  const firing = typeof value === 'number' ? compare(value, spec.alert.op, spec.alert.value) : undefined;
  const changed = firing !== undefined && firing !== ((await repo.alertState(canary.id)) === 'firing');
  await repo.finishRun(
    canary.id,
    tickId,
    outcome,
    changed
      ? {
          event: {
            at: new Date().toISOString(),
            run_id: outcome.runId,
            statistic: spec.alert.statistic,
            value: value!,
            op: spec.alert.op,
            threshold: spec.alert.value,
            state: firing ? 'firing' : 'resolved',
          },
          webhook: spec.alert.webhook,
          about: { name: canary.name, judge: spec.judge, version: spec.version ?? null },
        }
      : undefined,
  );
  return outcome;
}

/** The align check itself: plan (judge, dataset, labels), judge the labelled rows without the cache, compare, store. */
async function check(ctx: TickContext, canary: CanaryRecord<CanarySpec>, runCreated: (runId: string) => void): Promise<TickOutcome> {
  const spec = canary.definition;
  const plan = await planStoredCheck({ store: ctx.store, dataDir: ctx.dataDir }, spec.judge, {
    dataset_id: spec.dataset,
    human_col: spec.human_col,
    label_job: spec.label_job,
    version: spec.version,
  });
  const { judge, dataset, labelled } = plan;
  const metric = judgeMetric(judge);
  const result = await evaluate({
    data: labelled.records,
    metrics: [metric],
    ...(spec.col_mapping ? { colMapping: spec.col_mapping } : {}),
    ...(spec.judge_model ? { judgeModel: spec.judge_model } : {}),
    experiment: 'align',
    runName: `canary-${canary.name}`,
    cache: false,
    config: {
      command: 'canary',
      canary_id: canary.id,
      judge: judgeToConfig(judge),
      dataset_id: dataset.id,
      human_col: spec.human_col ?? null,
      label_job: spec.label_job ?? null,
      col_mapping: spec.col_mapping ?? {},
      judge_model: spec.judge_model ?? null,
      seed: SEED,
      cache: false,
    },
    datasetRecord: { id: dataset.id, name: dataset.name, labelled_rows: labelled.rows.length },
    collectTable: true,
    store: ctx.store,
    signal: ctx.signal,
    env: ctx.env,
    ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    onRunCreated: runCreated,
  });
  if (result.status !== 'finished') {
    ctx.signal.throwIfAborted();
    return { status: 'failed', error: result.stopReason ?? 'the run stopped' };
  }
  const report = compareRun(result, metricKey(metric), plan.scheme, labelled.labels, { seed: SEED });
  await recordAlignment(ctx.store, { judge, runId: result.runId, dataHash: dataset.hash, datasetId: dataset.id, report });
  return { status: 'finished', runId: result.runId, n: report.n, statistics: report.statistics };
}
