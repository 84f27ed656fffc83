import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

/** A batcher that doubles numbers and records the batches it ran. */
function doubler(maxBatch: number, run?: (items: number[]) => Promise<number[]>) {
  const batches: number[][] = [];
  const batcher = new Batcher<number, number>(async (items) => {
    batches.push(items);
    return run ? run(items) : items.map((n) => n * 2);
  }, maxBatch);
  return { batcher, batches };
}

describe('Batcher', () => {
  it('answers each item with its own output', async () => {
    const { batcher } = doubler(8);
    expect(await Promise.all([1, 2, 3].map((n) => batcher.add(n)))).toEqual([2, 4, 6]);
  });

  it('runs items queued in the same turn as one batch', async () => {
    const { batcher, batches } = doubler(8);
    await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('splits a long queue into batches of at most maxBatch, in order', async () => {
    const { batcher, batches } = doubler(2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('puts items queued while a batch runs into the next batch, one batch at a time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let mostAtOnce = 0;
    const { batcher, batches } = doubler(8, async (items) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      if (items[0] === 1) await gate;
      running--;
      return items.map((n) => n * 2);
    });
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [batcher.add(2), batcher.add(3)];
    release();
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1], [2, 3]]);
    expect(mostAtOnce).toBe(1);
  });

  it('fails every item of a failed batch with its error, and goes on with the next batch', async () => {
    const { batcher } = doubler(2, async (items) => {
      if (items.includes(1)) throw new Error('model crashed');
      return items.map((n) => n * 2);
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'model crashed',
      'model crashed',
      6,
    ]);
  });

  it('fails a batch that gets the wrong number of answers', async () => {
    const { batcher } = doubler(4, async () => [1]);
    await expect(Promise.all([batcher.add(1), batcher.add(2)])).rejects.toThrow('a batch of 2 got 1 answers');
  });
});
