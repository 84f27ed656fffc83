/**
 * A distilled judge as it is stored and run: its features' parameters, the classes it predicts
 * (the judge's label values), the weights of the features it was trained on — sparse, as base64 of
 * little-endian Int32 (hashed feature index) and Float32 (one weight per class) arrays — and the
 * temperature that calibrates its probabilities. Scoring decodes the weights once into a dense
 * table over the hashed space, so one row costs its features and a few multiply-adds each.
 */
import { z } from 'zod';
import type { DataRecord } from '../data/dataset.js';
import { JurorError } from '../errors.js';
import type { OutputKind } from '../judges/definition.js';
import { top } from './calibration.js';
import { loadEmbedder, type EmbeddingParameters } from './embeddings.js';
import { softmax, type LogisticModel } from './logistic.js';
import { ngramFeatures, type NgramParameters, type SparseRow } from './ngrams.js';

/** The features a distilled judge reads. */
export type FeatureParameters = NgramParameters | EmbeddingParameters;

/** A distilled judge's definition: everything needed to score a row. */
export interface DistilledDefinition {
  kind: 'distilled';
  name: string;
  version: string;
  /** The output kind of the labels it learned (binary 1/0, yes/no, a scale). */
  output: OutputKind;
  /** The value of each class, ascending: the row's value when that class wins. */
  classes: number[];
  features: FeatureParameters;
  weights: {
    /** Base64 of the Int32 feature indices that have weights, ascending. */
    indices: string;
    /** Base64 of Float32 weights, `classes.length` per index. */
    values: string;
    intercepts: number[];
  };
  temperature: number;
}

/** A row's verdict: the winning class's value and its calibrated probability. */
export interface DistilledVerdict {
  value: number;
  confidence: number;
  probabilities: Float64Array;
}

const outputSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('scale'), min: z.number(), max: z.number() }),
  z.looseObject({ type: z.literal('yes_no'), threshold: z.number() }),
  z.looseObject({ type: z.literal('binary') }),
  z.looseObject({ type: z.literal('categories'), labels: z.record(z.string(), z.number()) }),
]);

const definitionSchema = z.looseObject({
  kind: z.literal('distilled'),
  name: z.string(),
  version: z.string(),
  output: outputSchema,
  classes: z.array(z.number()).min(2),
  features: z.discriminatedUnion('kind', [
    z.looseObject({
      kind: z.literal('ngrams'),
      dimension: z.number().int().positive(),
      columns: z.array(z.string()).min(1),
      words: z.tuple([z.number().int(), z.number().int()]),
      chars: z.tuple([z.number().int(), z.number().int()]),
      maxChars: z.number().int().positive(),
    }),
    z.looseObject({
      kind: z.literal('embeddings'),
      model: z.string(),
      localPath: z.string().optional(),
      columns: z.array(z.string()).min(1),
      size: z.number().int().positive(),
    }),
  ]),
  weights: z.looseObject({ indices: z.string(), values: z.string(), intercepts: z.array(z.number()) }),
  temperature: z.number().positive(),
});

/** Parses a stored definition (JSON text); one that does not read as a distilled judge is a store error naming it. */
export function parseDistilled(json: string, id: string): DistilledDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new JurorError('store', `distilled judge ${id} in the store is not valid JSON`, {
      cause,
      hint: 'the store was changed outside Juror: restore it from a backup',
    });
  }
  const result = definitionSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new JurorError(
      'store',
      `distilled judge ${id} in the store is not readable: ${issue.path.join('.') || 'definition'}: ${issue.message}`,
      {
        hint: 'the store was changed outside Juror, or by a newer Juror: restore it from a backup, or upgrade',
      },
    );
  }
  return result.data as DistilledDefinition;
}

/**
 * The weights of a model fitted on compact feature columns, as stored: `featureIndex[c]` is the
 * hashed index of column c. Weights are rounded to Float32.
 */
export function encodeWeights(model: LogisticModel, featureIndex: Int32Array): DistilledDefinition['weights'] {
  const values = new Float32Array(model.w.length);
  values.set(model.w);
  return {
    indices: Buffer.from(Int32Array.from(featureIndex).buffer).toString('base64'),
    values: Buffer.from(values.buffer).toString('base64'),
    intercepts: [...model.b],
  };
}

function decode<T extends Int32Array | Float32Array>(base64: string, make: (buffer: ArrayBuffer) => T): T {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy);
}

/** A loaded distilled judge: scores records in process. */
export interface DistilledScorer {
  readonly definition: DistilledDefinition;
  /** Verdicts for a batch of records (n-gram features score synchronously underneath). */
  score(records: DataRecord[]): Promise<DistilledVerdict[]>;
  /** The verdict for one record, without waiting: n-gram judges only (undefined for embeddings). */
  scoreNow?(record: DataRecord): DistilledVerdict;
}

/** Loads a definition for scoring: decodes its weights, and loads its embedding model if it has one. */
export async function loadDistilled(definition: DistilledDefinition): Promise<DistilledScorer> {
  const K = definition.classes.length;
  const indices = decode(definition.weights.indices, (b) => new Int32Array(b));
  const values = decode(definition.weights.values, (b) => new Float32Array(b));
  if (values.length !== indices.length * K || definition.weights.intercepts.length !== K) {
    throw new JurorError('store', `distilled judge ${definition.name}/${definition.version} has weights of the wrong size`, {
      hint: 'the store was changed outside Juror: distil the judge again',
    });
  }
  const features = definition.features;
  const dimension = features.kind === 'ngrams' ? features.dimension : features.size * features.columns.length;
  const table = new Float32Array(dimension * K);
  for (let i = 0; i < indices.length; i++) table.set(values.subarray(i * K, (i + 1) * K), indices[i]! * K);
  const intercepts = Float64Array.from(definition.weights.intercepts);
  const verdict = (row: SparseRow): DistilledVerdict => {
    const z = Float64Array.from(intercepts);
    for (let j = 0; j < row.indices.length; j++) {
      const base = row.indices[j]! * K;
      const x = row.values[j]!;
      for (let k = 0; k < K; k++) z[k]! += x * table[base + k]!;
    }
    const probabilities = softmax(z, definition.temperature);
    const best = top(probabilities);
    return { value: definition.classes[best.index]!, confidence: best.confidence, probabilities };
  };
  if (features.kind === 'ngrams') {
    const scoreNow = (record: DataRecord) => verdict(ngramFeatures(features, record));
    return { definition, scoreNow, score: async (records) => records.map(scoreNow) };
  }
  const { embed } = await loadEmbedder(features);
  return { definition, score: async (records) => (await embed(records)).map(verdict) };
}
