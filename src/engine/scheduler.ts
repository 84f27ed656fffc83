/**
 * Calls to providers, per endpoint (base URL + key), under the limits a {@link Limiter} keeps (a
 * concurrency cap that adapts to 429s, requests- and tokens-per-minute pacing; in this process or
 * shared by every worker), with a per-call timeout and retries with exponential backoff and jitter
 * that honour `Retry-After`. A 429 means "slow down", not "this request is broken": it does not use up
 * the call's retries, which are for 5xx, timeouts and dropped connections; a call still rate-limited
 * after `rateLimitWaitMs` stops the run as a provider failure, as configuration faults (401/403/404,
 * or a 400 before anything succeeded) do, rather than leaving error rows in a run that ends 0.
 */
import { setMaxListeners } from 'node:events';
import { APICallError } from '@ai-sdk/provider';
import { ProviderError } from '../errors.js';
import type { EndpointLimits, Limiter, Slot } from './limiter.js';
import { LocalLimiter } from './limiter-local.js';

/** How failed calls are retried. */
export interface RetryPolicy {
  /** Retries of a call after 5xx, timeouts and dropped connections (429s do not count). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  /** How long one call may keep meeting 429s before the run stops as a provider failure. */
  rateLimitWaitMs: number;
}

export const DEFAULT_LIMITS: EndpointLimits = { maxConcurrency: 16 };
export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 8,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  timeoutMs: 120_000,
  rateLimitWaitMs: 600_000,
};

/** Who is being called: the endpoint identity and what to name in messages. */
export interface Target {
  endpoint: string;
  provider: string;
  uri: string;
  keyEnv?: string;
}

/** Counters for progress and summaries. */
export interface SchedulerStats {
  calls: number;
  retries: number;
  rateLimited: number;
}

/** Why a run stopped before its end: the user interrupted it, the budget would be passed, or the store refused a write. */
export class RunStopped extends Error {
  constructor(
    readonly reason: 'interrupted' | 'budget' | 'storage',
    message: string,
  ) {
    super(message);
    this.name = 'RunStopped';
  }
}

/** True for errors that end the whole run rather than one row: a fatal provider fault or a stop. */
export function stopsRun(error: unknown): error is ProviderError | RunStopped {
  return error instanceof ProviderError || error instanceof RunStopped;
}

type Failure =
  | { retry: true; reason: string; unreachable?: boolean }
  /** A 429: wait `afterMs` (its Retry-After) or back off, without using up a retry. */
  | { retry: true; rateLimited: true; afterMs: number | undefined; reason: string }
  | { retry: false; fatal: boolean; reason: string; status?: number };

/** Attempts at an endpoint that has never answered before its refused connections stop the run. */
const UNREACHABLE_ATTEMPTS = 3;

export class Scheduler {
  readonly stats: SchedulerStats = { calls: 0, retries: 0, rateLimited: 0 };
  private readonly limiter: Limiter;
  /** Calls answered per endpoint in this run: before the first, a 400 or a refused connection means a wrong setup. */
  private readonly succeeded = new Map<string, number>();
  private readonly limits: (provider: string) => EndpointLimits;
  private readonly retry: RetryPolicy;
  private stopped: Error | undefined;
  /** Aborted by a stop: takes the calls waiting for a slot out of the line. */
  private readonly run = new AbortController();
  /** The calls in flight, aborted when the run stops so that a cancel does not wait for slow answers. */
  private readonly attempts = new Set<AbortController>();

  constructor(options: { limits?: Record<string, Partial<EndpointLimits>>; retry?: Partial<RetryPolicy>; limiter?: Limiter } = {}) {
    this.limits = (provider) => ({ ...DEFAULT_LIMITS, ...(options.limits?.[provider] ?? {}) });
    this.retry = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
    this.limiter = options.limiter ?? new LocalLimiter();
    // Every call waiting for a slot listens for the stop: as many listeners as rows in flight.
    setMaxListeners(0, this.run.signal);
  }

