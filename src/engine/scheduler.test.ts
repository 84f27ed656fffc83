import { APICallError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors.js';
import { retryAfterMs, RunStopped, Scheduler } from './scheduler.js';

const target = { endpoint: 'test|local|', provider: 'test', uri: 'test:/model' };

/** The error the AI SDK raises for an HTTP 429, with the headers given. */
function tooMany(headers: Record<string, string> = {}): APICallError {
  return new APICallError({
    message: 'Too many requests',
    url: 'http://local/v1/chat/completions',
    requestBodyValues: {},
    statusCode: 429,
    responseHeaders: headers,
  });
}

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('Scheduler', () => {
  it('caps calls in flight per endpoint', async () => {
    const scheduler = new Scheduler({ limits: { test: { maxConcurrency: 3 } } });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        scheduler.call(target, async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 10));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('waits for the token bucket to refill once a tokens-per-minute budget is spent', async () => {
    // 6000 tokens a minute = 100 a second: after 6000 at once, 50 more wait half a second.
    const scheduler = new Scheduler({ limits: { test: { tpm: 6000 } } });
    await scheduler.call(target, async () => undefined, 6000);
    const started = Date.now();
    await scheduler.call(target, async () => undefined, 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('refuses every call after stop, with the reason given', async () => {
    const scheduler = new Scheduler();
    scheduler.stop(new RunStopped('interrupted', 'stopped by test'));
    await expect(scheduler.call(target, async () => 1)).rejects.toThrow('stopped by test');
  });

  it('gives up on a failure that is not transient, without retrying', async () => {
    const scheduler = new Scheduler();
    let attempts = 0;
    await expect(
      scheduler.call(target, async () => {
        attempts++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(attempts).toBe(1);
  });

  it('aborts a call that runs past its timeout with a TimeoutError, and retries it', async () => {
    const scheduler = new Scheduler({ retry: { timeoutMs: 50, maxRetries: 1, baseDelayMs: 1 } });
    const reasons: unknown[] = [];
    const hang = (signal: AbortSignal) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason);
          reject(signal.reason);
        }),
      );
    await expect(scheduler.call(target, hang)).rejects.toThrow('the call timed out (gave up after 2 attempts)');
    expect(reasons.map((r) => (r as Error).name)).toEqual(['TimeoutError', 'TimeoutError']);
    expect(scheduler.stats.retries).toBe(1);
  });

  it('aborts the calls in flight when stopped, with the reason given', async () => {
    const scheduler = new Scheduler();
    const reason = new RunStopped('interrupted', 'stopped by test');
    let signal: AbortSignal | undefined;
    const call = scheduler.call(target, (s) => {
      signal = s;
      return new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason)));
    });
    await new Promise((r) => setTimeout(r, 10));
    scheduler.stop(reason);
    await expect(call).rejects.toBe(reason);
    expect(signal?.reason).toBe(reason);
  });

  it('takes a call waiting for a slot out of the line when stopped, without ever starting it', async () => {
    const scheduler = new Scheduler({ limits: { test: { maxConcurrency: 1 } } });
    const reason = new RunStopped('interrupted', 'stopped by test');
    const holding = scheduler.call(target, (s) => new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason))));
    let started = false;
    const waiting = scheduler.call(target, async () => {
      started = true;
    });
    await tick();
    scheduler.stop(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(holding).rejects.toBe(reason);
    expect(started).toBe(false);
  });

  it("asks for a call's size only where a tokens-per-minute limit needs it", async () => {
    let asked = 0;
    const size = () => ++asked * 10;
    await new Scheduler().call(target, async () => undefined, size);
    expect(asked).toBe(0);
    await new Scheduler({ limits: { test: { tpm: 6000 } } }).call(target, async () => undefined, size);
    expect(asked).toBe(1);
  });

  it('retries 429s without using up the retries meant for broken requests', async () => {
    const scheduler = new Scheduler({ retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 4 } });
    let attempts = 0;
    const answer = await scheduler.call(target, async () => {
      if (++attempts <= 5) throw tooMany(attempts % 2 ? {} : { 'retry-after-ms': '3' });
      return 'scored';
    });
    expect(answer).toBe('scored');
    expect(scheduler.stats.rateLimited).toBe(5);
  });

  it('cuts concurrency to what the provider accepted on a 429, and probes only one above it', async () => {
    // A provider that takes 4 calls at a time and refuses any more at once.
    const scheduler = new Scheduler({ limits: { test: { maxConcurrency: 32 } }, retry: { baseDelayMs: 1, maxDelayMs: 4 } });
    let attempted = 0;
    let accepted = 0;
    let refused = 0;
    let succeeded = 0;
    let mostAfterFirstSuccess = 0;
    const provider = async () => {
      attempted++;
      if (succeeded > 0) mostAfterFirstSuccess = Math.max(mostAfterFirstSuccess, attempted);
      try {
        if (accepted === 4) {
          refused++;
          throw tooMany();
        }
        accepted++;
        await tick();
        accepted--;
        succeeded++;
      } finally {
        attempted--;
      }
    };
    await Promise.all(Array.from({ length: 100 }, () => scheduler.call(target, provider)));
    expect(succeeded).toBe(100);
    expect(mostAfterFirstSuccess).toBeLessThanOrEqual(5);
    // The first burst refuses 28; after it, at most one probe per window of successes.
    expect(refused).toBeGreaterThanOrEqual(28);
    expect(refused).toBeLessThan(28 + 100 / 4);
  });

  it('stops every call with a provider error once one call stays rate-limited past rateLimitWaitMs', async () => {
    const scheduler = new Scheduler({ retry: { rateLimitWaitMs: 100 } });
    const refuse = async () => {
      throw tooMany({ 'retry-after-ms': '10' });
    };
    const error = await scheduler.call(target, refuse).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).describe()).toMatch(
      /^test:\/model: still rate-limited after 0\.1 s of retrying one call \(HTTP 429: Too many requests\)\n {2}fix: .*providers\.test/,
    );
    await expect(scheduler.call(target, async () => 1)).rejects.toBe(error);
  });

  it('reads retry-after-ms, retry-after in seconds, and an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250' })).toBe(250);
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    const inFive = new Date(Date.now() + 5000).toUTCString();
    expect(retryAfterMs({ 'retry-after': inFive })).toBeGreaterThan(3000);
    expect(retryAfterMs({})).toBeUndefined();
  });
});
