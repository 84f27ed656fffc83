/**
 * Juror: LLM-as-a-judge evaluation. The library's public API: judges, metrics, `evaluate()`,
 * the tracking store, and the errors it raises.
 */
export {
  dryRun,
  evaluate,
  type DryRunReport,
  type EvaluateOptions,
  type EvaluationResult,
  type MetricSpec,
  type Progress,
} from './engine/evaluate.js';
export type { ModelEndpoint, ModelUnderTest } from './engine/model-under-test.js';
export { connectRedisLimiter, type EndpointLimits, type Limiter } from './engine/limiter.js';
export type { RedisLimiterOptions } from './engine/limiter-redis.js';
export { aggregate } from './engine/aggregate.js';
export { parseThreshold, checkThresholds, type Threshold, type ThresholdResult } from './engine/thresholds.js';
export {
  makeGenaiMetric,
  makeGenaiMetricFromPrompt,
  judgeKey,
  type Aggregation,
  type AssessmentType,
  type EvaluationExample,
  type Judge,
  type MetricMetadata,
  type OutputKind,
  type PromptJudge,
  type PromptJudgeOptions,
  type RubricJudge,
  type RubricJudgeOptions,
} from './judges/definition.js';
export { judgeFromConfig, judgeToConfig, judgeToYaml } from './judges/serialize.js';
export { judgeSystemPrompt, renderJudgePrompt, type JudgeMessages } from './judges/prompt.js';
export { parseAnswer, answerSchema, type Verdict } from './judges/output.js';
export { builtInMetric, builtInMetricNames, describeBuiltIn } from './metrics/builtin.js';
export { exactMatch } from './metrics/exact-match.js';
export * from './metrics/judges/index.js';
export {
  codeMetric,
  type CodeMetricFn,
  type CodeMetricOptions,
  type CodeMetricResult,
  type CodeMetricRow,
} from './metrics/code/code-metric.js';
export { rougeScore, rougeMetric, type RougeType } from './metrics/text/rouge.js';
export { sentenceBleu, corpusBleu, bleuMetric } from './metrics/text/bleu.js';
export { levenshteinSimilarity, editDistance } from './metrics/text/levenshtein.js';
export { regexMetric } from './metrics/text/regex.js';
export { containsMetric } from './metrics/text/contains.js';
export { readability, readabilityMetric } from './metrics/text/readability.js';
export type { Metric, MetricOutcome, RowInput } from './metrics/metric.js';
export { MODEL_TYPES, type ModelType } from './metrics/presets.js';
export { openDataset, type Dataset, type DataRecord } from './data/dataset.js';
export { importDataset, storedFile, streamRows } from './datasets/index.js';
export { writeTable } from './data/write.js';
export { loadConfig } from './config/load.js';
export { parseModelUri, resolveModel, type EndpointConfig } from './providers/models.js';
export { Store, defaultStoreLocation, type StoreLocation, type RunDetails } from './store/store.js';
export { JurorError, ConfigError, InputError, ProviderError } from './errors.js';
export { JurorClient, JurorApiError } from './client/index.js';
export { jurorMonitor, type JurorMonitor, type JurorMonitorOptions } from './monitoring/middleware.js';
export type { InteractionInput, InteractionRecord } from './client/index.js';
export { InteractionRepository, type Interaction } from './store/interactions.js';
export * from './labeling/index.js';
export { defaultDataDir } from './store/data-dir.js';
