/**
 * Distilling a judge: rows with labels in, a calibrated classifier and an honest report out. The
 * report is cross-validated — every row is scored by a model that never saw it — and compares
 * those out-of-fold verdicts with the training labels, the human labels and the LLM judge's labels
 * (the agreement statistics of src/agreement, with bootstrap intervals), plus calibration: the
 * temperature is fitted on the out-of-fold logits, and the expected calibration error and the
 * reliability table are of those calibrated out-of-fold probabilities. The model that is kept is
 * then fitted on every row, with that temperature.
 *
 * Features a training fold never saw in at least `minRows` of its rows get no weight (2 by default:
 * most character n-grams occur once, and a feature seen once only learns that row's label).
 */
import { compareLabels, labelScheme, type AgreementReport } from '../agreement/index.js';
import type { DataRecord } from '../data/dataset.js';
import { InputError } from '../errors.js';
import type { OutputKind } from '../judges/definition.js';
import { fitTemperature, probabilities, reliability, top, type ReliabilityBin } from './calibration.js';
import { stratifiedFolds } from './cross-validate.js';
import { loadEmbedder } from './embeddings.js';
import { balancedWeights, fitLogistic, logits } from './logistic.js';
import { encodeWeights, type DistilledDefinition, type FeatureParameters } from './model.js';
import { defaultNgrams, ngramFeatures, type SparseRow } from './ngrams.js';

/** A labelled row: its record, the label to learn (a class value) and, where known, who gave which label. */
export interface TrainingRow {
  record: DataRecord;
  label: number;
  /** A person's label of the row, if any. */
  human?: number | null;
  /** The LLM judge's label of the row, if any. */
  llm?: number | null;
}

/** How to distil. */
export interface DistillOptions {
  name: string;
  version: string;
  /** The labels' output kind: binary, yes/no or a scale. */
  output: OutputKind;
  /** The text columns the criterion reads. */
  columns: string[];
  /** `ngrams` (default) or a local embedding model. */
  features?: 'ngrams' | { embeddings: { model: string; localPath?: string } };
  /** Cross-validation folds; default 5. */
  folds?: number;
  /** Seed of the fold assignment and the bootstrap; default 1. */
  seed?: number;
  /** Inverse regularisation strength (scikit-learn's C); default 10. */
  C?: number;
  /** A feature is used when at least this many training rows have it; default 2. */
  minRows?: number;
  /** Called as folds finish: `done` of `total` fits. */
  onProgress?: (done: number, total: number) => void;
}

/** What the cross-validation found. */
export interface DistillReport {
  rows: number;
  /** Rows per class value. */
  class_counts: Record<string, number>;
  folds: number;
  seed: number;
  C: number;
  features: { kind: FeatureParameters['kind']; columns: string[]; used: number };
  /** Cross-validated accuracy against the training labels. */
  accuracy: number;
  agreement: { labels: AgreementReport; human?: AgreementReport; llm?: AgreementReport };
  calibration: { temperature: number; ece: number; ece_before: number; reliability: ReliabilityBin[] };
  /** Share of rows whose calibrated confidence reaches each bar, and the accuracy on them: what a cascade would keep. */
  coverage: Array<{ min_confidence: number; share: number; accuracy: number | null }>;
  training_ms: number;
}

/** A distilled judge and its report. */
export interface Distilled {
  definition: DistilledDefinition;
  report: DistillReport;
}

/** The class values of an output kind. */
export function outputClasses(output: OutputKind): number[] {
  switch (output.type) {
    case 'scale':
      return Array.from({ length: output.max - output.min + 1 }, (_, i) => output.min + i);
    case 'binary':
    case 'yes_no':
      return [0, 1];
    case 'categories':
      return [...new Set(Object.values(output.labels))].sort((a, b) => a - b);
  }
}

/**
 * Trains and cross-validates a distilled judge.
 * @example const { definition, report } = await distill(rows, { name: 'helpful', version: 'v2', output: { type: 'binary' }, columns: ['answer'] });
 */
