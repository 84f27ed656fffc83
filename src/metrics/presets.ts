/**
 * Default metrics per model type, as MLflow's `model_type`. Only metrics Juror has today are
 * listed; the rest of MLflow's defaults (token_count, toxicity, readability, ROUGE) join as they land.
 */
import { ConfigError } from '../errors.js';

export const MODEL_TYPES = ['text', 'question-answering', 'text-summarization', 'retriever', 'none'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

const PRESETS: Record<ModelType, string[]> = {
  text: [],
  'question-answering': ['exact_match'],
  'text-summarization': [],
  retriever: [],
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
