/**
 * Provider limits as the scheduler asks for them, behind one interface with two backends (as
 * Kysely's `Dialect`): in-process counters (limiter-local.ts, the default) and Redis shared by every
 * process of a deployment (limiter-redis.ts). The scheduler never asks which one it has.
 *
 * The concurrency cap adapts to 429s as TCP's congestion window adapts to loss (AIMD): cut at once
 * to what the provider was seen to accept, by at most 30% per round trip (TCP CUBIC's β = 0.7), one
 * slot more per window of successes. The arithmetic is here so that both backends share it.
 */
import type { RedisLimiterOptions } from './limiter-redis.js';

/** Limits of one provider endpoint (`providers: { <name>: { max_concurrency, rpm, tpm } }`). */
export interface EndpointLimits {
  maxConcurrency: number;
  /** Requests per minute; unlimited when absent. */
  rpm?: number;
  /** Tokens per minute (estimated from the request's size); unlimited when absent. */
  tpm?: number;
}

/** How a call that held a slot ended: answered, refused with a 429, or failed otherwise. */
export type CallOutcome = 'ok' | 'limited' | 'failed';

/** A call's hold on a concurrency slot, from `acquire` to `release`. */
export interface Slot {
  /** `performance.now()` when the call was admitted: its duration measures the round trip. */
  readonly startedAt: number;
}

/** One endpoint's limits as one limiter keeps them. */
export interface EndpointGate {
  /** Whether calls' sizes matter here (a tokens-per-minute limit). */
  readonly countsTokens: boolean;
  /**
   * Waits for a slot under the endpoint's current (adaptive) limit, any published back-off, and the
   * rpm/tpm admission of a call of `tokens`; rejects with `signal.reason` once `signal` aborts.
   */
  acquire(tokens: number, signal: AbortSignal): Promise<Slot>;
  /**
   * Frees `slot`, adapting the limit to how the call ended. For a 429, `retryAt` (epoch ms) is when
   * the provider said to come back: a shared limiter holds every process's next start until then.
   * Never rejects: a slot it could not hand back is freed when its lease expires.
   */
  release(slot: Slot, outcome: CallOutcome, retryAt?: number): Promise<void>;
}

/** Where provider limits are kept: the scheduler asks it for each endpoint's gate. */
export interface Limiter {
  /** The gate of `endpoint` (its identity: provider, base URL, key variable), created with `limits` on first use. */
  gate(endpoint: string, limits: EndpointLimits): EndpointGate;
  /** Lets go of what the limiter holds (connections); its gates are not used afterwards. */
  close(): Promise<void>;
}

/** The lowest limit one congestion event may cut to: 70% of the limit before it, at least 1. */
export function congestionFloor(limit: number): number {
  return Math.max(1, Math.floor(limit * 0.7));
}

/**
 * The limit after a 429. The provider accepted the calls still in flight and refused this one, so
 * what it takes is at most that many: cut to it at once, but not below the event's `floor`, so that a
 * moment when everything is refused (a requests-per-second window that is full) does not take it to 1.
 */
export function cutLimit(limit: number, inFlight: number, floor: number): number {
  return Math.max(floor, Math.min(limit, inFlight));
}

/** TCP's smoothed round trip (SRTT, gain 1/8): the span within which 429s count as one event. */
export function smoothRoundTrip(previousMs: number, sampleMs: number): number {
  return previousMs ? previousMs * 0.875 + sampleMs * 0.125 : sampleMs;
}

/**
 * A limiter shared by every process on the Redis at `url`, its client loaded on first use.
 * @example const limiter = await connectRedisLimiter('redis://127.0.0.1:6379');
 * await evaluate({ ...options, limiter }); await limiter.close();
 */
export async function connectRedisLimiter(url: string, options?: RedisLimiterOptions): Promise<Limiter> {
  return (await import('./limiter-redis.js')).RedisLimiter.connect(url, options);
}
