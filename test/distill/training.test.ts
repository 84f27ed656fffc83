/**
 * Training, cross-validation and calibration of distilled judges, against values computed
 * independently: by hand on tiny sets, and with SciPy for the penalised fits. The SciPy reference
 * minimises ½·Σ_k‖w_k‖² + C·Σ_i s_i·(−log softmax(x_i·W + b)_{y_i}) (scikit-learn's objective for
 * LogisticRegression(penalty='l2', solver='lbfgs'), multinomial, with sample weights) with
 * scipy.optimize.minimize(method='L-BFGS-B', jac=True, options={gtol: 1e-12, ftol: 1e-15}) from
 * zero, numpy 2.4.6 / scipy 1.17.1.
 */
import { describe, expect, it } from 'vitest';
import { fitTemperature, reliability } from '../../src/distill/calibration.js';
import { stratifiedFolds } from '../../src/distill/cross-validate.js';
import { loadEmbedder } from '../../src/distill/embeddings.js';
import { balancedWeights, fitLogistic, logits, softmax, type LogisticModel } from '../../src/distill/logistic.js';
import { defaultNgrams, ngramFeatures, type SparseRow } from '../../src/distill/ngrams.js';
import { distill } from '../../src/distill/train.js';
import { generateRows } from './generated.js';

const dense = (rows: number[][]): SparseRow[] =>
  rows.map((row) => ({ indices: Int32Array.from(row.keys()), values: Float64Array.from(row) }));
const X = dense([
  [1, 0],
  [0, 1],
  [1, 1],
  [0.5, 0.2],
  [0.3, 0.9],
  [0.8, 0.4],
]);
const probabilitiesOf = (model: LogisticModel, rows: SparseRow[]) => rows.map((row) => [...softmax(logits(model, row))]);

describe('logistic regression', () => {
  it('with no features, predicts the weighted share of each class (worked by hand)', () => {
    // Rows labelled 1, 0, 0 with weights 2, 1, 1: the intercept-only optimum is p(1) = 2 / 4.
    const rows = dense([[], [], []]);
    const { model } = fitLogistic({ rows, y: Int32Array.of(1, 0, 0), classes: 2, features: 0, weights: Float64Array.of(2, 1, 1) });
    expect(probabilitiesOf(model, rows)[0]![1]).toBeCloseTo(0.5, 6);
  });

  it("weights classes as scikit-learn's class_weight='balanced': n / (classes · count)", () => {
    expect([...balancedWeights(Int32Array.of(1, 0, 0), 2)]).toEqual([1.5, 0.75, 0.75]);
  });

  it('finds the binary optimum SciPy finds (C = 1, sample weights)', () => {
    const { model, converged } = fitLogistic({
      rows: X,
      y: Int32Array.of(1, 0, 1, 1, 0, 0),
      classes: 2,
      features: 2,
      weights: Float64Array.of(1, 2, 1, 1, 1, 0.5),
      C: 1,
      tolerance: 1e-10,
    });
    expect(converged).toBe(true);
    // SciPy: W = [[-0.6055036102, 0.6055036102], [0.4115434932, -0.4115434932]], b1 - b0 = -0.2227255051.
    expect(model.w[1]).toBeCloseTo(0.6055036102, 6);
    expect(model.w[0]).toBeCloseTo(-0.6055036102, 6);
    expect(model.w[3]).toBeCloseTo(-0.4115434932, 6);
    expect(model.b[1]! - model.b[0]!).toBeCloseTo(-0.2227255051, 6);
    const p1 = probabilitiesOf(model, X).map((p) => p[1]!);
    [0.7287483954, 0.2600300278, 0.5412050201, 0.5543248857, 0.3542975661, 0.6027281543].forEach((p, i) => expect(p1[i]).toBeCloseTo(p, 6));
  });

  it('finds the multinomial optimum SciPy finds (three classes, C = 2)', () => {
    const { model } = fitLogistic({ rows: X, y: Int32Array.of(2, 0, 2, 1, 0, 1), classes: 3, features: 2, C: 2, tolerance: 1e-10 });
    // SciPy: W = [[-1.0525383309, -0.0045253847, 1.0570637156], [0.7728189594, -0.6923221616, -0.0804967978]].
    const expected = [-1.0525383309, -0.0045253847, 1.0570637156, 0.7728189594, -0.6923221616, -0.0804967978];
    expected.forEach((w, i) => expect(model.w[i]).toBeCloseTo(w, 5));
    const probabilities = probabilitiesOf(model, X);
    expect(probabilities[0]).toEqual([expect.closeTo(0.1089791896, 5), expect.closeTo(0.4401887484, 5), expect.closeTo(0.450832062, 5)]);
    expect(probabilities[5]).toEqual([expect.closeTo(0.2104719739, 5), expect.closeTo(0.3836536267, 5), expect.closeTo(0.4058743994, 5)]);
  });
});

