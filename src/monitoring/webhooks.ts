/**
 * Alert webhooks: each event with a webhook is stored in an outbox with the event itself, and POSTed
 * as JSON from there in the background — retried with exponential backoff (`retryMs` × 2^attempt, at
 * most a minute apart, up to MAX_WEBHOOK_ATTEMPTS) — so a dead webhook never holds judging back and a
 * restart loses no delivery.
 */
import type { MonitorRepository } from '../store/monitors.js';

/** How long one POST may take before it counts as failed. */
const POST_TIMEOUT_MS = 10_000;

/** The first retry's wait by default; the environment's JUROR_WEBHOOK_RETRY_MS overrides it. */
export const DEFAULT_WEBHOOK_RETRY_MS = 1_000;

/** Makes every delivery of the monitor that is due; resolves once each was tried once. */
export async function deliverDue(repo: MonitorRepository, monitorId: string, retryMs: number): Promise<void> {
  for (const delivery of await repo.dueDeliveries(monitorId, new Date().toISOString())) {
    const error = await post(delivery.url, delivery.payload);
    if (error === undefined) {
      await repo.attempted(delivery.id, { delivered: true });
      continue;
    }
    const wait = Math.min(60_000, retryMs * 2 ** delivery.attempts);
    await repo.attempted(delivery.id, { delivered: false, error, nextAt: new Date(Date.now() + wait).toISOString() });
  }
}

/** POSTs the payload; the reason it failed, or undefined when the receiver answered 2xx. */
async function post(url: string, payload: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'juror-monitor' },
      body: payload,
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      redirect: 'manual',
    });
    await response.body?.cancel();
    return response.ok ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error instanceof Error ? error.message : String(error));
  }
}
