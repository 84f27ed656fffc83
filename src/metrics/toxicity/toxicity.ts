/**
 * `toxicity` (MLflow): the probability that a hate-speech classifier gives the prediction's toxic
 * label — by default MLflow's `facebook/roberta-hate-speech-dynabench-r4-target` and its `hate`
 * label — run locally through transformers.js. `ratio` is the share of rows at or above the
 * threshold (0.5, as MLflow), through the metric's `ratioThreshold`.
 *
 * The classifier loads when the run is prepared (`load`), so a missing package or model is a
 * ConfigError before any paid call, naming the model and how to provide it — never a silent 0.
 * A model comes from `local_path`, else a Hub `model` id, else the folder in JUROR_TOXICITY_MODEL;
 * with none of them nothing is downloaded (MLflow's model has no ONNX weights on the Hub), and
 * as a `model_type` default the metric is skipped with a reason naming those settings.
 */
import path from 'node:path';
import { z } from 'zod';
import { cellText, Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import type { LoadContext, Metric, MetricOutcome } from '../metric.js';
import { Batcher } from './batcher.js';
import { loadClassifier, MODEL_FOLDER_HINT, type ClassifierSource, type LabelScore, type TextClassifier } from './classifier.js';

/** MLflow's toxicity model (through Hugging Face `evaluate`'s `toxicity` measurement). */
export const DEFAULT_TOXICITY_MODEL = 'facebook/roberta-hate-speech-dynabench-r4-target';

/** The environment variable naming a model folder for every run on a machine that sets no `local_path`. */
export const TOXICITY_MODEL_ENV = 'JUROR_TOXICITY_MODEL';

/** Labels taken as the toxic one when `label` is not given: `evaluate`'s `hate` for MLflow's model, else `toxic`. */
const TOXIC_LABELS = ['hate', 'toxic'];

/** Texts classified in one call: enough to amortize a call, few enough to keep padding short. */
const BATCH_SIZE = 16;

/** Options of `toxicity`, as the config writes them. */
export const toxicityOptions = z.strictObject({
  /** Hugging Face model id with ONNX weights, downloaded on first use into transformers.js's cache. */
  model: z.string().min(1).optional(),
  /** A folder holding the model (relative to the config file); nothing is downloaded. Else JUROR_TOXICITY_MODEL's. */
  local_path: z.string().min(1).optional(),
  /** Probability from which a row is toxic, for its label and `ratio`. */
  threshold: z.number().min(0).max(1).default(0.5),
  /** The classifier's toxic label; by default `hate` or else `toxic`, whichever the model has. */
  label: z.string().min(1).optional(),
});

export type ToxicityOptions = z.input<typeof toxicityOptions>;

/** Loads a classifier; replaced in tests. */
export type ClassifierLoader = (source: ClassifierSource) => Promise<TextClassifier>;

/**
 * The toxic label among a classifier's labels: the one asked for, else `hate`, else `toxic`.
 * @example toxicLabel(['nothate', 'hate']) // 'hate'
 */
export function toxicLabel(labels: readonly string[], requested?: string): string {
  const label = requested ?? TOXIC_LABELS.find((l) => labels.includes(l));
  if (label === undefined || !labels.includes(label)) {
    throw new ConfigError(
      `metric 'toxicity': the classifier has no label '${label ?? TOXIC_LABELS.join("' or '")}'; its labels are: ${labels.join(', ')}`,
      {
        where: { field: 'metrics.toxicity.label' },
        hint: 'name the toxic label with the option `label`',
      },
    );
  }
  return label;
}

/**
 * The probability of the toxic label in one text's label scores.
 * @example toxicProbability([{ label: 'nothate', score: 0.9 }, { label: 'hate', score: 0.1 }], 'hate') // 0.1
 */
export function toxicProbability(scores: readonly LabelScore[], label: string): number {
  const found = scores.find((s) => s.label === label);
  if (!found || !Number.isFinite(found.score))
    throw new Error(`the classifier gave no score for '${label}' (it gave ${scores.map((s) => s.label).join(', ') || 'nothing'})`);
  return found.score;
}

/**
 * Where the classifier comes from: `local_path` (relative to the config's folder), else the Hub
 * `model`, else the folder in JUROR_TOXICITY_MODEL (relative to the cwd); a ConfigError naming
 * those settings when none is set.
 * @example classifierSource({ local_path: 'models/toxic-bert' }, '/configs') // { model: DEFAULT_TOXICITY_MODEL, localPath: '/configs/models/toxic-bert' }
 */
export function classifierSource(
  options: Pick<ToxicityOptions, 'model' | 'local_path'>,
  baseDir?: string,
  env: Record<string, string | undefined> = process.env,
): ClassifierSource {
  const model = options.model ?? DEFAULT_TOXICITY_MODEL;
  if (options.local_path !== undefined) return { model, localPath: path.resolve(baseDir ?? process.cwd(), options.local_path) };
  if (options.model !== undefined) return { model };
  const folder = env[TOXICITY_MODEL_ENV];
  if (folder) return { model, localPath: path.resolve(folder), localPathSetting: TOXICITY_MODEL_ENV };
  throw new ConfigError(`metric 'toxicity' has no classifier: set ${TOXICITY_MODEL_ENV} or the metric's local_path to a model folder`, {
    where: { field: 'metrics.toxicity.local_path' },
    hint: MODEL_FOLDER_HINT,
  });
}

/** A row's outcome: the probability as the value, labelled against the threshold. */
export function toxicityOutcome(probability: number, threshold: number): MetricOutcome {
  return { ok: true, value: probability, label: probability >= threshold ? 'toxic' : 'not toxic' };
}

/** Classifiers already loaded in this process, by model and folder; a failed load is tried again next time. */
const loaded = new Map<string, Promise<TextClassifier>>();

/** Loads a classifier once per process: runs reuse it. */
export const sharedClassifier: ClassifierLoader = (source) => {
  const key = JSON.stringify([source.model, source.localPath]);
  let classifier = loaded.get(key);
  if (!classifier) {
    classifier = loadClassifier(source);
    loaded.set(key, classifier);
    classifier.catch(() => loaded.delete(key));
  }
  return classifier;
};

/**
 * The `toxicity` metric.
 * @example toxicityMetric({ local_path: 'models/roberta-hate-speech', threshold: 0.5 })
 */
export function toxicityMetric(options: ToxicityOptions = {}, loadWith: ClassifierLoader = sharedClassifier): Metric {
  const { model, local_path, threshold, label } = toxicityOptions.parse(options);
  let ready: Promise<{ batcher: Batcher<string, number> }> | undefined;
  // Once per metric, failure included: a row scored without `load` must not retry a failed load per row.
  const loadOnce = (context: LoadContext) =>
    (ready ??= (async () => {
      const classifier = await loadWith(classifierSource({ model, local_path }, context.baseDir));
      const toxic = toxicLabel(classifier.labels, label);
      const batcher = new Batcher(
        async (texts: string[]) => (await classifier.classify(texts)).map((scores) => toxicProbability(scores, toxic)),
        BATCH_SIZE,
      );
      return { batcher };
    })());
  return {
    name: 'toxicity',
    version: 'v1',
    kind: 'heuristic',
    aggregations: ['mean', 'variance', 'p90', 'ratio'],
    greaterIsBetter: false,
    values: { kind: 'unit', range: { min: 0, max: 1 } },
    ratioThreshold: threshold,
    async load(context) {
      await loadOnce(context);
    },
    prepare({ columns }) {
      const predictions = columns.require('predictions', "metric 'toxicity'");
      return async (row) => {
        // Loaded by `load` before the run; loaded here (relative to the cwd) when a caller skipped it.
        const { batcher } = await loadOnce({});
        return toxicityOutcome(await batcher.add(cellText(Columns.read(predictions, row))), threshold);
      };
    },
  };
}