  /** Refuses every call from now on with `reason` (a fatal fault, a cancel, a budget). */
  stop(reason: Error): void {
    this.stopped ??= reason;
    this.run.abort(this.stopped);
    for (const attempt of this.attempts) attempt.abort(this.stopped);
  }

  /**
   * Runs `attempt` under the target's limits, retrying transient failures; `tokens` estimates its
   * size for tpm (a function is only asked when the endpoint has a tpm limit).
   */
  async call<T>(target: Target, attempt: (signal: AbortSignal) => Promise<T>, tokens: number | (() => number) = 0): Promise<T> {
    const gate = this.limiter.gate(target.endpoint, this.limits(target.provider));
    const size = !gate.countsTokens ? 0 : typeof tokens === 'function' ? tokens() : tokens;
    let failures = 0;
    let limited = 0;
    let limitedSince = 0;
    for (let tryNumber = 0; ; tryNumber++) {
      if (this.stopped) throw this.stopped;
      const slot = await this.admit(gate.acquire(size, this.run.signal));
      let failure: Failure;
      let retryAt: number | undefined;
      // The call's own signal: aborted by its timeout or by a stop. (Cheaper than joining
      // AbortSignal.timeout with the run's signal through AbortSignal.any, and the timer goes with the call.)
      const controller = new AbortController();
      const timer = setTimeout(timeOut, this.retry.timeoutMs, controller);
      timer.unref?.();
      this.attempts.add(controller);
      try {
        if (this.stopped) throw this.stopped;
        this.stats.calls++;
        const result = await attempt(controller.signal);
        this.succeeded.set(target.endpoint, this.answered(target) + 1);
        await gate.release(slot, 'ok');
        return result;
      } catch (error) {
        if (this.stopped) {
          // Stopped while in flight: the call's outcome no longer matters; the row is left unscored.
          await gate.release(slot, 'failed');
          throw this.stopped;
        }
        failure = classify(error, this.answered(target));
        if ('rateLimited' in failure && failure.afterMs !== undefined) retryAt = Date.now() + failure.afterMs;
        await gate.release(slot, 'rateLimited' in failure ? 'limited' : 'failed', retryAt);
        if (!failure.retry) {
          if (failure.fatal)
            this.giveUp(
              new ProviderError(`${target.uri}: ${failure.reason}`, {
                status: failure.status,
                hint: hintFor(failure.status, target),
                cause: error,
              }),
            );
          throw new Error(failure.reason, { cause: error });
        }
      } finally {
        clearTimeout(timer);
        this.attempts.delete(controller);
      }
      if ('rateLimited' in failure) {
        this.stats.rateLimited++;
        limitedSince ||= Date.now();
        const wait = failure.afterMs ?? this.backoff(limited++);
        if (Date.now() + wait - limitedSince > this.retry.rateLimitWaitMs)
          this.giveUp(rateLimitedTooLong(target, failure.reason, this.retry.rateLimitWaitMs));
        this.stats.retries++;
        await sleep(wait);
        continue;
      }
      if ('unreachable' in failure && failure.unreachable && this.answered(target) === 0 && tryNumber + 1 >= UNREACHABLE_ATTEMPTS) {
        // Nothing has ever answered at this address: a wrong base URL or a server that is down.
        const base = target.endpoint.split('|')[1];
        this.giveUp(
          new ProviderError(`${target.uri}: cannot reach ${base}: ${failure.reason}`, {
            hint: `check the base URL (OPENAI_BASE_URL, or the endpoint's base_url) and that the server is running`,
          }),
        );
      }
      if (failures >= this.retry.maxRetries) throw new Error(`${failure.reason} (gave up after ${tryNumber + 1} attempts)`);
      this.stats.retries++;
      await sleep(this.backoff(failures++));
    }
  }

