import { describe, expect, it } from 'vitest';
import { retryAfterMs, RunStopped, Scheduler } from './scheduler.js';

const target = { endpoint: 'test|local|', provider: 'test', uri: 'test:/model' };

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

  it('reads retry-after-ms, retry-after in seconds, and an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250' })).toBe(250);
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    const inFive = new Date(Date.now() + 5000).toUTCString();
    expect(retryAfterMs({ 'retry-after': inFive })).toBeGreaterThan(3000);
    expect(retryAfterMs({})).toBeUndefined();
  });
});
