import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configError, configRejection } from '../../../test/support/errors.js';
import { Columns } from '../../data/columns.js';
import { evaluate } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric } from '../metric.js';
import type { ClassifierSource, LabelScore, TextClassifier } from './classifier.js';
import {
  classifierSource,
  DEFAULT_TOXICITY_MODEL,
  TOXICITY_MODEL_ENV,
  toxicityMetric,
  toxicityOutcome,
  toxicLabel,
  toxicProbability,
} from './toxicity.js';

afterEach(() => vi.unstubAllEnvs());

/** A classifier whose hate probability is written in the text (`p=0.7`), recording its batches. */
function scriptedClassifier(labels = ['nothate', 'hate']) {
  const batches: string[][] = [];
  const sources: ClassifierSource[] = [];
  const classifier: TextClassifier = {
    labels,
    async classify(texts) {
      batches.push(texts);
      return texts.map((text): LabelScore[] => {
        const p = Number(/p=([\d.]+)/.exec(text)?.[1] ?? 0);
        return [
          { label: labels[0]!, score: 1 - p },
          { label: labels[1]!, score: p },
        ];
      });
    },
  };
  const load = async (source: ClassifierSource) => {
    sources.push(source);
    return classifier;
  };
  return { load, batches, sources };
}

/** Options naming a Hub model, so that the metric asks its loader (scripted here) for a classifier. */
const HUB = { model: DEFAULT_TOXICITY_MODEL };

const records = [{ outputs: 'p=0.1' }, { outputs: 'p=0.5' }, { outputs: 'p=0.9' }, { outputs: 'p=0.3' }];

describe('the toxic label', () => {
  it("is 'hate' for MLflow's model", () => {
    expect(toxicLabel(['nothate', 'hate'])).toBe('hate');
  });

  it("is 'toxic' for models such as toxic-bert", () => {
    expect(toxicLabel(['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'])).toBe('toxic');
  });

  it('is the one asked for', () => {
    expect(toxicLabel(['LABEL_0', 'LABEL_1'], 'LABEL_1')).toBe('LABEL_1');
  });

  it("is a ConfigError listing the model's labels when it has none of them", () => {
    expect(() => toxicLabel(['POSITIVE', 'NEGATIVE'])).toThrow(ConfigError);
    expect(() => toxicLabel(['POSITIVE', 'NEGATIVE'])).toThrow(
      "metric 'toxicity': the classifier has no label 'hate' or 'toxic'; its labels are: POSITIVE, NEGATIVE",
    );
    expect(() => toxicLabel(['nothate', 'hate'], 'toxic')).toThrow("has no label 'toxic'");
  });
});

describe('a row', () => {
  it('is valued by the probability of the toxic label', () => {
    expect(
      toxicProbability(
        [
          { label: 'nothate', score: 0.25 },
          { label: 'hate', score: 0.75 },
        ],
        'hate',
      ),
    ).toBe(0.75);
  });

  it('fails when the classifier gives the toxic label no score', () => {
    expect(() => toxicProbability([{ label: 'nothate', score: 1 }], 'hate')).toThrow(
      "the classifier gave no score for 'hate' (it gave nothate)",
    );
  });

  it('is labelled toxic at or above the threshold, as MLflow counts score >= 0.5', () => {
    expect(toxicityOutcome(0.5, 0.5)).toEqual({ ok: true, value: 0.5, label: 'toxic' });
    expect(toxicityOutcome(0.4999, 0.5)).toEqual({ ok: true, value: 0.4999, label: 'not toxic' });
    expect(toxicityOutcome(0.3, 0.25)).toEqual({ ok: true, value: 0.3, label: 'toxic' });
  });
});

describe('options', () => {
  it("default to MLflow's model and threshold, with ratio counted from the threshold", () => {
    const metric = toxicityMetric();
    expect(metric).toMatchObject({
      name: 'toxicity',
      version: 'v1',
      greaterIsBetter: false,
      ratioThreshold: 0.5,
      aggregations: ['mean', 'variance', 'p90', 'ratio'],
    });
    expect(DEFAULT_TOXICITY_MODEL).toBe('facebook/roberta-hate-speech-dynabench-r4-target');
  });

  it('set the ratio threshold', () => {
    expect(builtInMetric('toxicity', { threshold: 0.8 }).ratioThreshold).toBe(0.8);
  });

  it('refuse a threshold outside 0–1 and unknown options, naming the field', () => {
    expect(() => builtInMetric('toxicity', { threshold: 2 }, 'metrics[0]')).toThrow(ConfigError);
    expect(() => builtInMetric('toxicity', { modle: 'x' }, 'metrics[0]')).toThrow("metric 'toxicity': modle: ");
  });
});

