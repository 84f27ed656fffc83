/**
 * Provider limits kept in this process: each endpoint's concurrency slots (adaptive, see
 * limiter.ts), requests-per-minute pacing and a tokens-per-minute bucket. The default limiter of a
 * run; a process that shares a provider with others uses the Redis one instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  congestionFloor,
  cutLimit,
  smoothRoundTrip,
  type CallOutcome,
  type EndpointGate,
  type EndpointLimits,
  type Limiter,
  type Slot,
} from './limiter.js';

/** Limits counted in this process, one gate per endpoint. */
export class LocalLimiter implements Limiter {
  private readonly gates = new Map<string, LocalGate>();

  /** The gate of `endpoint`; `limits` are read on first use only. */
  gate(endpoint: string, limits: EndpointLimits): EndpointGate {
    let gate = this.gates.get(endpoint);
    if (!gate) {
      gate = new LocalGate(limits);
      this.gates.set(endpoint, gate);
    }
    return gate;
  }

  /** Nothing to let go of: the counters go with the object. */
  async close(): Promise<void> {}
}

/** One endpoint's concurrency slots and request pacing. */
class LocalGate implements EndpointGate {
  private limit: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private okStreak = 0;
  private roundTripMs = 0;
  /** When the current congestion event began, and the lowest limit it may cut to. */
  private cutAt = -Infinity;
  private floor = 1;
  private nextStart = 0;
  /** Token budget left; may go negative, which is the wait owed before the next start. */
  private tokens: number;
  private tokensAt = Date.now();

  constructor(private readonly config: EndpointLimits) {
    this.limit = config.maxConcurrency;
    this.tokens = config.tpm ?? 0;
  }

  get countsTokens(): boolean {
    return Boolean(this.config.tpm);
  }

  async acquire(tokens: number, signal: AbortSignal): Promise<Slot> {
    signal.throwIfAborted();
    if (this.inFlight < this.limit && this.waiting.length === 0) this.inFlight++;
    else await this.queue(signal);
    const now = Date.now();
    let wait = 0;
    if (this.config.rpm) {
      // Pace starts evenly: one every 60/rpm seconds.
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + 60_000 / this.config.rpm;
      wait = start - now;
    }
    if (this.config.tpm && tokens > 0) {
      // A token bucket refilled continuously; a reservation past empty waits for the refill.
      const perMs = this.config.tpm / 60_000;
      this.tokens = Math.min(this.config.tpm, this.tokens + (now - this.tokensAt) * perMs);
      this.tokensAt = now;
      this.tokens -= tokens;
      if (this.tokens < 0) wait = Math.max(wait, -this.tokens / perMs);
    }
    if (wait > 0) await sleep(wait);
    return { startedAt: performance.now() };
  }

  /** Waits in line for a slot; a stop takes the caller out of the line. */
  private queue(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const admit = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(admit);
    });
  }

  /**
   * Frees the slot and adapts the limit. A 429's `retryAt` is not kept: in one process the refused
   * call waits it out itself and the others learn from the cut limit.
   */
  async release(slot: Slot, outcome: CallOutcome): Promise<void> {
    this.inFlight--;
    const now = performance.now();
    if (outcome === 'ok') {
      this.roundTripMs = smoothRoundTrip(this.roundTripMs, now - slot.startedAt);
      // Additive increase: one more slot after a window of successes at the current level.
      if (this.limit < this.config.maxConcurrency && ++this.okStreak >= this.limit) {
        this.limit++;
        this.okStreak = 0;
      }
    } else if (outcome === 'limited') {
      // Multiplicative decrease; a burst of 429s within one round trip is one event.
      if (now - this.cutAt >= this.roundTripMs) {
        this.cutAt = now;
        this.floor = congestionFloor(this.limit);
      }
      this.limit = cutLimit(this.limit, this.inFlight, this.floor);
      this.okStreak = 0;
    }
    while (this.inFlight < this.limit && this.waiting.length > 0) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}
