/**
 * Distilled judges in the store, on SQLite and Postgres: a distilled version takes the next
 * version of its name after the LLM versions, reads back to the same definition and scores the
 * same after the store is closed and opened again; an unknown version names those that exist.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDistilled } from '../../src/distill/model.js';
import { distillAndStore, listDistilled, readDistilled } from '../../src/distill/stored.js';
import { makeGenaiMetricFromPrompt } from '../../src/judges/definition.js';
import { Store, type StoreLocation } from '../../src/store/store.js';
import { STORES } from '../server/helpers.js';
import { generateRows } from './generated.js';

const labelled = generateRows({ rows: 300, noise: 0.05, seed: 4 });
const data = {
  rows: labelled.map((r) => ({ record: r, label: r.label })),
  columns: ['answer'],
  output: { type: 'binary' as const },
  source: { file: 'generated' },
};
const probe = generateRows({ rows: 50, seed: 5 });

describe.each(STORES.map(([name, location]) => [name, location] as const))('%s store', (_name, location) => {
  let dir: string;
  let where: { store: StoreLocation; drop(): Promise<void> };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'juror-distill-store-'));
    where = await location(dir);
  });
  afterAll(async () => {
    await where.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the next version after the LLM versions, and reads it back scoring the same after a reopen', async () => {
    let store = await Store.open(where.store);
    await store.judges.save(makeGenaiMetricFromPrompt({ name: 'on-topic', judgePrompt: 'Is {answer} on topic?' }));
    const stored = await distillAndStore(store, data, { name: 'on-topic', folds: 3 });
    expect(stored.version).toBe('v2');
    expect((await distillAndStore(store, data, { name: 'on-topic', folds: 3 })).version).toBe('v3');
    const before = await (await loadDistilled(stored.definition)).score(probe);
    await store.close();

    store = await Store.open(where.store);
    try {
      const read = await readDistilled(store, 'on-topic', 'v2');
      expect(read.definition).toEqual(stored.definition);
      expect(read.report).toEqual(stored.report);
      expect(read.source).toEqual({ file: 'generated' });
      const after = await (await loadDistilled(read.definition)).score(probe);
      expect(after.map((v) => [v.value, v.confidence])).toEqual(before.map((v) => [v.value, v.confidence]));
      expect((await listDistilled(store)).map((v) => `${v.name} ${v.version}`)).toEqual(['on-topic v2', 'on-topic v3']);
      await expect(readDistilled(store, 'on-topic', 'v9')).rejects.toMatchObject({
        message: 'no distilled judge on-topic v9 in the store',
        hint: 'distilled versions of on-topic: v2, v3',
      });
    } finally {
      await store.close();
    }
  }, 60_000);
});