export async function distill(rows: TrainingRow[], options: DistillOptions): Promise<Distilled> {
  const started = performance.now();
  const classes = outputClasses(options.output);
  const classOf = new Map(classes.map((value, i) => [value, i]));
  const y = Int32Array.from(rows, (row, i) => {
    const c = classOf.get(row.label);
    if (c === undefined)
      throw new InputError(`row ${i} has label ${row.label}, which is not one of ${classes.join(', ')}`, { where: { row: i } });
    return c;
  });
  const counts = classes.map((_, c) => y.filter((v) => v === c).length);
  const present = counts.filter((n) => n > 0).length;
  if (present < 2) {
    throw new InputError(`every labelled row has the same label (${rows[0]?.label ?? 'none'}): there is nothing to learn`, {
      hint: 'distil from rows labelled both ways',
    });
  }
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 1;
  const C = options.C ?? 10;
  const minRows = options.minRows ?? 2;
  const smallest = Math.min(...counts.filter((n) => n > 0));
  if (folds < 2 || smallest < folds) {
    throw new InputError(`${folds}-fold cross-validation needs at least ${folds} rows of each label; the rarest label has ${smallest}`, {
      hint: `label more rows, or lower --folds (at least 2)`,
    });
  }

  const { features, featurized } = await featurize(rows, options);
  const fold = stratifiedFolds(y, classes.length, folds, seed);
  const outOfFold: Float64Array[] = new Array<Float64Array>(rows.length);
  for (let f = 0; f < folds; f++) {
    const train = indicesWhere(fold, (v) => v !== f);
    const fitted = fitOn(featurized, y, train, classes.length, C, minRows);
    for (let i = 0; i < rows.length; i++) {
      if (fold[i] === f) outOfFold[i] = logits(fitted.model, fitted.remap(featurized[i]!));
    }
    options.onProgress?.(f + 1, folds + 1);
  }
  const temperature = fitTemperature(outOfFold, y);
  const calibrated = probabilities(outOfFold, temperature);
  const predicted = calibrated.map((p) => classes[top(p).index]!);
  const calibration = reliability(calibrated, y);
  const final = fitOn(
    featurized,
    y,
    rows.map((_, i) => i),
    classes.length,
    C,
    minRows,
  );
  options.onProgress?.(folds + 1, folds + 1);

  const scheme = labelScheme(options.output);
  const asLabel = (value: number | null | undefined) =>
    value === null || value === undefined ? null : options.output.type === 'yes_no' ? (value === 1 ? 'yes' : 'no') : value;
  const compare = (truth: Array<number | null | undefined>) => compareLabels(truth.map(asLabel), predicted.map(asLabel), scheme, { seed });
  const humans = rows.map((r) => r.human);
  const llms = rows.map((r) => r.llm);
  const correct = predicted.filter((value, i) => value === rows[i]!.label).length;
  const definition: DistilledDefinition = {
    kind: 'distilled',
    name: options.name,
    version: options.version,
    output: options.output,
    classes,
    features,
    weights: encodeWeights(final.model, final.featureIndex),
    temperature,
  };
  return {
    definition,
    report: {
      rows: rows.length,
      class_counts: Object.fromEntries(classes.map((value, c) => [String(value), counts[c]!])),
      folds,
      seed,
      C,
      features: { kind: features.kind, columns: features.columns, used: final.featureIndex.length },
      accuracy: correct / rows.length,
      agreement: {
        labels: compare(rows.map((r) => r.label)),
        ...(humans.some((h) => h !== null && h !== undefined) ? { human: compare(humans) } : {}),
        ...(llms.some((l) => l !== null && l !== undefined) ? { llm: compare(llms) } : {}),
      },
      calibration: {
        temperature,
        ece: calibration.ece,
        ece_before: reliability(probabilities(outOfFold, 1), y).ece,
        reliability: calibration.table,
      },
      coverage: [0.5, 0.7, 0.8, 0.9, 0.95, 0.99].map((bar) => {
        const kept = calibrated.map((p, i) => [top(p).confidence, i] as const).filter(([confidence]) => confidence >= bar);
        const right = kept.filter(([, i]) => predicted[i] === rows[i]!.label).length;
        return { min_confidence: bar, share: kept.length / rows.length, accuracy: kept.length ? right / kept.length : null };
      }),
      training_ms: Math.round(performance.now() - started),
    },
  };
}

async function featurize(rows: TrainingRow[], options: DistillOptions): Promise<{ features: FeatureParameters; featurized: SparseRow[] }> {
  const chosen = options.features ?? 'ngrams';
  if (chosen === 'ngrams') {
    const params = defaultNgrams(options.columns);
    return { features: params, featurized: rows.map((row) => ngramFeatures(params, row.record)) };
  }
  const base = { kind: 'embeddings' as const, model: chosen.embeddings.model, columns: options.columns };
  const withPath = chosen.embeddings.localPath ? { ...base, localPath: chosen.embeddings.localPath } : base;
  const { embed, size } = await loadEmbedder(withPath);
  const featurized: SparseRow[] = [];
  for (let from = 0; from < rows.length; from += 64) featurized.push(...(await embed(rows.slice(from, from + 64).map((r) => r.record))));
  return { features: { ...withPath, size }, featurized };
}

function indicesWhere(values: Int32Array, keep: (value: number) => boolean): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (keep(v)) out.push(i);
  });
  return out;
}

/** Fits on the rows `train`, over the features at least `minRows` of them have, renumbered 0..n-1. */
function fitOn(featurized: SparseRow[], y: Int32Array, train: number[], classes: number, C: number, minRows: number) {
  const seen = new Map<number, number>();
  for (const i of train) for (const index of featurized[i]!.indices) seen.set(index, (seen.get(index) ?? 0) + 1);
  const featureIndex = Int32Array.from([...seen].filter(([, n]) => n >= minRows).map(([index]) => index)).sort();
  const column = new Map<number, number>();
  featureIndex.forEach((index, c) => column.set(index, c));
  const remap = (row: SparseRow): SparseRow => {
    const indices: number[] = [];
    const values: number[] = [];
    row.indices.forEach((index, j) => {
      const c = column.get(index);
      if (c !== undefined) {
        indices.push(c);
        values.push(row.values[j]!);
      }
    });
    return { indices: Int32Array.from(indices), values: Float64Array.from(values) };
  };
  const trainY = Int32Array.from(train, (i) => y[i]!);
  const { model } = fitLogistic({
    rows: train.map((i) => remap(featurized[i]!)),
    y: trainY,
    classes,
    features: featureIndex.length,
    weights: balancedWeights(trainY, classes),
    C,
  });
  return { model, featureIndex, remap };
}
