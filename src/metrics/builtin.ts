/**
 * Built-in metrics, by the names users write in `metrics:` — either a bare name (`- exact_match`)
 * or an object naming the metric with its options (`- { metric: precision_at_k, k: 5 }`).
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { exactMatch } from './exact-match.js';
import { BUILT_IN_JUDGES } from './judges/index.js';
import type { Metric } from './metric.js';
import { documentPrecision, documentRecall } from './retrieval/documents.js';
import { ndcgAtKMetric } from './retrieval/ndcg-at-k.js';
import { precisionAtKMetric } from './retrieval/precision-at-k.js';
import { recallAtKMetric } from './retrieval/recall-at-k.js';
import { kOptions } from './retrieval/retrieval-metric.js';
import { bleuMetric, bleuOptions } from './text/bleu.js';
import { containsMetric, containsOptions } from './text/contains.js';
import { jsonMatch, jsonValid } from './text/json.js';
import { latency } from './text/latency.js';
import { editDistance, levenshtein } from './text/levenshtein.js';
import { readabilityMetric } from './text/readability.js';
import { regexMetric, regexOptions } from './text/regex.js';
import { rougeMetric, rougeOptions } from './text/rouge.js';
import { tokenCountMetric, tokenCountOptions } from './text/token-count.js';
import { codeModuleMetric, codeModuleOptions } from './code/code-module.js';
import { cascadeMetric, cascadeOptions } from './cascade.js';
import { distilledMetric, distilledOptions } from './distilled.js';
import { profanityMetric, profanityOptions } from './toxicity/profanity.js';
import { toxicityMetric, toxicityOptions } from './toxicity/toxicity.js';

/** A built-in metric: what it is, its options' schema, and how to make it. */
export interface BuiltIn<Options = Record<string, unknown>> {
  description: string;
  /** Options accepted in the object form (zod strict object); none when absent. */
  options?: z.ZodType<Options>;
  create(options: Options): Metric;
  /** Its options hold metric entries (cascade's `then`), whose errors name fields inside the options: placed under the metric's field. */
  nestsEntries?: boolean;
}

/** Registers a fixed metric that takes no options. */
export function fixed(description: string, metric: Metric): BuiltIn {
  return { description, create: () => metric };
}

/** Registers a metric made from options that a zod schema checks (and fills with defaults). */
export function configurable<S extends z.ZodType<Record<string, unknown>>>(
  description: string,
  options: S,
  create: (options: z.output<S>) => Metric,
): BuiltIn {
  return { description, options, create: (parsed) => create(parsed as z.output<S>) };
}

/** A configurable metric whose options hold metric entries (see {@link BuiltIn.nestsEntries}). */
function nesting<S extends z.ZodType<Record<string, unknown>>>(
  description: string,
  options: S,
  create: (options: z.output<S>) => Metric,
): BuiltIn {
  return { ...configurable(description, options, create), nestsEntries: true };
}

const K = 'option k (or retriever_k), default 3; reported as';

