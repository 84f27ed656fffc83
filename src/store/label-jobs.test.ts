/** Label jobs read back from the store: the criterion is parsed at the edge, and a damaged one names its job and field. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JurorError } from '../errors.js';
import { LabelJobRepository } from './label-jobs.js';
import { labelDb } from './label-tables.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
let jobs: LabelJobRepository;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'juror-label-jobs-'));
  store = await Store.open({ path: join(dir, 'juror.db') });
  jobs = new LabelJobRepository(labelDb(store));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storeCriterion(id: string, criterion: string): Promise<void> {
  await labelDb(store).updateTable('label_jobs').set({ criterion }).where('id', '=', id).execute();
}

describe('LabelJobRepository', () => {
  it('reads a job back with its criterion as stored, unknown keys kept', async () => {
    const criterion = {
      prompt: 'Is {answer} right?',
      output: 'binary' as const,
      examples: [{ output: 'a', score: 1, justification: 'j' }],
      col_mapping: { inputs: 'q' },
    };
    const job = await jobs.create({ datasetId: 'd1', name: 'n', criterion, sample: [0, 2], sampleSize: 2, seed: 1 });
    expect((await jobs.get(job.id))?.criterion).toEqual(criterion);
    await storeCriterion(job.id, JSON.stringify({ ...criterion, added_later: true }));
    expect((await jobs.get(job.id))?.criterion).toMatchObject({ added_later: true });
  });

  it('refuses a damaged criterion with a store error naming the job and the field', async () => {
    const job = await jobs.create({
      datasetId: 'd1',
      name: 'n',
      criterion: { builtin: 'faithfulness', output: 'binary', examples: [] },
      sample: [0],
      sampleSize: 1,
      seed: 1,
    });
    await storeCriterion(job.id, JSON.stringify({ builtin: 'faithfulness', output: 'maybe', examples: [] }));
    const error = await jobs.get(job.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JurorError);
    expect(error).toMatchObject({ kind: 'store', message: expect.stringContaining(`label job ${job.id} in the store: criterion.output:`) });
    await storeCriterion(
      job.id,
      JSON.stringify({ builtin: 'faithfulness', output: 'binary', examples: [{ output: 'a', score: true, justification: 'j' }] }),
    );
    await expect(jobs.get(job.id)).rejects.toThrow('criterion.examples[0].score');
    await storeCriterion(job.id, '{not json');
    await expect(jobs.list({ limit: 10, offset: 0 })).rejects.toThrow(`label job ${job.id} in the store: its criterion is not valid JSON`);
  });
});
