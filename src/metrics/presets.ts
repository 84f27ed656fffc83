/**
 * Default metrics per model type, as MLflow's `model_type` defaults. Toxicity needs a local
 * classifier (transformers.js and an ONNX model); where it cannot load, it is skipped and reported
 * like any default that cannot run on the data.
 */
import { ConfigError } from '../errors.js';

export const MODEL_TYPES = ['text', 'question-answering', 'text-summarization', 'retriever', 'none'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

const TEXT = ['token_count', 'toxicity', 'flesch_kincaid_grade_level', 'ari_grade_level'];

const PRESETS: Record<ModelType, string[]> = {
  text: TEXT,
  'question-answering': [...TEXT, 'exact_match'],
  'text-summarization': [...TEXT, 'rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
  // k = 3, MLflow's default `retriever_k`.
  retriever: ['precision_at_k', 'recall_at_k', 'ndcg_at_k'],
  none: [],
};

/** The default metric names of a model type. */
export function presetMetrics(modelType: string): string[] {
  const preset = PRESETS[modelType as ModelType];
  if (!preset) {
    throw new ConfigError(`unknown model_type '${modelType}'`, { where: { field: 'model_type' }, hint: `use one of: ${MODEL_TYPES.join(', ')}` });
  }
  return preset;
}