const BUILT_IN: Record<string, BuiltIn> = {
  exact_match: fixed('1 when the prediction equals the target exactly, else 0 (MLflow)', exactMatch),
  rouge1: configurable('ROUGE-1 F-measure of prediction against target, as rouge-score (MLflow); option use_stemmer', rougeOptions, (o) =>
    rougeMetric('rouge1', o),
  ),
  rouge2: configurable('ROUGE-2 F-measure of prediction against target, as rouge-score (MLflow); option use_stemmer', rougeOptions, (o) =>
    rougeMetric('rouge2', o),
  ),
  rougeL: configurable('ROUGE-L (longest common subsequence) F-measure, as rouge-score (MLflow); option use_stemmer', rougeOptions, (o) =>
    rougeMetric('rougeL', o),
  ),
  rougeLsum: configurable(
    'summary-level ROUGE-L over newline-separated sentences, as rouge-score (MLflow); option use_stemmer',
    rougeOptions,
    (o) => rougeMetric('rougeLsum', o),
  ),
  bleu: configurable(
    'sentence BLEU (0-100) of prediction against target, as sacreBLEU: 13a tokens, exp smoothing; options smooth_method, smooth_value, lowercase',
    bleuOptions,
    bleuMetric,
  ),
  token_count: configurable(
    'tokens in the prediction, tiktoken cl100k_base (MLflow); option encoding',
    tokenCountOptions,
    tokenCountMetric,
  ),
  latency: fixed('seconds the model under test took to answer the row (MLflow); needs a model under test', latency),
  flesch_kincaid_grade_level: fixed(
    'Flesch-Kincaid grade level of the prediction, as textstat (MLflow)',
    readabilityMetric('flesch_kincaid_grade_level'),
  ),
  ari_grade_level: fixed('automated readability index of the prediction, as textstat (MLflow)', readabilityMetric('ari_grade_level')),
  flesch_reading_ease: fixed(
    'Flesch reading ease of the prediction, as textstat; higher is easier',
    readabilityMetric('flesch_reading_ease'),
  ),
  levenshtein: fixed('1 - edit distance / longer length of prediction and target (1 when both are empty)', levenshtein),
  json_valid: fixed('1 when the prediction parses as JSON, else 0', jsonValid),
  json_match: fixed('1 when prediction and target parse to equal JSON, else 0', jsonMatch),
  regex: configurable('1 when the prediction matches a regular expression, else 0; options pattern, flags', regexOptions, regexMetric),
  contains: configurable(
    '1 when the prediction contains value (or all / any of a list), else 0; options value, case_sensitive, all',
    containsOptions,
    containsMetric,
  ),
  precision_at_k: configurable(
    `share of the top-k retrieved doc ids that are relevant (MLflow); ${K} precision_at_<k>`,
    kOptions,
    precisionAtKMetric,
  ),
  recall_at_k: configurable(
    `share of the relevant doc ids among the top-k retrieved (MLflow); ${K} recall_at_<k>`,
    kOptions,
    recallAtKMetric,
  ),
  ndcg_at_k: configurable(`NDCG of the top-k retrieved doc ids, binary relevance (MLflow); ${K} ndcg_at_<k>`, kOptions, ndcgAtKMetric),
  document_recall: fixed('share of expected_retrieved_context doc_uris found in retrieved_context (Databricks)', documentRecall),
  document_precision: fixed('share of retrieved_context chunks whose doc_uri is expected (Databricks)', documentPrecision),
  toxicity: configurable(
    'probability of the toxic label from a local hate-speech classifier (MLflow: roberta-hate-speech-dynabench-r4-target, ratio at 0.5) via transformers.js, from a model folder (local_path or JUROR_TOXICITY_MODEL); options local_path, model, threshold, label',
    toxicityOptions,
    toxicityMetric,
  ),
  profanity: configurable(
    "word list, not a classifier: 1 when the prediction contains a word of obscenity's English list (obfuscations too), else 0; option words",
    profanityOptions,
    profanityMetric,
  ),
  code: configurable(
    'your function of the row, exported by a .js/.mjs module; options module (relative to the config), export, name, version, aggregations, greater_is_better',
    codeModuleOptions,
    codeModuleMetric,
  ),
  distilled: configurable(
    'a distilled judge version from the store (juror distill), run in process: no provider, no cost; its 1/0 or score from the columns it was trained on; options judge, version, name',
    distilledOptions,
    distilledMetric,
  ),
  cascade: nesting(
    'the distilled judge first, the LLM judge `then` where its confidence is below min_confidence (values and reads as `then`, here a 1/0 judge of outputs); options first: { distilled, version }, then, min_confidence (0.9), name, version',
    cascadeOptions,
    cascadeMetric,
  ),
  // LLM judges: MLflow's 1–5 rubric judges, Databricks' yes/no judges, LastMile's 1/0 faithfulness (variant: binary).
  ...BUILT_IN_JUDGES,
};

/** The names of every built-in metric. */
export function builtInMetricNames(): string[] {
  return Object.keys(BUILT_IN);
}

/** A built-in metric's description, for listings. */
export function describeBuiltIn(name: string): string | undefined {
  return BUILT_IN[name]?.description;
}

/**
 * A built-in metric by name, with options; an unknown name or a bad option is a config error
 * naming the field.
 * @example builtInMetric('exact_match')
 */
export function builtInMetric(name: string, options: Record<string, unknown> = {}, field = 'metrics'): Metric {
  const builtIn = BUILT_IN[name];
  if (!builtIn) {
    const close = builtInMetricNames().filter((known) => known.includes(name) || name.includes(known) || editDistance(known, name) <= 2);
    throw new ConfigError(`unknown metric '${name}'`, {
      where: { field },
      hint: `${close.length ? `did you mean ${close.join(' or ')}? ` : ''}built-in metrics are: ${builtInMetricNames().join(', ')}; or define a judge with definition/grading_prompt or judge_prompt`,
    });
  }
  if (!builtIn.options) {
    if (Object.keys(options).length) {
      throw new ConfigError(`metric '${name}' takes no options`, {
        where: { field: `${field}.${Object.keys(options)[0]}` },
        hint: `write it as a bare name: - ${name}`,
      });
    }
    return builtIn.create({});
  }
  const parsed = builtIn.options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
    throw new ConfigError(`metric '${name}': ${key ? `${key}: ` : ''}${issue.message}`, {
      where: { field: key ? `${field}.${key}` : field },
      hint: 'see the metric reference in README.md',
    });
  }
  try {
    return builtIn.create(parsed.data as Record<string, unknown>);
  } catch (error) {
    if (builtIn.nestsEntries && error instanceof ConfigError && error.where.field) error.where.field = `${field}.${error.where.field}`;
    throw error;
  }
}
