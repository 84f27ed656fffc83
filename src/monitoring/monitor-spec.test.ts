import { describe, expect, it } from 'vitest';
import { matchesFilter, sampled, windowStart } from './monitor-spec.js';

describe('sampled', () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `interaction-${i}`);

  it('keeps the same ids every time at a given rate', () => {
    const first = ids.filter((id) => sampled(id, 0.5));
    const second = ids.filter((id) => sampled(id, 0.5));
    expect(second).toEqual(first);
  });

  it('keeps about half of 1,000 ids at 0.5', () => {
    const kept = ids.filter((id) => sampled(id, 0.5)).length;
    expect(kept).toBeGreaterThan(450);
    expect(kept).toBeLessThan(550);
  });

  it('keeps none at 0 and every id at 1, and a lower rate keeps a subset of a higher one', () => {
    expect(ids.some((id) => sampled(id, 0))).toBe(false);
    expect(ids.every((id) => sampled(id, 1))).toBe(true);
    const low = ids.filter((id) => sampled(id, 0.2));
    expect(low.every((id) => sampled(id, 0.6))).toBe(true);
  });
});

describe('matchesFilter', () => {
  it('needs every key with its value, compared as text', () => {
    expect(matchesFilter({ tier: 'gold', n: 3 }, { tier: 'gold', n: '3' })).toBe(true);
    expect(matchesFilter({ tier: 'silver' }, { tier: 'gold' })).toBe(false);
    expect(matchesFilter(null, { tier: 'gold' })).toBe(false);
    expect(matchesFilter(null, undefined)).toBe(true);
  });
});

describe('windowStart', () => {
  it('places a timestamp in its UTC-aligned window', () => {
    expect(new Date(windowStart('2026-01-01T10:04:59.999Z', '5m')).toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(new Date(windowStart('2026-01-01T10:05:00+01:00', '1h')).toISOString()).toBe('2026-01-01T09:00:00.000Z');
  });
});