describe('calibration', () => {
  it('fits the temperature that makes confidence equal accuracy (worked by hand)', () => {
    // Logits (0, 2) on four rows, three of them class 1: the NLL is least where σ(2 / T) = 3/4, T = 2 / ln 3.
    const z = Array.from({ length: 4 }, () => Float64Array.of(0, 2));
    expect(fitTemperature(z, Int32Array.of(1, 1, 1, 0))).toBeCloseTo(2 / Math.log(3), 4);
  });

  it('computes the expected calibration error over ten bins (worked by hand)', () => {
    // Confidences .9 (right), .8 (wrong), .6 and .65 (right): bins 9, 8 and 6 give
    // 1/4·|1 − .9| + 1/4·|0 − .8| + 2/4·|1 − .625| = 0.4125.
    const probs = [
      [0.9, 0.1],
      [0.8, 0.2],
      [0.6, 0.4],
      [0.65, 0.35],
    ].map((p) => Float64Array.from(p));
    const { ece, table } = reliability(probs, Int32Array.of(0, 1, 0, 0));
    expect(ece).toBeCloseTo(0.4125, 10);
    expect(table[6]).toEqual({ low: 0.6, high: 0.7, count: 2, confidence: 0.625, accuracy: 1 });
    expect(table[8]).toMatchObject({ count: 1, accuracy: 0 });
  });
});

