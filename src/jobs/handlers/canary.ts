/**
 * Jobs of kind `canary`: one long-running job per active canary. It waits for the next tick — placed
 * by the last tick stored (src/monitoring/canary-spec.ts `nextTick`), so a restart keeps the schedule
 * and a tick missed while down runs once — or for a tick asked for now, runs it (src/monitoring/
 * canary.ts), and waits again, reading the canary from the store each time, so it ends when the
 * canary is paused or deleted. A job with `once` runs a single tick (asked for on a paused canary).
 * Webhooks of its alerts are delivered from the outbox by a loop beside it, never awaited by a tick.
 * Everything it needs is in the store, so any process that runs jobs (the server, a worker) can run it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runTick, type TickContext } from '../../monitoring/canary.js';
import { nextTick, type CanarySpec } from '../../monitoring/canary-spec.js';
import { DEFAULT_WEBHOOK_RETRY_MS, deliverDue } from '../../monitoring/webhooks.js';
import { CanaryRepository, type CanaryRecord } from '../../store/canaries.js';
import { MonitorRepository } from '../../store/monitors.js';
import type { JobContext, JobHandler } from '../types.js';

/** What a `canary` job stores: the canary it checks, and `once` for a single tick. */
export interface CanaryPayload {
  canary_id: string;
  once?: boolean;
}

/** How often a waiting canary looks at the store (a tick asked for, a pause, a delivery due). */
const POLL_MS = 1_000;

/** The handler of `canary` jobs over datasets kept in `dataDir`. */
export function canaryHandler(dataDir: string): JobHandler<CanaryPayload> {
  return async (job, ctx) => {
    const repo = new CanaryRepository(ctx.store);
    const id = job.payload.canary_id;
    const tick: TickContext = { store: ctx.store, dataDir, env: ctx.env, signal: ctx.signal, limiter: ctx.limiter };
    const deliveries = deliveryLoop(ctx, id);
    try {
      if (job.payload.once) {
        const canary = await repo.get<CanarySpec>(id);
        if (canary) await runTick(tick, canary);
        // The job ends now: its alert's webhook is tried once here, then by the canary's next job.
        await deliverDue(new MonitorRepository(ctx.store), id, retryMs(ctx)).catch(() => undefined);
        return;
      }
      // One job per canary: a tick still `running` was cut short by a stop, and is due again.
      await repo.interruptRunning(id);
      for (;;) {
        ctx.signal.throwIfAborted();
        const canary = await repo.get<CanarySpec>(id);
        if (!canary || canary.status !== 'active') return;
        const wait = (await dueAt(repo, canary)) - Date.now();
        if (wait > 0) {
          await delay(Math.min(wait, POLL_MS), undefined, { signal: ctx.signal });
          continue;
        }
        // A job's progress is an evaluation's (GET /api/jobs); a tick's outcome is read from the canary.
        await runTick(tick, canary);
      }
    } finally {
      await deliveries.stop();
    }
  };
}

/** When the canary's next tick is due: by its schedule, or at once when a tick was asked for since the last one started. */
async function dueAt(repo: CanaryRepository, canary: CanaryRecord<CanarySpec>): Promise<number> {
  const last = await repo.lastEnded(canary.id);
  if (canary.run_requested_at !== null && (last === undefined || canary.run_requested_at >= last.started_at)) return 0;
  return nextTick(canary.definition, last?.started_at, canary.created_at);
}

/** Delivers the canary's due webhooks every POLL_MS until the job stops; `stop` waits for the round in flight. */
function deliveryLoop(ctx: JobContext, canaryId: string): { stop(): Promise<void> } {
  const outbox = new MonitorRepository(ctx.store);
  const stopped = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stopped.signal]);
  const done = (async () => {
    while (!signal.aborted) {
      // A failed round (the store busy) is tried again on the next; deliveries stay in the outbox.
      await deliverDue(outbox, canaryId, retryMs(ctx)).catch(() => undefined);
      await delay(POLL_MS / 4, undefined, { signal }).catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopped.abort();
      await done;
    },
  };
}

/** The first retry's wait of a webhook: JUROR_WEBHOOK_RETRY_MS, as for monitors. */
function retryMs(ctx: JobContext): number {
  return Number(ctx.env.JUROR_WEBHOOK_RETRY_MS ?? DEFAULT_WEBHOOK_RETRY_MS);
}
