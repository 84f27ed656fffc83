/**
 * The Redis limiter against the real Redis on 127.0.0.1:6379, each test under its own key prefix:
 * several limiters (as several workers) share slots, the adaptive limit and a 429's back-off; a dead
 * worker's slots come back; a Redis that is gone stops calls rather than letting them run unlimited.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '../errors.js';
import type { EndpointGate, Slot } from './limiter.js';
import { RedisLimiter, type RedisLimiterOptions } from './limiter-redis.js';
import { Scheduler } from './scheduler.js';
import { freePort, startRedis } from '../../test/support/redis-server.js';

const URL = 'redis://127.0.0.1:6379';
const ENDPOINT = 'test|local|';
const target = { endpoint: ENDPOINT, provider: 'test', uri: 'test:/model' };
const admin = new Redis(URL);
let prefix = '';
const opened: RedisLimiter[] = [];

beforeEach(() => {
  prefix = `juror:test:${randomUUID()}`;
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
});
afterAll(() => admin.quit());

/** A limiter of its own connection, as one worker process has. */
async function worker(options: RedisLimiterOptions = {}): Promise<RedisLimiter> {
  const limiter = await RedisLimiter.connect(URL, { prefix, ...options });
  opened.push(limiter);
  return limiter;
}

const never = new AbortController().signal;

/** Whether `promise` has settled by the time a few Redis round trips have passed. */
async function settledSoon(promise: Promise<unknown>, ms = 150): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return settled;
}

