/**
 * Sentence-embedding features: a local ONNX embedding model run by transformers.js's
 * `feature-extraction` pipeline (mean pooling, L2-normalised, as sentence-transformers), one
 * embedding per text column, concatenated. transformers.js is the optional dependency the toxicity
 * metric already uses (src/metrics/toxicity/classifier.ts says why it is optional); it is imported
 * only when an embedding model is loaded.
 */
import type { DataRecord } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { TRANSFORMERS_PACKAGE, type ImportTransformers } from '../metrics/toxicity/classifier.js';
import type { SparseRow } from './ngrams.js';
import { cellText } from '../data/columns.js';

/** Which embedding model, over which columns; stored with a distilled judge. */
export interface EmbeddingParameters {
  kind: 'embeddings';
  /** A Hub model id (`Xenova/all-MiniLM-L6-v2`), or the name of the model in `localPath`. */
  model: string;
  /** An absolute folder with config.json, tokenizer.json and onnx/model.onnx; nothing is downloaded. */
  localPath?: string;
  columns: string[];
  /** Size of one column's embedding; known once the model has embedded a text. */
  size: number;
}

/** Embeds records into dense rows (as sparse rows holding every index). */
export type Embedder = (records: DataRecord[]) => Promise<SparseRow[]>;

interface FeatureExtraction {
  (texts: string[], options: { pooling: 'mean'; normalize: true }): Promise<{ dims: number[]; data: Float32Array }>;
}

const importInstalled: ImportTransformers = () => import(TRANSFORMERS_PACKAGE);

/**
 * Loads the embedding model of `params` and returns the embedder and the size of one embedding.
 * A missing package or model is a ConfigError saying how to provide it.
 */
export async function loadEmbedder(
  params: Omit<EmbeddingParameters, 'size'>,
  importTransformers: ImportTransformers = importInstalled,
): Promise<{ embed: Embedder; size: number }> {
  let module: { pipeline?: (task: string, model: string, options: Record<string, unknown>) => Promise<FeatureExtraction> };
  try {
    module = (await importTransformers()) as typeof module;
  } catch (cause) {
    throw new ConfigError(`embedding features need ${TRANSFORMERS_PACKAGE}, which cannot be imported: ${String(cause).split('\n')[0]}`, {
      hint: `install it (npm install ${TRANSFORMERS_PACKAGE}; ONNXRUNTIME_NODE_INSTALL=skip where api.nuget.org is unreachable), or use --features ngrams, which need nothing`,
      cause,
    });
  }
  if (typeof module.pipeline !== 'function') {
    throw new ConfigError(`${TRANSFORMERS_PACKAGE} has no pipeline() function`, {
      hint: `install a version of ${TRANSFORMERS_PACKAGE} from 3 on`,
    });
  }
  let pipe: FeatureExtraction;
  try {
    pipe = await module.pipeline(
      'feature-extraction',
      params.localPath ?? params.model,
      params.localPath ? { local_files_only: true, subfolder: 'onnx', dtype: 'fp32' } : {},
    );
  } catch (cause) {
    throw new ConfigError(`cannot load the embedding model ${params.localPath ?? params.model}: ${String(cause).split('\n')[0]}`, {
      hint: 'give a folder with config.json, tokenizer.json and onnx/model.onnx (e.g. huggingface-cli download Xenova/all-MiniLM-L6-v2 --local-dir models/minilm) as --embedding-path, or let this machine reach huggingface.co',
      cause,
    });
  }
  const embedTexts = async (texts: string[]): Promise<Float32Array[]> => {
    const out = await pipe(texts, { pooling: 'mean', normalize: true });
    const size = out.dims[out.dims.length - 1]!;
    return texts.map((_, i) => out.data.subarray(i * size, (i + 1) * size));
  };
  const size = (await embedTexts(['size']))[0]!.length;
  const embed: Embedder = async (records) => {
    const perColumn = await Promise.all(params.columns.map((column) => embedTexts(records.map((r) => cellText(r[column]) || ' '))));
    const width = size * params.columns.length;
    const indices = Int32Array.from({ length: width }, (_, i) => i);
    return records.map((_, i) => {
      const values = new Float64Array(width);
      perColumn.forEach((vectors, c) => values.set(vectors[i]!, c * size));
      // Each column's embedding has norm 1: scale the row back to norm 1.
      const scale = 1 / Math.sqrt(params.columns.length);
      for (let j = 0; j < width; j++) values[j]! *= scale;
      return { indices, values };
    });
  };
  return { embed, size };
}
