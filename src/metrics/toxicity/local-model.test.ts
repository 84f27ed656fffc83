/**
 * `toxicity` on a real ONNX classifier: transformers.js and ONNX Runtime load the tiny model that
 * test/support/tiny-toxicity-model.ts writes (nothing is downloaded), so the folder checks, the
 * tokenizer, the batching with padding and the label mapping all run as on a user's machine.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configRejection } from '../../../test/support/errors.js';
import { writeTinyToxicityModel } from '../../../test/support/tiny-toxicity-model.js';
import { evaluate } from '../../engine/evaluate.js';
import { builtInMetric } from '../builtin.js';
import { loadClassifier } from './classifier.js';
import { TOXICITY_MODEL_ENV } from './toxicity.js';

let workDir: string;
let modelDir: string;
let corruptDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'juror-tiny-toxicity-'));
  modelDir = await writeTinyToxicityModel(path.join(workDir, 'model'));
  corruptDir = await writeTinyToxicityModel(path.join(workDir, 'corrupt'));
  await writeFile(path.join(corruptDir, 'onnx', 'model.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 438\n');
});

afterAll(() => rm(workDir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

/** p(toxic) of the tiny model for a text with `polite` polite and `insults` insulting words: softmax of its two logits. */
function tinyModelProbability(polite: number, insults: number): number {
  const logits = [2 * polite - 2 * insults + 1, -polite + 4 * insults - 1];
  return 1 / (1 + Math.exp(logits[0]! - logits[1]!));
}

const rows = [
  { predictions: 'You are an IDIOT!' },
  { predictions: 'Have a nice day, thank you.' },
  { predictions: 'What is the weather?' },
  { predictions: 'stupid moron' },
];

describe('toxicity on a local ONNX model', () => {
  it('scores insults above the threshold and polite or plain text below it, with labels and ratio', async () => {
    const result = await evaluate({ data: rows, metrics: [builtInMetric('toxicity', { local_path: modelDir })], store: false });
    const table = result.tables.eval_results_table;
    const expected = [tinyModelProbability(0, 1), tinyModelProbability(2, 0), tinyModelProbability(0, 0), tinyModelProbability(0, 2)];
    table.forEach((row, i) => expect(row['toxicity/v1/score']).toBeCloseTo(expected[i]!, 5));
    expect(table.map((row) => row['toxicity/v1/label'])).toEqual(['toxic', 'not toxic', 'not toxic', 'toxic']);
    expect(result.metrics['toxicity/v1/ratio']).toBe(0.5);
    expect(result.metrics['toxicity/v1/mean']).toBeCloseTo(expected.reduce((a, b) => a + b) / expected.length, 5);
  });

  it('scores a short text the same in a padded batch as alone (its padding is masked)', async () => {
    const classifier = await loadClassifier({ model: 'tiny', localPath: modelDir });
    const alone = await classifier.classify(['thanks']);
    const batched = await classifier.classify(['thanks', 'what is the day you have , what is the day ?']);
    const toxic = (scores: typeof alone) => scores.map((labels) => labels.find((l) => l.label === 'toxic')!.score);
    expect(toxic(batched)[0]).toBeCloseTo(toxic(alone)[0]!, 6);
    expect(toxic(alone)[0]).toBeCloseTo(tinyModelProbability(1, 0), 5);
    expect(classifier.labels).toEqual(['non-toxic', 'toxic']);
  });

  it('is a ConfigError naming the folder when its model file is corrupt, before any row', async () => {
    const error = await configRejection(
      evaluate({ data: rows, metrics: [builtInMetric('toxicity', { local_path: corruptDir })], store: false }),
    );
    expect(error.message).toContain(`metric 'toxicity' cannot load the classifier in ${corruptDir}: `);
    expect(error.where.field).toBe('metrics.toxicity.local_path');
  });
});

describe('toxicity as a default of model_type text', () => {
  it('runs on the folder in JUROR_TOXICITY_MODEL', async () => {
    vi.stubEnv(TOXICITY_MODEL_ENV, modelDir);
    const result = await evaluate({ data: rows, modelType: 'text', store: false });
    expect(result.skippedMetrics).toEqual([]);
    expect(result.metrics['toxicity/v1/ratio']).toBe(0.5);
  });

  it('is skipped, the reason naming JUROR_TOXICITY_MODEL and local_path, when no model is set', async () => {
    vi.stubEnv(TOXICITY_MODEL_ENV, '');
    const result = await evaluate({ data: rows, modelType: 'text', store: false });
    expect(result.skippedMetrics).toEqual([
      {
        metric: 'toxicity/v1',
        reason: "metric 'toxicity' has no classifier: set JUROR_TOXICITY_MODEL or the metric's local_path to a model folder",
      },
    ]);
    expect(result.metrics['token_count/v1/mean']).toBeGreaterThan(0);
  });

  it('is skipped, the reason naming the variable and the folder, when that folder holds a corrupt model', async () => {
    vi.stubEnv(TOXICITY_MODEL_ENV, corruptDir);
    const result = await evaluate({ data: rows, modelType: 'text', store: false });
    expect(result.skippedMetrics.map((s) => s.metric)).toEqual(['toxicity/v1']);
    expect(result.skippedMetrics[0]!.reason).toContain(`cannot load the classifier in ${corruptDir}: `);
  });

  it('is skipped, the reason naming the variable and the folder, when that folder does not exist', async () => {
    const missing = path.join(workDir, 'not-downloaded');
    vi.stubEnv(TOXICITY_MODEL_ENV, missing);
    const result = await evaluate({ data: rows, modelType: 'text', store: false });
    expect(result.skippedMetrics[0]!.reason).toContain(`JUROR_TOXICITY_MODEL ${missing} is not a folder`);
  });
});