  /** Waits for the limiter's admission; a stop ends the wait with its reason, and a limiter that fails (Redis gone) stops the run. */
  private async admit(acquiring: Promise<Slot>): Promise<Slot> {
    try {
      return await acquiring;
    } catch (error) {
      if (this.stopped) throw this.stopped;
      if (error instanceof ProviderError) this.giveUp(error);
      throw error;
    }
  }

  private answered(target: Target): number {
    return this.succeeded.get(target.endpoint) ?? 0;
  }

  /** Stops the run with a provider failure that no retry can mend, and throws it. */
  private giveUp(fatal: ProviderError): never {
    this.stop(fatal);
    throw fatal;
  }

  /** Exponential backoff with jitter: the `n`th wait (from 0) is up to baseDelayMs·2ⁿ, capped. */
  private backoff(n: number): number {
    return Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** n) * (0.5 + Math.random() / 2);
  }
}

function classify(error: unknown, succeededBefore: number): Failure {
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const reason = `HTTP ${status ?? '?'}: ${firstLine(error.message)}`;
    if (status === 429) return { retry: true, rateLimited: true, afterMs: retryAfterMs(error.responseHeaders), reason };
    if (status === 401 || status === 403 || status === 404) return { retry: false, fatal: true, reason, status };
    if (status === 400 || status === 422) {
      // Before any success a 400 means the request itself (model, parameters) is wrong for every row.
      return { retry: false, fatal: succeededBefore === 0, reason, status };
    }
    if (status === undefined) return connectionFailure(error);
    if (status === 408 || status === 409 || status >= 500) return { retry: true, reason };
    return { retry: false, fatal: false, reason, status };
  }
  const err = error as Error;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { retry: true, reason: 'the call timed out' };
  // fetch failures (connection refused or reset, socket hang up) surface as TypeError with a cause.
  if (err instanceof TypeError || /ECONNRESET|ECONNREFUSED|socket|network|fetch failed|terminated/i.test(String(err?.message)))
    return connectionFailure(err);
  return { retry: false, fatal: false, reason: firstLine(String(err?.message ?? error)) };
}

/** A call that never got an HTTP answer: retried; `unreachable` when nothing listens at the address. */
function connectionFailure(error: Error): Failure {
  // The cause chain repeats itself (SDK → fetch → socket); keep each message once.
  const messages: string[] = [];
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    const message = String((e as Error).message ?? e);
    if (!messages.some((m) => m.includes(message))) messages.push(message);
    const code = (e as { code?: string }).code;
    if (code) codes.push(code);
  }
  return {
    retry: true,
    unreachable: /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|bad port/.test(`${messages.join(' ')} ${codes.join(' ')}`),
    reason: `connection failed: ${firstLine(messages.join(': '))}`,
  };
}

/** Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms)) return Math.max(0, ms);
  const after = headers['retry-after'];
  if (after === undefined) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** The run's stop when one call met nothing but 429s for longer than the policy allows. */
function rateLimitedTooLong(target: Target, reason: string, waitMs: number): ProviderError {
  return new ProviderError(`${target.uri}: still rate-limited after ${formatWait(waitMs)} of retrying one call (${reason})`, {
    status: 429,
    hint: `the provider accepts fewer calls than this run makes: lower max_concurrency (or set rpm / tpm) under providers.${target.provider}, or raise the provider's quota, then resume the run`,
  });
}

function formatWait(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : `${+(ms / 1000).toFixed(1)} s`;
}

function hintFor(status: number | undefined, target: Target): string {
  if (status === 401 || status === 403)
    return target.keyEnv ? `check ${target.keyEnv}: the provider rejected the key` : "check the endpoint's key (api_key_env)";
  if (status === 404) return `check the model name in ${target.uri} and the base URL`;
  return 'check the model URI and its parameters (the provider rejected the request as a whole)';
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}

/** Aborts a call that ran past its timeout, with the reason AbortSignal.timeout gives. */
function timeOut(controller: AbortController): void {
  controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
