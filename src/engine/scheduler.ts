/**
 * Calls to providers, per endpoint (base URL + key): a concurrency cap that adapts to 429s
 * (cut by a quarter on 429s, at most once a second; raised back one step per window of successes), optional requests-per-minute
 * pacing, a per-call timeout, and bounded retries with exponential backoff and jitter that honour
 * `Retry-After`. Configuration faults (401/403/404, or a 400 before anything succeeded) are not
 * retried: they stop the run with a ProviderError instead of failing every row.
 */
import { APICallError } from '@ai-sdk/provider';
import { ProviderError } from '../errors.js';

/** Limits of one provider endpoint (`providers: { <name>: { max_concurrency, rpm } }`). */
export interface EndpointLimits {
  maxConcurrency: number;
  /** Requests per minute; unlimited when absent. */
  rpm?: number;
  /** Tokens per minute (estimated from the request's size); unlimited when absent. */
  tpm?: number;
}

/** How failed calls are retried. */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_LIMITS: EndpointLimits = { maxConcurrency: 16 };
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 8, baseDelayMs: 500, maxDelayMs: 60_000, timeoutMs: 120_000 };

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

/** Why a run stopped before its end: the user interrupted it, or the budget would be passed. */
export class RunStopped extends Error {
  constructor(
    readonly reason: 'interrupted' | 'budget',
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

type Failure = { retry: true; afterMs?: number; reason: string; unreachable?: boolean } | { retry: false; fatal: boolean; reason: string; status?: number };

/** Attempts at an endpoint that has never answered before its refused connections stop the run. */
const UNREACHABLE_ATTEMPTS = 3;

export class Scheduler {
  readonly stats: SchedulerStats = { calls: 0, retries: 0, rateLimited: 0 };
  private readonly gates = new Map<string, Gate>();
  private readonly limits: (provider: string) => EndpointLimits;
  private readonly retry: RetryPolicy;
  private stopped: Error | undefined;
  /** The calls in flight, aborted when the run stops so that a cancel does not wait for slow answers. */
  private readonly attempts = new Set<AbortController>();

  constructor(options: { limits?: Record<string, Partial<EndpointLimits>>; retry?: Partial<RetryPolicy> } = {}) {
    this.limits = (provider) => ({ ...DEFAULT_LIMITS, ...(options.limits?.[provider] ?? {}) });
    this.retry = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
  }

  /** Refuses every call from now on with `reason` (a fatal fault, a cancel, a budget). */
  stop(reason: Error): void {
    this.stopped ??= reason;
    for (const gate of this.gates.values()) gate.rejectWaiting(this.stopped);
    for (const attempt of this.attempts) attempt.abort(this.stopped);
  }

  /**
   * Runs `attempt` under the target's limits, retrying transient failures; `tokens` estimates its
   * size for tpm (a function is only asked when the endpoint has a tpm limit).
   */
  async call<T>(target: Target, attempt: (signal: AbortSignal) => Promise<T>, tokens: number | (() => number) = 0): Promise<T> {
    const gate = this.gate(target);
    const size = !gate.countsTokens ? 0 : typeof tokens === 'function' ? tokens() : tokens;
    for (let tryNumber = 0; ; tryNumber++) {
      if (this.stopped) throw this.stopped;
      await gate.acquire(size);
      let failure: Failure;
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
        gate.release('ok');
        return result;
      } catch (error) {
        if (this.stopped) {
          // Stopped while in flight: the call's outcome no longer matters; the row is left unscored.
          gate.release('ok');
          throw this.stopped;
        }
        failure = classify(error, gate.succeeded);
        gate.release(failure.retry && failure.afterMs !== undefined ? 'limited' : 'failed');
        if (!failure.retry) {
          if (failure.fatal) {
            const fatal = new ProviderError(`${target.uri}: ${failure.reason}`, { status: failure.status, hint: hintFor(failure.status, target), cause: error });
            this.stop(fatal);
            throw fatal;
          }
          throw new Error(failure.reason, { cause: error });
        }
      } finally {
        clearTimeout(timer);
        this.attempts.delete(controller);
      }
      if (failure.unreachable && gate.succeeded === 0 && tryNumber + 1 >= UNREACHABLE_ATTEMPTS) {
        // Nothing has ever answered at this address: a wrong base URL or a server that is down.
        const base = target.endpoint.split('|')[1];
        const fatal = new ProviderError(`${target.uri}: cannot reach ${base}: ${failure.reason}`, {
          hint: `check the base URL (OPENAI_BASE_URL, or the endpoint's base_url) and that the server is running`,
        });
        this.stop(fatal);
        throw fatal;
      }
      if (failure.afterMs !== undefined) this.stats.rateLimited++;
      if (tryNumber >= this.retry.maxRetries) throw new Error(`${failure.reason} (gave up after ${tryNumber + 1} attempts)`);
      this.stats.retries++;
      const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** tryNumber) * (0.5 + Math.random() / 2);
      await sleep(Math.max(failure.afterMs ?? 0, failure.afterMs !== undefined ? 0 : backoff));
    }
  }