describe('RedisLimiter', () => {
  it('keeps the calls of three schedulers together under max_concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const call = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    };
    const schedulers = await Promise.all(
      [1, 2, 3].map(async () => new Scheduler({ limits: { test: { maxConcurrency: 3 } }, limiter: await worker() })),
    );
    await Promise.all(schedulers.flatMap((s) => Array.from({ length: 15 }, () => s.call(target, call))));
    expect(most).toBeLessThanOrEqual(3);
    expect(schedulers.reduce((n, s) => n + s.stats.calls, 0)).toBe(45);
  });

  it('cuts the limit for every worker when one meets a 429', async () => {
    const limits = { maxConcurrency: 8 };
    const [a, b] = [(await worker()).gate(ENDPOINT, limits), (await worker()).gate(ENDPOINT, limits)];
    const held = await Promise.all([1, 2, 3, 4].map(() => a.acquire(0, never)));
    // Refused with 3 others in flight: the provider takes at most 3, floored at 70% of 8 = 5 this round trip.
    await a.release(held.pop()!, 'limited');
    const more = [b.acquire(0, never), b.acquire(0, never)];
    await Promise.all(more);
    const beyond = b.acquire(0, never);
    expect(await settledSoon(beyond)).toBe(false);
    await a.release(held.pop()!, 'ok');
    await beyond;
  });

  it("holds every worker's next call until the Retry-After one of them was given", async () => {
    const [a, b] = [(await worker()).gate(ENDPOINT, { maxConcurrency: 8 }), (await worker()).gate(ENDPOINT, { maxConcurrency: 8 })];
    const slot = await a.acquire(0, never);
    const retryAt = Date.now() + 300;
    await a.release(slot, 'limited', retryAt);
    await b.acquire(0, never);
    expect(Date.now()).toBeGreaterThanOrEqual(retryAt);
  });

  it("gives a killed worker's slots to others once its leases expire, and not while it lives", async () => {
    const leaseMs = 600;
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'support', 'hold-redis-slots.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, URL, prefix, String(leaseMs), '2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      expect(line.toString()).toBe('held\n');
      const gate = (await worker({ leaseMs })).gate(ENDPOINT, { maxConcurrency: 2 });
      const waiting = gate.acquire(0, never);
      // Alive, the worker refreshes its leases: two lease periods later the slots are still its own.
      expect(await settledSoon(waiting, 2 * leaseMs)).toBe(false);
      child.kill('SIGKILL');
      await once(child, 'exit');
      await waiting;
      await gate.acquire(0, never);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('names endpoints in keys by a hash, never by their address or key variable', async () => {
    const endpoint = 'openai|http://10.1.2.3:8000/v1|SECRET_KEY_VAR';
    const gate = (await worker()).gate(endpoint, { maxConcurrency: 2, rpm: 60, tpm: 1000 });
    await gate.release(await gate.acquire(100, never), 'limited', Date.now() + 1000);
    const keys = await admin.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:[0-9a-f]{16}:\\w+$`));
    expect(keys.join(' ')).not.toMatch(/10\.1\.2\.3|SECRET/);
  });

  it('lets a stop take a call out of the line for a slot at once, without it ever holding one', async () => {
    const gate = (await worker()).gate(ENDPOINT, { maxConcurrency: 1 });
    const held = await gate.acquire(0, never);
    const first = gate.acquire(0, never);
    const stop = new AbortController();
    const stopped = gate.acquire(0, stop.signal);
    stop.abort(new Error('stopped by test'));
    // Behind a call still waiting for the one slot, yet out of the line straight away.
    await expect(stopped).rejects.toThrow('stopped by test');
    await gate.release(held, 'ok');
    const next = await first;
    const after = gate.acquire(0, never);
    expect(await settledSoon(after)).toBe(false);
    await gate.release(next, 'ok');
    await after;
  });
});

describe('RedisLimiter without Redis', () => {
  it('refuses to start with a JUROR_REDIS_URL where nothing answers, naming the variable', async () => {
    const error = await RedisLimiter.connect('redis://127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).describe()).toMatch(/JUROR_REDIS_URL.*cannot reach Redis at 127\.0\.0\.1:1/s);
  });

  it('stops the run, without calling the provider, once Redis has been away longer than allowed', async () => {
    const gone = new RedisLimiter(new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, lazyConnect: true }), {
      prefix,
      unavailableAfterMs: 200,
    });
    opened.push(gone);
    const scheduler = new Scheduler({ limiter: gone });
    let called = 0;
    const error = await scheduler.call(target, async () => called++).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).describe()).toMatch(/Redis at 127\.0\.0\.1:1 did not answer for 0\.2 s[\s\S]*fix: .*resume the run/);
    expect(called).toBe(0);
    await expect(scheduler.call(target, async () => called++)).rejects.toBe(error);
  });

  it('holds calls while Redis restarts, then finishes every one within the limit', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    try {
      const limiter = await RedisLimiter.connect(`redis://127.0.0.1:${port}`, { prefix, unavailableAfterMs: 20_000 });
      opened.push(limiter);
      const scheduler = new Scheduler({ limits: { test: { maxConcurrency: 2 } }, limiter });
      let inFlight = 0;
      let most = 0;
      let done = 0;
      const calls = Array.from({ length: 12 }, () =>
        scheduler.call(target, async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 20));
          inFlight--;
          done++;
        }),
      );
      while (done < 2) await new Promise((r) => setTimeout(r, 5));
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      const doneWhileAway = done;
      await new Promise((r) => setTimeout(r, 500));
      // Nothing started while Redis was away: only the calls already in flight finished.
      expect(done).toBeLessThanOrEqual(doneWhileAway + 2);
      redis = await startRedis(port);
      await Promise.all(calls);
      expect(done).toBe(12);
      expect(most).toBeLessThanOrEqual(2);
    } finally {
      redis.kill('SIGKILL');
    }
  });

  it("keeps a call's answer when Redis goes away after it started: the slot expires by itself", async () => {
    const limiter = await worker({ unavailableAfterMs: 200 });
    const gate: EndpointGate = limiter.gate(ENDPOINT, { maxConcurrency: 2 });
    const slot: Slot = await gate.acquire(0, never);
    limiter.redis.disconnect();
    await expect(gate.release(slot, 'ok')).resolves.toBeUndefined();
  });
});
