/**
 * Provider limits shared by every process that uses the same Redis (`JUROR_REDIS_URL`): three
 * workers against a provider capped at 32 in flight never have more than 32 calls out together, and
 * a 429 one of them meets slows them all.
 *
 * - Concurrency slots are leases in a sorted set (redis-semaphore's `Semaphore`: rate-limiter-flexible
 *   counts per window and has no semaphore, BullMQ's limiter paces jobs of a queue, not calls). A
 *   lease is refreshed while its call runs and expires `leaseMs` after a worker dies, so a killed
 *   process's slots come back.
 * - The adaptive limit (limiter.ts's AIMD), the current congestion event and a 429's Retry-After
 *   ("rate limited until T") are plain keys every process reads before it starts a call (a read is
 *   trusted for STATE_MS, so that a process saves a round trip per call under load). Their
 *   updates are not atomic across processes (last writer wins): two near-simultaneous cuts or
 *   increases land within a slot of each other, which the next 429 or window of successes corrects.
 * - rpm and tpm are rate-limiter-flexible's `RateLimiterRedis` fixed windows: rpm in the shortest
 *   whole-second window that holds a whole number of requests (600 rpm → 10 a second, as providers
 *   enforce a minute's quota in shorter slices), tpm in one minute; `msBeforeNext` is the wait.
 *
 * Keys are `<prefix>:<sha256 of the endpoint, 16 hex>:…`: the endpoint names a key variable, never a
 * key, but is hashed all the same. If Redis goes away the client queues commands and reconnects; a
 * call waits for it at most `unavailableAfterMs`, then the run stops (resumably) rather than calling
 * the provider without limits. Leases held meanwhile are refreshed once Redis is back, or expire.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Semaphore } from 'redis-semaphore';
import { ConfigError, ProviderError } from '../errors.js';
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

/** Settings of a {@link RedisLimiter}; the defaults suit production, tests shorten them. */
export interface RedisLimiterOptions {
  /** Prefix of every key (default `juror:limit`). */
  prefix?: string;
  /** How long a slot outlives its holder's last refresh: a killed worker's slots return after it (default 15 s). */
  leaseMs?: number;
  /** How long a call waits for an unreachable Redis before the run stops (default 60 s). */
  unavailableAfterMs?: number;
}

/** A cut limit left alone this long goes back to max_concurrency (a run tomorrow starts afresh). */
const LIMIT_TTL_MS = 10 * 60_000;
/** How often the call at the head of a process's line asks again for a slot freed elsewhere (plus up to as much jitter). */
const POLL_MS = 5;
/**
 * Lines of waiting calls per process, each with one call asking Redis at a time. A slot costs two
 * round trips to Redis, so one line caps a process at 1 / (2 × round trip) calls a second — 180 calls/s
 * on a loaded machine, where 64 calls of 100 ms need 640: a few lines lift that cap and still keep a
 * thousand waiting calls from polling a thousand times.
 */
const LINES = 8;
/** How long a process trusts the limit and back-off it last read: a Retry-After of a second is seen 2% late at most. */
const STATE_MS = 20;
/** How long `juror eval` waits for Redis at start before calling JUROR_REDIS_URL wrong. */
const CONNECT_WAIT_MS = 5_000;

/** A slot held in Redis: the lease to hand back. */
interface RedisSlot extends Slot {
  readonly lease: Semaphore;
}

/** Limits kept in Redis, shared by every process that uses the same server and prefix. */
export class RedisLimiter implements Limiter {
  private readonly gates = new Map<string, RedisGate>();
  /** Leases held now, whose refresh timers stop on close. */
  readonly leases = new Set<Semaphore>();
  private readonly prefix: string;
  readonly leaseMs: number;
  private readonly unavailableAfterMs: number;
  private lastError = '';

  /** Uses `redis` (created with `maxRetriesPerRequest: null`, so that commands wait out a reconnect). */
  constructor(
    readonly redis: Redis,
    options: RedisLimiterOptions = {},
  ) {
    this.prefix = options.prefix ?? 'juror:limit';
    this.leaseMs = options.leaseMs ?? 15_000;
    this.unavailableAfterMs = options.unavailableAfterMs ?? 60_000;
    // ioredis reports each failed reconnect as an 'error' event; keep the last for the message.
    redis.on('error', (error: Error) => {
      this.lastError = error.message;
    });
  }