  private gate(target: Target): Gate {
    let gate = this.gates.get(target.endpoint);
    if (!gate) {
      gate = new Gate(this.limits(target.provider));
      this.gates.set(target.endpoint, gate);
    }
    return gate;
  }
}

/** One endpoint's concurrency slots and request pacing. */
class Gate {
  private limit: number;
  private inFlight = 0;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private okStreak = 0;
  private lastCut = 0;
  private nextStart = 0;
  /** Token budget left; may go negative, which is the wait owed before the next start. */
  private tokens: number;
  private tokensAt = Date.now();
  succeeded = 0;

  constructor(private readonly config: EndpointLimits) {
    this.limit = config.maxConcurrency;
    this.tokens = config.tpm ?? 0;
  }

  /** Whether calls' sizes matter here (a tokens-per-minute limit). */
  get countsTokens(): boolean {
    return Boolean(this.config.tpm);
  }

  async acquire(tokens: number): Promise<void> {
    if (this.inFlight < this.limit && this.waiting.length === 0) this.inFlight++;
    else await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
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
  }

  release(outcome: 'ok' | 'limited' | 'failed'): void {
    this.inFlight--;
    if (outcome === 'ok') {
      this.succeeded++;
      // Additive increase: one more slot after a window of successes at the current level.
      if (this.limit < this.config.maxConcurrency && ++this.okStreak >= this.limit) {
        this.limit++;
        this.okStreak = 0;
      }
    } else if (outcome === 'limited') {
      // Multiplicative decrease on a 429: the provider told us we are too many. A burst of 429s
      // answers one excess, so the limit is cut once per second, not once per 429.
      const now = Date.now();
      if (now - this.lastCut >= 1000) {
        this.limit = Math.max(1, Math.floor(this.limit * 0.75));
        this.lastCut = now;
      }
      this.okStreak = 0;
    }
    while (this.inFlight < this.limit && this.waiting.length > 0) {
      this.inFlight++;
      this.waiting.shift()!.resolve();
    }
  }

  rejectWaiting(reason: Error): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(reason);
  }
}

function classify(error: unknown, succeededBefore: number): Failure {
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const reason = `HTTP ${status ?? '?'}: ${firstLine(error.message)}`;
    if (status === 429) return { retry: true, afterMs: retryAfterMs(error.responseHeaders) ?? 1000, reason };
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
  if (err instanceof TypeError || /ECONNRESET|ECONNREFUSED|socket|network|fetch failed|terminated/i.test(String(err?.message))) return connectionFailure(err);
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

function hintFor(status: number | undefined, target: Target): string {
  if (status === 401 || status === 403) return target.keyEnv ? `check ${target.keyEnv}: the provider rejected the key` : 'check the endpoint\'s key (api_key_env)';
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
