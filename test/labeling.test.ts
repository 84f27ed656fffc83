/**
 * Label jobs from the library (no HTTP): a file imported as a dataset (once per content), a
 * built-in judge (LastMile's binary faithfulness) whose reviewed rows become rubric examples with
 * their grading context, uncertain rows, agreement and the fine-tuning export.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, LabelJobs, Store } from '../src/index.js';
import { startLlmServer, verdict, type LlmServer } from './fixtures/llm-server.js';
import { block } from './server/helpers.js';

let llm: LlmServer;
let dir: string;
let store: Store;
let engine: LabelJobs;

beforeAll(async () => {
  llm = await startLlmServer();
  dir = mkdtempSync(join(tmpdir(), 'juror-labeling-'));
  store = await Store.open({ path: join(dir, 'juror.db') });
  engine = new LabelJobs({ store, dataDir: join(dir, 'datasets'), env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } });
});
afterAll(async () => {
  await engine.shutdown();
  await store.close();
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LabelJobs', () => {
  it('labels with a built-in judge, reviews, and uses the reviewed rows as rubric examples', async () => {
    const file = join(dir, 'rag.csv');
    writeFileSync(
      file,
      'question,answer,context\n' + Array.from({ length: 12 }, (_, i) => `q${i},answer ${i},context ${i}`).join('\n') + '\n',
    );
    const dataset = await importDataset(engine.datasets, file, engine.dataDir);
    expect((await importDataset(engine.datasets, file, engine.dataDir)).id).toBe(dataset.id);
    // Faithful (1) unless the row number is even; the user message shows the output and the context.
    llm.setHandler((req) => {
      const row = Number((block(req.lastUser, 'output') ?? 'answer -1').replace('answer ', ''));
      return verdict(row % 2 === 0 ? 0 : 1, `row ${row}`);
    });

    const job = await engine.create({
      datasetId: dataset.id,
      builtin: 'faithfulness',
      model: 'openai:/gpt-test',
      colMapping: { outputs: 'answer' },
      sampleSize: 3,
      name: 'rag_faithful',
      review: true,
    });
    expect(job.criterion).toMatchObject({ builtin: 'faithfulness', output: 'binary' });
    const inReview = await engine.wait(job.id);
    expect(inReview.status).toBe('awaiting_review');
    const sample = (await engine.labelsPage(job.id)).labels;
    expect(sample.map((l) => l.label)).toEqual(sample.map((l) => (l.row % 2 === 0 ? 0 : 1)));

    const uncertain = await engine.uncertain(job.id, { k: 2, pool: 4 });
    expect(uncertain).toMatchObject({ rows: [], candidates: 4, k: 2, calls: 8 });

    const flipped = sample[0]!;
    llm.reset();
    await engine.review(job.id, [{ row: flipped.row, label: 1 - flipped.label!, justification: 'a person disagrees' }]);
    const done = await engine.wait(job.id, { until: 'completed' });
    expect(done.status).toBe('completed');
    const system = (llm.requests[0]!.body.messages as Array<{ role: string; content: string }>)[0]!.content;
    // The rubric's own three examples, then the reviewed row with its grading context.
    expect(system).toContain('Example 4:');
    expect(block(system.slice(system.indexOf('Example 4:')), 'output')).toBe(`answer ${flipped.row}`);
    expect(block(system.slice(system.indexOf('Example 4:')), 'context')).toBe(`context ${flipped.row}`);
    expect(system).toContain(JSON.stringify({ justification: 'a person disagrees', score: 1 - flipped.label! }));
    expect(llm.requests).toHaveLength(12 - 1);

    const agreement = await engine.agreement(job.id);
    expect(agreement.versions).toEqual([
      expect.objectContaining({ version: 'v1', n: 1, statistics: expect.objectContaining({ accuracy: 0 }) }),
    ]);
    const examples = [];
    for await (const example of engine.finetune(job.id)) examples.push(example);
    expect(examples).toHaveLength(12);
    expect(JSON.parse(examples[flipped.row]!.messages[2]!.content)).toEqual({
      justification: 'a person disagrees',
      score: 1 - flipped.label!,
    });

    await expect(engine.review(job.id, [])).rejects.toMatchObject({ code: 'conflict' });
    await expect(engine.get('nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