  /**
   * Connects to `url` (`redis://[:password@]host:port[/db]`) and checks that Redis answers.
   * @example const limiter = await RedisLimiter.connect(process.env.JUROR_REDIS_URL!);
   */
  static async connect(url: string, options: RedisLimiterOptions = {}): Promise<RedisLimiter> {
    const limiter = new RedisLimiter(new Redis(url, { maxRetriesPerRequest: null }), options);
    const answered = new AbortController();
    try {
      // A refused connection is an 'error' event at once; a silent host is the wait's end.
      const refused = once(limiter.redis, 'error', { signal: answered.signal }).then(([error]) => Promise.reject(error as Error));
      await limiter.bounded(Promise.race([limiter.redis.ping(), refused]), CONNECT_WAIT_MS);
    } catch (error) {
      limiter.redis.disconnect();
      throw new ConfigError(
        `cannot reach Redis at ${limiter.where()} for shared provider limits${limiter.lastError ? ` (${limiter.lastError})` : ''}`,
        {
          where: { field: 'JUROR_REDIS_URL' },
          hint: 'start Redis there or correct JUROR_REDIS_URL; unset it to keep provider limits in this process',
          cause: error,
        },
      );
    } finally {
      answered.abort();
    }
    return limiter;
  }

  /** The gate of `endpoint`; `limits` are read on first use only. */
  gate(endpoint: string, limits: EndpointLimits): EndpointGate {
    let gate = this.gates.get(endpoint);
    if (!gate) {
      gate = new RedisGate(this, `${this.prefix}:${createHash('sha256').update(endpoint).digest('hex').slice(0, 16)}`, limits);
      this.gates.set(endpoint, gate);
    }
    return gate;
  }

  /** Stops refreshing the leases still held (they expire) and closes the connection. */
  async close(): Promise<void> {
    for (const lease of this.leases) lease.stopRefresh();
    // QUIT would wait in the offline queue of a connection that is down.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  /**
   * `work`, or a run-stopping error once Redis has not answered for `waitMs`; `undo` cleans up
   * after work that completes too late (a lease acquired after its caller gave up).
   */
  bounded<T>(work: Promise<T>, waitMs = this.unavailableAfterMs, undo?: (late: T) => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (undo) work.then(undo, () => undefined);
        reject(this.unavailable(waitMs));
      }, waitMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private unavailable(waitMs: number): ProviderError {
    return new ProviderError(
      `shared provider limits: Redis at ${this.where()} did not answer for ${waitMs / 1000} s${this.lastError ? ` (${this.lastError})` : ''}`,
      {
        hint: 'no call is made without its limits: start Redis at JUROR_REDIS_URL (or unset it to keep limits in this process), then resume the run',
      },
    );
  }

  /** Host and port only: a URL may carry a password. */
  private where(): string {
    return `${this.redis.options.host ?? '?'}:${this.redis.options.port ?? '?'}`;
  }
}

/** One endpoint's limits in Redis, under `base`. */
class RedisGate implements EndpointGate {
  private readonly keys: { holders: string; limit: string; until: string; ok: string; cut: string };
  private readonly rpm: RateLimiterRedis | undefined;
  private readonly tpm: RateLimiterRedis | undefined;
  /** This process's smoothed round trip: the span within which 429s count as one event. */
  private roundTripMs = 0;
  /** The calls of this process waiting for a lease, in LINES lines taken in turn; see {@link lease}. */
  private readonly lines: Array<Promise<unknown>> = Array.from({ length: LINES }, () => Promise.resolve());
  private nextLine = 0;
  /** Wake the heads of lines waiting for a slot, early, when this process frees one. */
  private readonly wakers = new Set<() => void>();
  /** The limit and back-off last read, and when (see STATE_MS). */
  private state: { at: number; limit: string | null; until: string | null } | undefined;