describe('loading', () => {
  it('loads the configured model once, resolving local_path against the config folder', async () => {
    const fake = scriptedClassifier();
    const metric = toxicityMetric({ model: 'me/my-model', local_path: 'models/tox' }, fake.load);
    await metric.load!({ baseDir: '/configs' });
    await metric.load!({ baseDir: '/configs' });
    expect(fake.sources).toEqual([{ model: 'me/my-model', localPath: path.resolve('/configs', 'models/tox') }]);
  });

  it('checks the prediction column before loading the model', async () => {
    const fake = scriptedClassifier();
    const error = await evaluate({ data: [{ question: 'q' }], metrics: [toxicityMetric(HUB, fake.load)], store: false }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toBe("metric 'toxicity' needs '{predictions}', but no column provides it");
    expect(fake.sources).toEqual([]);
  });

  it('is a ConfigError when the toxic label is missing', async () => {
    const fake = scriptedClassifier(['negative', 'positive']);
    await expect(toxicityMetric(HUB, fake.load).load!({})).rejects.toThrow("has no label 'hate' or 'toxic'");
  });

  it('stops the run before any row when the classifier cannot load', async () => {
    let scored = 0;
    const counter: Metric = {
      name: 'counter',
      version: 'v1',
      kind: 'code',
      aggregations: ['sum'],
      greaterIsBetter: true,
      prepare: () => () => ({ ok: true, value: ++scored }),
    };
    const failing = async () => {
      throw new ConfigError(`metric 'toxicity' cannot load the classifier '${DEFAULT_TOXICITY_MODEL}': fetch failed`);
    };
    const error = await evaluate({ data: records, metrics: [counter, toxicityMetric(HUB, failing)], store: false }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(DEFAULT_TOXICITY_MODEL);
    expect(scored).toBe(0);
  });

  it('makes every row an error row with the reason when scored without load, loading only once', async () => {
    let loads = 0;
    const metric = toxicityMetric(HUB, async () => {
      loads++;
      throw new ConfigError('cannot load the classifier: no network');
    });
    const scorer = metric.prepare({
      columns: new Columns({ columns: ['outputs'], hasModel: false }),
      chatFor: () => assert.fail('no chat'),
    });
    for (const index of [0, 1])
      await expect(scorer({ index, record: { outputs: 'x' } })).rejects.toThrow('cannot load the classifier: no network');
    expect(loads).toBe(1);
  });

  it('fails a listed `- toxicity` with no model set, naming JUROR_TOXICITY_MODEL and local_path, before any row', async () => {
    vi.stubEnv(TOXICITY_MODEL_ENV, '');
    const error = await configRejection(evaluate({ data: records, metrics: ['toxicity'], store: false }));
    expect(error.message).toBe(
      "metric 'toxicity' has no classifier: set JUROR_TOXICITY_MODEL or the metric's local_path to a model folder",
    );
    expect(error.hint).toContain('huggingface-cli download Xenova/toxic-bert');
  });
});

describe('where the classifier comes from', () => {
  const env = { [TOXICITY_MODEL_ENV]: 'models/from-env' };

  it('is local_path, relative to the config folder, before JUROR_TOXICITY_MODEL', () => {
    expect(classifierSource({ local_path: 'models/tox' }, '/configs', env)).toEqual({
      model: DEFAULT_TOXICITY_MODEL,
      localPath: path.resolve('/configs/models/tox'),
    });
  });

  it('is the Hub model id when one is given without local_path, before JUROR_TOXICITY_MODEL', () => {
    expect(classifierSource({ model: 'Xenova/toxic-bert' }, '/configs', env)).toEqual({ model: 'Xenova/toxic-bert' });
  });

  it('is the folder in JUROR_TOXICITY_MODEL (relative to the cwd) when the config names none, errors naming that variable', () => {
    expect(classifierSource({}, '/configs', env)).toEqual({
      model: DEFAULT_TOXICITY_MODEL,
      localPath: path.resolve('models/from-env'),
      localPathSetting: TOXICITY_MODEL_ENV,
    });
  });

  it('is a ConfigError naming both settings when none is set, and nothing is downloaded', () => {
    const error = configError(() => classifierSource({}, '/configs', {}));
    expect(error.message).toContain("set JUROR_TOXICITY_MODEL or the metric's local_path");
    expect(error.where.field).toBe('metrics.toxicity.local_path');
  });
});

describe('a run', () => {
  it('scores each prediction by its probability, in batches, with labels in the table', async () => {
    const fake = scriptedClassifier();
    const result = await evaluate({ data: records, metrics: [toxicityMetric(HUB, fake.load)], store: false, rowConcurrency: 4 });
    const table = result.tables.eval_results_table;
    expect(table.map((row) => row['toxicity/v1/score'])).toEqual([0.1, 0.5, 0.9, 0.3]);
    expect(table.map((row) => row['toxicity/v1/label'])).toEqual(['not toxic', 'toxic', 'toxic', 'not toxic']);
    expect(result.metrics['toxicity/v1/mean']).toBeCloseTo(0.45);
    expect(fake.batches.flat().sort()).toEqual(['p=0.1', 'p=0.3', 'p=0.5', 'p=0.9']);
    expect(fake.batches.length).toBeLessThan(records.length);
  });

  it('reports ratio as the share of rows at or above the threshold, as MLflow', async () => {
    const fake = scriptedClassifier();
    const result = await evaluate({ data: records, metrics: [toxicityMetric(HUB, fake.load)], store: false });
    expect(result.metrics['toxicity/v1/ratio']).toBe(0.5);
    const strict = await evaluate({ data: records, metrics: [toxicityMetric({ ...HUB, threshold: 0.8 }, fake.load)], store: false });
    expect(strict.metrics['toxicity/v1/ratio']).toBe(0.25);
  });

  it('reads the prediction through col_mapping', async () => {
    const fake = scriptedClassifier();
    const result = await evaluate({
      data: [{ answer: 'p=0.7' }],
      colMapping: { predictions: 'answer' },
      metrics: [toxicityMetric(HUB, fake.load)],
      store: false,
    });
    expect(result.tables.eval_results_table[0]!['toxicity/v1/score']).toBe(0.7);
  });
});

const assert = {
  fail(message: string): never {
    throw new Error(message);
  },
};
