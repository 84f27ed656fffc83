/**
 * Jobs of kind `monitor`: one long-running job per active monitor. It takes the interactions the
 * monitor has not looked at yet (about BATCH of its sample's, oldest arrival first), keeps those of its sample and
 * filter, judges them with `evaluate()` — the same engine as runs: scheduler, rate limits, cache,
 * retries, error rows, the store's answer cache; but no run: a batch is not a run a user looks for —
 * then stores each score per (interaction, metric), checks the alert rules of the windows it touched,
 * and waits for more.
 * Webhooks are delivered by a loop of their own beside it, never awaited by the judging.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { evaluate } from '../../engine/evaluate.js';
import type { DataRecord } from '../../data/dataset.js';
import { matchesFilter, monitorConfig, sampled, windowStart, type MonitorSpec } from '../../monitoring/monitor-spec.js';
import { DEFAULT_WEBHOOK_RETRY_MS, deliverDue } from '../../monitoring/webhooks.js';
import { checkAlerts, type TouchedWindows } from '../../monitoring/windows.js';
import type { Interaction } from '../../store/interactions.js';
import { MonitorRepository } from '../../store/monitors.js';
import type { JobContext, JobHandler } from '../types.js';

/** What a `monitor` job stores: the monitor it judges for (its definition is read from the store each batch). */
export interface MonitorPayload {
  monitor_id: string;
}

/** About how many interactions one `evaluate()` judges (fewer when a filter leaves some out). */
const BATCH = 500;
/**
 * Interactions looked at in one batch at most: BATCH / sample rate, so that a batch of a 10% sample
 * still judges about BATCH (the provider's slots stay busy rather than idling between small batches).
 */
const LOOK_AT_MOST = 5_000;
/** How long an idle monitor waits before looking for new interactions. */
const POLL_MS = 1_000;
/**
 * A monitor looks for new interactions among those received since its last batch, less this margin:
 * an ingest batch is stamped before its transaction commits, so one may appear a little after later
 * ones. Every FULL_SCAN_MS it looks at every interaction, to catch any that committed later still.
 */
const ARRIVAL_MARGIN_MS = 10_000;
const FULL_SCAN_MS = 60_000;

/** The handler of `monitor` jobs; judges' relative paths resolve against `baseDir`. It ends when the monitor is paused or deleted. */
export function monitorHandler(baseDir: string): JobHandler<MonitorPayload> {
  return async (job, ctx) => {
    const repo = new MonitorRepository(ctx.store);
    const monitorId = job.payload.monitor_id;
    const retryMs = Number(ctx.env.JUROR_WEBHOOK_RETRY_MS ?? DEFAULT_WEBHOOK_RETRY_MS);
    const webhooks = deliveryLoop(ctx.signal, () => deliverDue(repo, monitorId, retryMs));
    let judged = 0;
    let since: string | undefined;
    let fullScanAt = Date.now();
    try {
      for (;;) {
        ctx.signal.throwIfAborted();
        const monitor = await repo.get<MonitorSpec>(monitorId);
        if (!monitor || monitor.status !== 'active') return;
        if (Date.now() - fullScanAt >= FULL_SCAN_MS) {
          since = undefined;
          fullScanAt = Date.now();
        }
        const lookAt = Math.min(LOOK_AT_MOST, Math.ceil(BATCH / Math.max(monitor.definition.sample_rate, 0.01)));
        const batch = await repo.unseen(monitorId, monitor.definition.app, lookAt, since);
        if (batch.length === 0) {
          await delay(POLL_MS, undefined, { signal: ctx.signal });
          continue;
        }
        // Batches come oldest arrival first: the last one is the newest.
        since = new Date(Date.parse(batch[batch.length - 1]!.received_at) - ARRIVAL_MARGIN_MS).toISOString();
        judged += await judgeBatch(repo, monitorId, monitor.definition, batch, baseDir, ctx);
        ctx.progress({ judged, ...(await repo.lag(monitorId)) });
      }
    } finally {
      await webhooks.stop();
    }
  };
}

/** Judges the batch's sampled interactions, stores what was looked at with the scores, and checks alerts; returns how many were judged. */
async function judgeBatch(
  repo: MonitorRepository,
  monitorId: string,
  spec: MonitorSpec,
  batch: Interaction[],
  baseDir: string,
  ctx: JobContext,
): Promise<number> {
  const picked = batch.filter((i) => matchesFilter(i.metadata, spec.filter) && sampled(i.id, spec.sample_rate));
  const scores: Parameters<MonitorRepository['record']>[2] = [];
  const touched: TouchedWindows = new Map();
  if (picked.length > 0) {
    const { options } = monitorConfig(spec, baseDir);
    const result = await evaluate({
      ...options,
      data: picked.map(asRecord),
      store: ctx.store,
      signal: ctx.signal,
      env: ctx.env,
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
      record: false,
      collectTable: true,
    });
    if (result.status !== 'finished') {
      // Stopped by the job's signal: nothing of the batch is recorded, so it is judged again (from the cache) on resume.
      ctx.signal.throwIfAborted();
      throw new Error(`monitor ${monitorId}: judging stopped: ${result.stopReason ?? 'unknown reason'}`);
    }
    const now = new Date();
    const metrics = result.perMetric.map((m) => m.metric);
    for (const [i, row] of result.tables.eval_results_table.entries()) {
      const interaction = picked[i]!;
      const timestamp = new Date(interaction.timestamp).toISOString();
      for (const metric of metrics) {
        const value = row[`${metric}/score`];
        const error = row[`${metric}/error`];
        scores.push({
          interaction_id: interaction.id,
          metric,
          timestamp,
          value: typeof value === 'number' ? value : null,
          justification: typeof row[`${metric}/justification`] === 'string' ? (row[`${metric}/justification`] as string) : null,
          error: typeof value === 'number' ? null : typeof error === 'string' ? error : 'no score',
          lag_ms: now.getTime() - Date.parse(interaction.received_at),
          scored_at: now.toISOString(),
        });
        const windows = touched.get(metric) ?? new Set<number>();
        windows.add(windowStart(timestamp, spec.window));
        touched.set(metric, windows);
      }
    }
  }
  const pickedIds = new Set(picked.map((i) => i.id));
  await repo.record(
    monitorId,
    batch.map((i) => ({ interaction_id: i.id, sampled: pickedIds.has(i.id) })),
    scores,
  );
  await checkAlerts(repo, monitorId, spec, touched);
  return picked.length;
}

/** An interaction as a row of a run, under the standard column names judges read. */
function asRecord(interaction: Interaction): DataRecord {
  return {
    interaction_id: interaction.id,
    request: interaction.request,
    response: interaction.response,
    ...(interaction.retrieved_context ? { retrieved_context: interaction.retrieved_context } : {}),
    ...(interaction.expected_response !== null ? { expected_response: interaction.expected_response } : {}),
  };
}

/** Runs `tick` every POLL_MS until the signal aborts; `stop` waits for the tick in flight. */
function deliveryLoop(signal: AbortSignal, tick: () => Promise<void>): { stop(): Promise<void> } {
  const stopped = new AbortController();
  const done = (async () => {
    while (!signal.aborted && !stopped.signal.aborted) {
      // A failed tick (the store busy) is tried again on the next one; deliveries stay in the outbox.
      await tick().catch(() => undefined);
      await delay(POLL_MS / 4, undefined, { signal: AbortSignal.any([signal, stopped.signal]) }).catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopped.abort();
      await done;
    },
  };
}