  constructor(
    private readonly shared: RedisLimiter,
    base: string,
    private readonly config: EndpointLimits,
  ) {
    this.keys = { holders: `${base}:holders`, limit: `${base}:limit`, until: `${base}:until`, ok: `${base}:ok`, cut: `${base}:cut` };
    this.rpm = config.rpm
      ? new RateLimiterRedis({ storeClient: shared.redis, keyPrefix: base, ...rpmWindow(config.rpm), execEvenly: true })
      : undefined;
    this.tpm = config.tpm
      ? new RateLimiterRedis({ storeClient: shared.redis, keyPrefix: base, points: Math.max(1, Math.floor(config.tpm)), duration: 60 })
      : undefined;
  }

  get countsTokens(): boolean {
    return Boolean(this.config.tpm);
  }

  async acquire(tokens: number, signal: AbortSignal): Promise<Slot> {
    const slot = await this.lease(signal);
    try {
      if (this.rpm) await this.admit(this.rpm, 'rpm', 1, signal);
      // A call larger than a minute's budget takes a whole minute rather than never starting.
      if (this.tpm && tokens > 0) await this.admit(this.tpm, 'tpm', Math.min(this.tpm.points, Math.ceil(tokens)), signal);
    } catch (error) {
      await this.handBack(slot);
      throw error;
    }
    return slot;
  }

  /**
   * Waits in one of this process's lines, then for a lease. Only the head of a line asks Redis, so that
   * a thousand calls waiting here do not poll a thousand times; the others wait their turn in memory.
   */
  private lease(signal: AbortSignal): Promise<RedisSlot> {
    const line = this.nextLine++ % LINES;
    const turn = this.lines[line]!.then(() => this.leaseAtHead(signal));
    this.lines[line] = turn.catch(() => undefined);
    // A stop takes the call out of the line at once; when its turn comes, leaseAtHead gives up.
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Waits out a published back-off, then for a lease under the shared limit. */
  private async leaseAtHead(signal: AbortSignal): Promise<RedisSlot> {
    for (;;) {
      signal.throwIfAborted();
      const { limit, until } = await this.sharedState();
      const wait = Number(until ?? 0) - Date.now();
      if (wait > 0) {
        this.state = undefined;
        await sleep(wait, undefined, { signal });
        continue;
      }
      const lease = new Semaphore(this.shared.redis, this.keys.holders, this.limitOf(limit ?? null), {
        lockTimeout: this.shared.leaseMs,
        refreshInterval: Math.round(this.shared.leaseMs / 3),
        // One try: the loop waits, then re-reads the limit and the back-off.
        acquireAttemptsLimit: 1,
        retryInterval: 0,
        // Lost only when Redis was away longer than a lease: the call goes on; the count heals as it ends.
        onLockLost: () => this.shared.leases.delete(lease),
      });
      const undo = (late: boolean) => void (late && lease.release().catch(() => undefined));
      if (await this.shared.bounded(lease.tryAcquire(signal), undefined, undo)) {
        const slot = { startedAt: performance.now(), lease };
        this.shared.leases.add(lease);
        // Stopped while Redis was granting it: nobody will release this slot but us.
        if (signal.aborted) await this.handBack(slot);
        signal.throwIfAborted();
        return slot;
      }
      // A slot this process hands back wakes a head at once; one freed elsewhere is seen at the next poll.
      this.state = undefined;
      let wake!: () => void;
      const freed = new Promise<void>((resolve) => this.wakers.add((wake = resolve)));
      await Promise.race([sleep(POLL_MS + Math.random() * POLL_MS, undefined, { signal }), freed]).finally(() => this.wakers.delete(wake));
    }
  }

  /** The shared limit and back-off, as last read when that was less than STATE_MS ago. */
  private async sharedState(): Promise<{ limit: string | null; until: string | null }> {
    if (this.state && performance.now() - this.state.at < STATE_MS) return this.state;
    const [limit = null, until = null] = await this.shared.bounded(this.shared.redis.mget(this.keys.limit, this.keys.until));
    this.state = { at: performance.now(), limit, until };
    return this.state;
  }

  /** Consumes `points` from a window, waiting for the next window while it is spent. */
  private async admit(window: RateLimiterRedis, key: string, points: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.shared.bounded(window.consume(key, points));
        return;
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        await sleep(refused.msBeforeNext, undefined, { signal });
      }
    }
  }

