/**
 * Default metrics per model type, as MLflow's `model_type` defaults. Toxicity needs a local
 * classifier (transformers.js and an ONNX model); where it cannot load, it is skipped and reported
 * like any default that cannot run on the data.
 *
 * `databricks-agent` follows Databricks Agent Evaluation: every built-in LLM judge that the data's
 * columns allow, plus the non-LLM metrics it always computes (token count, latency, document
 * recall/precision against ground truth). `metrics:` narrows the judges only — `metrics: []` runs
 * no judge — and cannot turn the non-LLM metrics off, as in Databricks.
 */
import { ConfigError } from '../errors.js';

export const MODEL_TYPES = [
  'text',
  'text-generation',
  'question-answering',
  'text-summarization',
  'retriever',
  'databricks-agent',
  'none',
] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

const TEXT = ['token_count', 'toxicity', 'flesch_kincaid_grade_level', 'ari_grade_level'];

/** Databricks' built-in judges, in its root-cause order (retrieval first, then the response). */
const DATABRICKS_JUDGES = [
  'chunk_relevance',
  'context_sufficiency',
  'groundedness',
  'correctness',
  'relevance_to_query',
  'safety',
  'guideline_adherence',
];
/** The metrics Databricks computes whatever judges are asked for. */
const DATABRICKS_ALWAYS = ['token_count', 'latency', 'document_recall', 'document_precision'];

const PRESETS: Record<ModelType, string[]> = {
  text: TEXT,
  // MLflow Gym's name for the same model type (seed 002).
  'text-generation': TEXT,
  'question-answering': [...TEXT, 'exact_match'],
  'text-summarization': [...TEXT, 'rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
  // k = 3, MLflow's default `retriever_k`.
  retriever: ['precision_at_k', 'recall_at_k', 'ndcg_at_k'],
  'databricks-agent': [...DATABRICKS_JUDGES, ...DATABRICKS_ALWAYS],
  none: [],
};

const ALWAYS: Partial<Record<ModelType, string[]>> = { 'databricks-agent': DATABRICKS_ALWAYS };

/** The default metric names of a model type. */
export function presetMetrics(modelType: string): string[] {
  const preset = PRESETS[modelType as ModelType];
  if (!preset) {
    throw new ConfigError(`unknown model_type '${modelType}'`, {
      where: { field: 'model_type' },
      hint: `use one of: ${MODEL_TYPES.join(', ')}`,
    });
  }
  return preset;
}

/**
 * The defaults of a model type that `metrics:` does not replace (Databricks' non-LLM metrics);
 * empty for MLflow's model types, whose defaults `metrics:` replaces whole.
 */
export function alwaysOnMetrics(modelType: string): string[] {
  presetMetrics(modelType);
  return ALWAYS[modelType as ModelType] ?? [];
}