describe('cross-validation', () => {
  it('deals every row to one fold, each class spread evenly, the same for the same seed', () => {
    const y = Int32Array.from({ length: 103 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const folds = stratifiedFolds(y, 2, 5, 42);
    for (let f = 0; f < 5; f++) {
      const inFold = [...folds.keys()].filter((i) => folds[i] === f);
      const positives = inFold.filter((i) => y[i] === 1).length;
      expect(positives === 5 || positives === 6).toBe(true);
      expect(inFold.length === 20 || inFold.length === 21).toBe(true);
    }
    expect([...stratifiedFolds(y, 2, 5, 42)]).toEqual([...folds]);
    expect([...stratifiedFolds(y, 2, 5, 43)]).not.toEqual([...folds]);
  });

  it('scores every row with a model that did not see it: a row whose text is unique cannot be recalled', async () => {
    // Labels are a coin flip and each row's text is its own: any honest out-of-fold accuracy is near 1/2,
    // where scoring rows with a model trained on them would recall nearly all of them.
    const rows = Array.from({ length: 200 }, (_, i) => ({
      record: { answer: `token${i} token${i}x${i % 7}` },
      label: (i * 7919) % 13 < 6 ? 1 : 0,
    }));
    const { report } = await distill(rows, { name: 'noise', version: 'v1', output: { type: 'binary' }, columns: ['answer'], minRows: 1 });
    expect(report.accuracy).toBeLessThan(0.65);
  });
});

describe('n-gram features', () => {
  it('are L2-normalised, the same for the same text, and differ between columns', () => {
    const params = defaultNgrams(['question', 'answer']);
    const a = ngramFeatures(params, { question: 'Is it refundable?', answer: 'Yes, within 30 days.' });
    const norm = Math.sqrt(a.values.reduce((sum, v) => sum + v * v, 0));
    expect(norm).toBeCloseTo(1, 10);
    expect(ngramFeatures(params, { question: 'Is it refundable?', answer: 'Yes, within 30 days.' })).toEqual(a);
    const swapped = ngramFeatures(params, { question: 'Yes, within 30 days.', answer: 'Is it refundable?' });
    expect([...swapped.indices]).not.toEqual([...a.indices]);
  });
});

describe('distilling a learnable rule with 10% label noise', () => {
  it('reaches a cross-validated accuracy within a few points of the 90% ceiling, and agrees with the noiseless rule', async () => {
    const generated = generateRows({ rows: 2000, noise: 0.1, seed: 11 });
    const { report, definition } = await distill(
      generated.map((r) => ({ record: r, label: r.label, llm: r.rule })),
      { name: 'supported', version: 'v1', output: { type: 'binary' }, columns: ['question', 'answer'] },
    );
    expect(report.accuracy).toBeGreaterThan(0.86);
    expect(report.accuracy).toBeLessThan(0.94);
    // The noiseless rule is what the model learns: it agrees with it on almost every row.
    expect(report.agreement.llm!.statistics.accuracy).toBeGreaterThan(0.95);
    expect(report.agreement.labels.ci.accuracy![0]).toBeLessThan(report.accuracy);
    expect(report.calibration.ece).toBeLessThan(0.08);
    expect(report.calibration.reliability).toHaveLength(10);
    expect(definition.classes).toEqual([0, 1]);
    expect(JSON.stringify(definition).length).toBeLessThan(1_000_000);
  }, 60_000);
});

describe('embedding features', () => {
  it('without transformers.js, are a config error saying how to install it or to use n-grams', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package '@huggingface/transformers'"));
    await expect(
      loadEmbedder({ kind: 'embeddings', model: 'Xenova/all-MiniLM-L6-v2', columns: ['answer'] }, missing),
    ).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining('embedding features need @huggingface/transformers'),
      hint: expect.stringContaining('--features ngrams'),
    });
  });

  it('embed each column with the pipeline, mean-pooled and normalised, concatenated to norm 1', async () => {
    // A stand-in pipeline: each text's embedding is [length, 1] normalised, so the expected row is worked by hand.
    const calls: unknown[] = [];
    const fake = async () => ({
      pipeline: async (task: string, model: string, options: Record<string, unknown>) => {
        calls.push({ task, model, options });
        return async (texts: string[], settings: unknown) => {
          calls.push(settings);
          const data = new Float32Array(texts.flatMap((t) => [t.length / Math.hypot(t.length, 1), 1 / Math.hypot(t.length, 1)]));
          return { dims: [texts.length, 2], data };
        };
      },
    });
    const { embed, size } = await loadEmbedder({ kind: 'embeddings', model: 'm', localPath: '/models/m', columns: ['q', 'a'] }, fake);
    expect(size).toBe(2);
    expect(calls[0]).toEqual({
      task: 'feature-extraction',
      model: '/models/m',
      options: { local_files_only: true, subfolder: 'onnx', dtype: 'fp32' },
    });
    expect(calls[1]).toEqual({ pooling: 'mean', normalize: true });
    const [row] = await embed([{ q: 'abc', a: '' }]);
    // q: 'abc' → (3, 1)/√10; a: empty → ' ' → (1, 1)/√2; each scaled by 1/√2.
    const expected = [3 / Math.sqrt(10), 1 / Math.sqrt(10), 1 / Math.sqrt(2), 1 / Math.sqrt(2)].map((v) => v / Math.sqrt(2));
    expect([...row!.values].map((v) => Number(v.toFixed(6)))).toEqual(expected.map((v) => Number(v.toFixed(6))));
    expect([...row!.indices]).toEqual([0, 1, 2, 3]);
  });
});