  async release(slot: Slot, outcome: CallOutcome, retryAt?: number): Promise<void> {
    const now = performance.now();
    await this.handBack(slot as RedisSlot);
    try {
      if (outcome === 'ok') await this.grow(now - slot.startedAt);
      else if (outcome === 'limited') await this.cut(retryAt);
    } catch {
      // Redis went away after the call: the limit stays as it was, which is safe either way.
    }
  }

  /** Hands a lease back; one that cannot be (Redis away) expires by itself. */
  private async handBack(slot: RedisSlot): Promise<void> {
    this.shared.leases.delete(slot.lease);
    const released = this.shared.bounded(slot.lease.release()).catch(() => slot.lease.stopRefresh());
    // The release is already sent on the one connection, so a head woken now asks after it: a round trip sooner.
    const [head] = this.wakers;
    this.wakers.delete(head!);
    head?.();
    await released;
  }

  /** Additive increase: one slot more after a window of successes (counted by every process) at the current level. */
  private async grow(durationMs: number): Promise<void> {
    this.roundTripMs = smoothRoundTrip(this.roundTripMs, durationMs);
    const redis = this.shared.redis;
    const limit = this.limitOf(await this.shared.bounded(redis.get(this.keys.limit)));
    if (limit >= this.config.maxConcurrency) return;
    const [[, streak] = []] =
      (await this.shared.bounded(redis.multi().incr(this.keys.ok).pexpire(this.keys.ok, LIMIT_TTL_MS).exec())) ?? [];
    if (Number(streak) < limit) return;
    await this.shared.bounded(
      redis
        .multi()
        .set(this.keys.limit, limit + 1, 'PX', LIMIT_TTL_MS)
        .del(this.keys.ok)
        .exec(),
    );
  }

  /** Multiplicative decrease, and the provider's Retry-After published to every process. */
  private async cut(retryAt: number | undefined): Promise<void> {
    this.state = undefined;
    const redis = this.shared.redis;
    const wait = retryAt === undefined ? 0 : Math.round(retryAt - Date.now());
    if (wait > 0) await this.shared.bounded(redis.set(this.keys.until, retryAt!, 'PX', wait));
    const [limitRaw, inFlight] = await this.shared.bounded(
      Promise.all([redis.get(this.keys.limit), redis.zcount(this.keys.holders, Date.now() - this.shared.leaseMs, '+inf')]),
    );
    const limit = this.limitOf(limitRaw);
    // The first 429 of a round trip (across processes: the key that exists for one) sets the event's floor.
    const floor = congestionFloor(limit);
    const started = await this.shared.bounded(redis.set(this.keys.cut, floor, 'PX', Math.max(1, Math.round(this.roundTripMs)), 'NX'));
    const eventFloor = started ? floor : Number((await this.shared.bounded(redis.get(this.keys.cut))) ?? floor);
    await this.shared.bounded(
      redis
        .multi()
        .set(this.keys.limit, cutLimit(limit, inFlight, eventFloor), 'PX', LIMIT_TTL_MS)
        .del(this.keys.ok)
        .exec(),
    );
  }

  /** The shared limit as stored, within 1..max_concurrency (max_concurrency when none is stored). */
  private limitOf(stored: string | null): number {
    const limit = Number(stored);
    return stored === null || !Number.isFinite(limit)
      ? this.config.maxConcurrency
      : Math.min(this.config.maxConcurrency, Math.max(1, limit));
  }
}

/** The shortest whole-second window holding a whole number of requests at `rpm` (600 → 10 per 1 s, 90 → 3 per 2 s). */
function rpmWindow(rpm: number): { points: number; duration: number } {
  if (!Number.isInteger(rpm)) return { points: Math.max(1, Math.floor(rpm)), duration: 60 };
  const divisor = gcd(rpm, 60);
  return { points: rpm / divisor, duration: 60 / divisor };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
