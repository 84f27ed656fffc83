/**
 * The model-type presets, and heuristic metrics run end to end through evaluate() on in-memory
 * data, keeping nothing and calling no model.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../engine/evaluate.js';
import { ConfigError } from '../errors.js';
import { builtInMetric, builtInMetricNames } from './builtin.js';
import { metricKey } from './metric.js';
import { MODEL_TYPES, presetMetrics } from './presets.js';

describe('presets', () => {
  it("hold MLflow's default metrics", () => {
    const text = ['token_count', 'toxicity', 'flesch_kincaid_grade_level', 'ari_grade_level'];
    expect(presetMetrics('text')).toEqual(text);
    expect(presetMetrics('text-generation')).toEqual(text);
    expect(presetMetrics('question-answering')).toEqual([...text, 'exact_match']);
    expect(presetMetrics('text-summarization')).toEqual([...text, 'rouge1', 'rouge2', 'rougeL', 'rougeLsum']);
    expect(presetMetrics('retriever')).toEqual(['precision_at_k', 'recall_at_k', 'ndcg_at_k']);
    expect(presetMetrics('none')).toEqual([]);
  });

  it('name only built-in metrics', () => {
    for (const type of MODEL_TYPES) for (const name of presetMetrics(type)) expect(builtInMetricNames()).toContain(name);
  });

  it('refuse an unknown model type', () => {
    expect(() => presetMetrics('classifier')).toThrow(ConfigError);
  });
});

describe('through evaluate()', () => {
  it('scores a summarization run with its preset', async () => {
    const result = await evaluate({
      data: [
        { predictions: 'The quick brown dog jumps on the log.', targets: 'The quick brown fox jumps over the lazy dog' },
        { predictions: 'The cat sat on the mat.', targets: 'The cat sat on the mat.' },
      ],
      modelType: 'text-summarization',
      store: false,
    });
    expect(result.failedMetrics).toEqual([]);
    // rouge1 per row: 12/17 and 1.
    expect(result.metrics['rouge1/v1/mean']).toBeCloseTo((12 / 17 + 1) / 2, 12);
    expect(result.metrics['rougeL/v1/mean']).toBeCloseTo((10 / 17 + 1) / 2, 12);
    expect(result.metrics['token_count/v1/mean']).toBeGreaterThan(0);
    // FK: row 1 has 8 one-syllable words in 1 sentence, 0.39·8 + 11.8 − 15.59 = −0.67; row 2 has
    // 6, 0.39·6 + 11.8 − 15.59 = −1.45.
    expect(result.metrics['flesch_kincaid_grade_level/v1/mean']).toBeCloseTo((-0.67 - 1.45) / 2, 12);
    expect(Object.keys(result.metrics)).toContain('rougeLsum/v1/variance');
  });

  it('scores a retriever run with k = 3, and a second k alongside', async () => {
    const result = await evaluate({
      data: [
        { retrieved: '["a", "x", "b", "c"]', relevant: '["a", "b", "c"]' },
        { retrieved: '["x", "y"]', relevant: '["a"]' },
      ],
      colMapping: { predictions: 'retrieved', targets: 'relevant' },
      modelType: 'retriever',
      extraMetrics: [builtInMetric('precision_at_k', { k: 1 })],
      store: false,
    });
    // precision_at_3: 2/3 and 0; recall_at_3: 2/3 and 0; precision_at_1: 1 and 0.
    expect(result.metrics['precision_at_3/v1/mean']).toBeCloseTo(1 / 3, 12);
    expect(result.metrics['recall_at_3/v1/mean']).toBeCloseTo(1 / 3, 12);
    expect(result.metrics['precision_at_1/v1/mean']).toBe(0.5);
    // ndcg_at_3: row 1 has a and b at ranks 1 and 3 of 3 relevant, (1 + 1/2) / (1 + 1/log2(3) + 1/2); row 2 none, 0.
    expect(result.metrics['ndcg_at_3/v1/mean']).toBeCloseTo(1.5 / (1.5 + 1 / Math.log2(3)) / 2, 12);
  });

  it('keeps rows that cannot be scored as errors, not numbers', async () => {
    const result = await evaluate({
      data: [{ predictions: 'A plain sentence with enough words.' }, { predictions: '...' }],
      metrics: ['flesch_kincaid_grade_level', 'json_valid'],
      store: false,
    });
    const key = metricKey(builtInMetric('flesch_kincaid_grade_level'));
    expect(result.errors[key]).toBe(1);
    expect(result.metrics['json_valid/v1/mean']).toBe(0);
    expect(Number.isFinite(result.metrics[`${key}/mean`])).toBe(true);
  });

  it('refuses latency without a model under test before any row', async () => {
    await expect(evaluate({ data: [{ predictions: 'x' }], metrics: ['latency'], store: false })).rejects.toThrow(
      'latency needs a model under test',
    );
  });

  it('skips and reports the defaults of a model type that cannot run on the data, running the rest', async () => {
    const result = await evaluate({
      data: [{ predictions: 'A plain sentence with enough words.' }],
      modelType: 'text-summarization',
      store: false,
    });
    // toxicity: no model folder set (JUROR_TOXICITY_MODEL); ROUGE: no targets.
    expect(result.skippedMetrics.map((s) => s.metric)).toEqual(['toxicity/v1', 'rouge1/v1', 'rouge2/v1', 'rougeL/v1', 'rougeLsum/v1']);
    expect(result.skippedMetrics[0]!.reason).toMatch(/JUROR_TOXICITY_MODEL/);
    expect(result.skippedMetrics[1]!.reason).toMatch(/targets/);
    expect(result.metrics['token_count/v1/mean']).toBeGreaterThan(0);
  });

  it('takes text-generation (MLflow Gym, seed 002) as text', async () => {
    const result = await evaluate({
      data: [{ predictions: 'A plain sentence with enough words.' }],
      modelType: 'text-generation',
      store: false,
    });
    expect(result.metrics['token_count/v1/mean']).toBeGreaterThan(0);
    // ARI: 30 non-space characters over 6 tokens, 6 words in 1 sentence: 4.71·5 + 0.5·6 − 21.43 = 5.12.
    expect(result.metrics['ari_grade_level/v1/mean']).toBeCloseTo(5.12, 12);
  });

  it("reads LastMile's output / input / ground_truth columns as the standard ones", async () => {
    const result = await evaluate({
      data: [
        { input: 'q', output: 'Paris', ground_truth: 'Paris' },
        { input: 'q', output: 'Lyon', ground_truth: 'Paris' },
      ],
      modelType: 'question-answering',
      store: false,
    });
    expect(result.metrics['exact_match/v1/mean']).toBe(0.5);
  });

  it('skips and reports the retriever defaults on columns of text, not lists, with no error rows', async () => {
    const result = await evaluate({
      data: [
        { predictions: 'doc a, doc b', targets: 'doc a' },
        { predictions: 'doc c', targets: 'doc c' },
      ],
      modelType: 'retriever',
      extraMetrics: ['exact_match'],
      store: false,
    });
    expect(result.skippedMetrics.map((s) => s.metric)).toEqual(['precision_at_3/v1', 'recall_at_3/v1', 'ndcg_at_3/v1']);
    expect(result.skippedMetrics[0]!.reason).toContain("column 'predictions' is not a list of document ids");
    expect(Object.values(result.errors)).toEqual([0]);
    expect(result.metrics['exact_match/v1/mean']).toBe(0.5);
  });

  it('refuses a retrieval metric the user listed over a column of text, naming the column', async () => {
    await expect(
      evaluate({ data: [{ predictions: 'doc a', targets: '["doc a"]' }], metrics: ['precision_at_k'], store: false }),
    ).rejects.toThrow(/col_mapping|predictions/);
  });

  it('refuses a metric the user listed that cannot run on the data', async () => {
    await expect(evaluate({ data: [{ predictions: 'x' }], metrics: ['rouge1'], store: false })).rejects.toThrow(ConfigError);
  });
});
