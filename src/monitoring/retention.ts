/**
 * Retention (issue #13 §2): interactions older than an age (by their own timestamp) are deleted with
 * what monitors recorded of them, while the monitors' window aggregates are kept. A pass first rolls
 * up, per monitor and metric, every window that is about to lose its scores (count, errors, mean,
 * p90, ratio, computed as the series computes them), then deletes in bounded batches. The cutoff is
 * moved back to the start of the largest monitor window holding it, so that a window is either
 * wholly kept or wholly rolled up — never half-deleted — and each rolled-up window has ended. The
 * series reads rolled-up windows where the scores are gone (windows.ts), so a chart is the same
 * before and after. A pass stopped half-way is safe to run again: a window rolled up stays as kept.
 */
import type { MonitorSpec } from './monitor-spec.js';
import { WINDOWS, windowStart, type WindowName } from './monitor-spec.js';
import { point } from './windows.js';
import { MonitorRepository } from '../store/monitors.js';
import type { Store } from '../store/store.js';

/** How often `juror serve --retention` runs a pass (and once on start). */
export const RETENTION_EVERY_MS = 3_600_000;

/** Interactions deleted per transaction. */
const DELETE_BATCH = 1_000;

/** What a pass did. */
export interface RetentionOutcome {
  /** Interactions older than this (ISO) were deleted. */
  cutoff: string;
  /** Window aggregates kept (one per monitor, metric and window). */
  rolledUp: number;
  deleted: number;
}

/** One pass: rolls up the windows about to lose their scores, then deletes interactions older than `maxAgeMs`. */
export async function applyRetention(store: Store, maxAgeMs: number, now = Date.now()): Promise<RetentionOutcome> {
  const repo = new MonitorRepository(store);
  const monitors = await repo.list<MonitorSpec>();
  const largest = Math.max(1, ...monitors.map((m) => WINDOWS[m.definition.window] ?? 1));
  const cutoff = new Date(Math.floor((now - maxAgeMs) / largest) * largest).toISOString();
  let rolledUp = 0;
  for (const monitor of monitors) rolledUp += await rollUp(repo, monitor.id, monitor.definition.window, cutoff);
  let deleted = 0;
  for (;;) {
    const n = await repo.expireInteractions(cutoff, DELETE_BATCH);
    deleted += n;
    if (n < DELETE_BATCH) break;
  }
  return { cutoff, rolledUp, deleted };
}

/** Keeps the aggregates of each of the monitor's windows with scores before `before` (not kept yet); returns how many. */
async function rollUp(repo: MonitorRepository, monitorId: string, window: WindowName, before: string): Promise<number> {
  let kept = 0;
  let from = '';
  for (;;) {
    const first = await repo.firstScoreAt(monitorId, from, before);
    if (first === undefined) return kept;
    const start = windowStart(first, window);
    const [windowFrom, windowTo] = [new Date(start).toISOString(), new Date(start + WINDOWS[window]).toISOString()];
    const done = await repo.rolledUpMetrics(monitorId, windowFrom);
    const values = new Map<string, Array<number | null>>();
    for (const score of await repo.windowScores(monitorId, windowFrom, windowTo)) {
      if (done.has(score.metric)) continue;
      values.set(score.metric, [...(values.get(score.metric) ?? []), score.value]);
    }
    const rows = [...values].map(([metric, all]) => {
      const p = point(start, WINDOWS[window], all);
      return {
        monitor_id: monitorId,
        metric,
        window_start: p.start,
        window_end: p.end,
        count: p.count,
        errors: p.errors,
        mean: p.mean,
        p90: p.p90,
        ratio: p.ratio ?? null,
      };
    });
    await repo.saveRollups(rows);
    kept += rows.length;
    from = windowTo;
  }
}

/**
 * Runs a pass now and then every `everyMs` until stopped (`juror serve --retention`); a failed pass
 * (the store busy) is reported and tried again at the next.
 */
export function startRetention(
  store: Store,
  options: { maxAgeMs: number; everyMs?: number; onPass?: (outcome: RetentionOutcome) => void; onError?: (error: unknown) => void },
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | undefined;
  const pass = () => {
    // A pass still going when the next is due (a large backlog) is left to finish; the next comes later.
    if (stopped || running) return;
    running = applyRetention(store, options.maxAgeMs)
      .then((outcome) => options.onPass?.(outcome))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (running = undefined));
  };
  pass();
  const timer = setInterval(pass, options.everyMs ?? RETENTION_EVERY_MS);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
