/**
 * The tracking store, the same specification against SQLite (the embedded default) and Postgres
 * (127.0.0.1:5432, database `test`, a fresh schema per run of this file).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeSystemPrompt, makeGenaiMetric, Store, type StoreLocation } from '../src/index.js';

const schema = `juror_test_${process.pid}_${Date.now()}`;
const postgresUrl = `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;

beforeAll(async () => {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
});
afterAll(async () => {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  await client.query(`drop schema ${schema} cascade`);
  await client.end();
});

const judge = makeGenaiMetric({ name: 'faithfulness', definition: 'Faithful to the context.', gradingPrompt: 'Score 1-5.' });

const dialects: Array<[string, () => StoreLocation]> = [
  ['SQLite', () => ({ path: join(mkdtempSync(join(tmpdir(), 'juror-store-')), 'juror.db') })],
  ['Postgres', () => ({ url: postgresUrl })],
];

describe.each(dialects)('%s store', (_name, location) => {
  let where: StoreLocation;
  beforeAll(() => {
    where = location();
  });

  async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const store = await Store.open(where);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  it('migrates on open and opens again without migrating twice', async () => {
    await withStore(async () => undefined);
    await withStore(async (store) => expect(await store.listRuns({ experiment: 'nothing-here' })).toEqual([]));
  });

  it('creates an experiment once per name', async () => {
    await withStore(async (store) => {
      expect(await store.experimentId('dedupe')).toBe(await store.experimentId('dedupe'));
    });
  });

  it('keeps one judge row per definition and a new one for an edit', async () => {
    await withStore(async (store) => {
      const first = await store.judges.save(judge);
      expect(await store.judges.save({ ...judge })).toBe(first);
      expect(await store.judges.save({ ...judge, gradingPrompt: 'Score 1-5, strictly.' })).not.toBe(first);
    });
  });

  it('stores a run with its rows, results, aggregates and judges, and reads them back', async () => {
    await withStore(async (store) => {
      const run = await store.createRun({
        experiment: 'rag',
        name: 'baseline',
        config: { data: 'x.csv' },
        dataset: { name: 'x' },
        rowCount: 2,
        judges: [{ judge, systemPrompt: judgeSystemPrompt(judge) }],
      });
      const base = { run_id: run.id, metric: 'faithfulness/v1', input_tokens: 10, output_tokens: 5, cost_usd: 0.001 };
      await store.writeBatch(
        [0, 1].map((i) => ({
          run_id: run.id,
          row_index: i,
          record: JSON.stringify({ q: i }),
          outputs: null,
          model_latency_ms: null,
          model_input_tokens: null,
          model_output_tokens: null,
          model_error: null,
        })),
        [
          { ...base, row_index: 0, value: 4, score: '4', justification: 'good', error: null },
          { ...base, row_index: 1, value: null, error: 'unusable answer', raw: 'meh' },
        ],
      );
      await store.writeSummary(run.id, {
        metrics: { 'faithfulness/v1/mean': 4 },
        perMetric: [
          {
            run_id: run.id,
            metric: 'faithfulness/v1',
            rows_scored: 1,
            error_count: 1,
            input_tokens: 20,
            output_tokens: 10,
            cost_usd: 0.002,
          },
        ],
        run: {
          status: 'finished',
          rows_done: 2,
          error_count: 1,
          input_tokens: 20,
          output_tokens: 10,
          cost_usd: 0.002,
          finished_at: new Date().toISOString(),
        },
      });
      const details = await store.getRun(run.id);
      expect(details).toMatchObject({
        experiment: 'rag',
        name: 'baseline',
        status: 'finished',
        rows_done: 2,
        error_count: 1,
        input_tokens: 20,
        metrics: { 'faithfulness/v1/mean': 4 },
      });
      expect(details.perMetric[0]).toMatchObject({ rows_scored: 1, error_count: 1, input_tokens: 20 });
      expect(details.judges).toEqual([
        { metric: 'faithfulness/v1', definition: judge, systemPrompt: expect.stringContaining('Faithful to the context.') },
      ]);
      const results = await store.results(run.id, { from: 0, to: 1 });
      expect(results.map((r) => [r.row_index, r.value, r.error])).toEqual([
        [0, 4, null],
        [1, null, 'unusable answer'],
      ]);
      expect((await store.rows(run.id)).map((r) => JSON.parse(r.record))).toEqual([{ q: 0 }, { q: 1 }]);
    });
  });

  it('replaces a result written again for the same row and metric', async () => {
    await withStore(async (store) => {
      const run = await store.createRun({ experiment: 'rewrite', config: {}, dataset: {}, rowCount: 1, judges: [] });
      const result = { run_id: run.id, row_index: 0, metric: 'm/v1', input_tokens: 0, output_tokens: 0, cost_usd: 0 };
      await store.writeBatch([], [{ ...result, value: null, error: 'timeout' }]);
      await store.writeBatch([], [{ ...result, value: 3, error: null }]);
      expect((await store.results(run.id, { from: 0, to: 0 })).map((r) => [r.value, r.error])).toEqual([[3, null]]);
    });
  });

  it('lists runs newest first, filtered by experiment and status', async () => {
    await withStore(async (store) => {
      const a = await store.createRun({ experiment: 'list-a', config: {}, dataset: {}, rowCount: 0, judges: [] });
      await new Promise((r) => setTimeout(r, 5));
      const b = await store.createRun({ experiment: 'list-a', config: {}, dataset: {}, rowCount: 0, judges: [] });
      await store.updateRun(b.id, { status: 'failed' });
      expect((await store.listRuns({ experiment: 'list-a' })).map((r) => r.id)).toEqual([b.id, a.id]);
      expect((await store.listRuns({ experiment: 'list-a', status: 'failed' })).map((r) => r.id)).toEqual([b.id]);
    });
  });

  it('finds a run by a unique prefix of its id and names the problem otherwise', async () => {
    await withStore(async (store) => {
      const run = await store.createRun({ experiment: 'prefix', config: {}, dataset: {}, rowCount: 0, judges: [] });
      expect(await store.findRunId(run.id.slice(0, 10))).toBe(run.id);
      await expect(store.findRunId('zzzz')).rejects.toThrow(/no run 'zzzz'/);
    });
  });
});
