/**
 * Configs given as objects (JSON over HTTP, or built in code) instead of YAML files: the same
 * schema, the same judges and the same `evaluate()` options as `loadConfig`, with errors naming
 * the field by its path (`metrics[0].grading_prompt`) where the loader adds a line and column.
 *
 * `optionsFromConfig`, `describeConfigIssue` and `judgeFieldByIndex` are written to be shared
 * with `load.ts`, which can call them in place of its own copies of the same steps.
 */
import type { z } from 'zod';
import type { EvaluateOptions, MetricSpec } from '../engine/evaluate.js';
import { ConfigError } from '../errors.js';
import { judgeFromConfig } from '../judges/serialize.js';
import { builtInMetric } from '../metrics/builtin.js';
import { MODEL_TYPES } from '../metrics/presets.js';
import { configSchema, type JurorConfig } from './schema.js';

/** A config checked and turned into `evaluate()` options. */
export interface ObjectConfig {
  config: JurorConfig;
  options: EvaluateOptions;
}

/** What went wrong in a config, for a person: the message, the field (path and text) and a fix. */
export interface ConfigIssue {
  message: string;
  /** `metrics[0].grading_prompt`; empty for the config as a whole. */
  field: string;
  path: Array<string | number>;
  hint: string;
}

/**
 * Checks a config object and makes `evaluate()` options from it, as `loadConfig` does for a file.
 * A relative `data` path resolves against `baseDir`. Throws ConfigError naming the field.
 */
export function configFromObject(object: unknown, baseDir: string): ObjectConfig {
  if (!object || typeof object !== 'object' || Array.isArray(object)) {
    throw new ConfigError('the config must be an object of config keys (experiment, metrics, judge_model, …)', {
      hint: 'see the config reference in README.md',
    });
  }
  const parsed = configSchema.safeParse(object);
  if (!parsed.success) {
    const issue = describeConfigIssue(parsed.error);
    throw new ConfigError(issue.message, { where: issue.field ? { field: issue.field } : {}, hint: issue.hint });
  }
  return { config: parsed.data, options: optionsFromConfig(parsed.data, { baseDir, raw: object }) };
}

/**
 * Builds `evaluate()` options from a checked config. `onMetricError` may add a position to a
 * metric's error (the YAML loader does) before it is thrown.
 */
export function optionsFromConfig(
  config: JurorConfig,
  context: { baseDir: string; raw: unknown; onMetricError?: (error: unknown, key: 'metrics' | 'extra_metrics', index: number) => unknown },
): EvaluateOptions {
  const metricSpecs = (list: unknown[], key: 'metrics' | 'extra_metrics'): MetricSpec[] =>
    list.map((entry, i) => {
      try {
        if (typeof entry === 'string') return entry;
        if (entry && typeof entry === 'object' && 'metric' in entry) {
          const { metric, ...rest } = entry as { metric: unknown };
          return builtInMetric(String(metric), rest, `${key}[${i}]`);
        }
        return judgeFromConfig(entry, `${key}[${i}]`);
      } catch (error) {
        throw context.onMetricError ? context.onMetricError(error, key, i) : error;
      }
    });
  const model = config.model;
  return {
    ...(typeof config.data === 'string'
      ? { data: config.data }
      : { data: config.data.path, ...(config.data.encoding ? { dataEncoding: config.data.encoding } : {}) }),
    baseDir: context.baseDir,
    config: context.raw,
    ...(config.experiment ? { experiment: config.experiment } : {}),
    ...(config.run_name ? { runName: config.run_name } : {}),
    ...(config.col_mapping ? { colMapping: config.col_mapping } : {}),
    ...(model
      ? {
          model: {
            uri: model.uri,
            prompt: model.prompt,
            ...(model.system ? { system: model.system } : {}),
            ...(model.parameters ? { parameters: model.parameters } : {}),
          },
        }
      : {}),
    ...(config.model_type ? { modelType: config.model_type } : {}),
    ...(config.judge_model ? { judgeModel: config.judge_model } : {}),
    ...(config.metrics ? { metrics: metricSpecs(config.metrics, 'metrics') } : {}),
    ...(config.examples ? { examples: config.examples } : {}),
    ...(config.extra_metrics ? { extraMetrics: metricSpecs(config.extra_metrics, 'extra_metrics') } : {}),
    ...(config.thresholds ? { thresholds: config.thresholds } : {}),
    ...(config.endpoints ? { endpoints: config.endpoints } : {}),
    ...(config.prices ? { prices: config.prices } : {}),
    ...(config.providers
      ? {
          providers: Object.fromEntries(
            Object.entries(config.providers).map(([name, p]) => [
              name,
              {
                ...(p.max_concurrency ? { maxConcurrency: p.max_concurrency } : {}),
                ...(p.rpm ? { rpm: p.rpm } : {}),
                ...(p.tpm ? { tpm: p.tpm } : {}),
              },
            ]),
          ),
        }
      : {}),
  };
}

/** The first problem of a failed config parse; an unknown key (often a misspelt known one) first. */
export function describeConfigIssue(error: z.ZodError): ConfigIssue {
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const field = fieldName(path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return {
      message: `unknown key '${key}'${field ? ` in ${field}` : ''}`,
      field: field ? `${field}.${key}` : key,
      path: [...path, key],
      hint: `known keys here: ${Object.keys(shapeAt(path)).join(', ')}`,
    };
  }
  return { message: field ? issue.message : `config: ${issue.message}`, field, path, hint: hintFor(path) };
}

/**
 * `evaluate()` names judges by name in fields (`metrics.faithfulness.model`); this names them by
 * their index in the config (`metrics[2].model`), as the user wrote them.
 */
export function judgeFieldByIndex(field: string, config: JurorConfig): string {
  const path = field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if ((path[0] === 'metrics' || path[0] === 'extra_metrics') && typeof path[1] === 'string') {
    const list = (config[path[0]] ?? []) as unknown[];
    const index = list.findIndex((m) => typeof m === 'object' && m !== null && (m as { name?: unknown }).name === path[1]);
    if (index >= 0) {
      path[1] = index;
      return fieldName(path);
    }
  }
  return field;
}

/** `['metrics', 0, 'name']` → `metrics[0].name`. */
export function fieldName(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function shapeAt(path: Array<string | number>): Record<string, unknown> {
  let shape: Record<string, unknown> = configSchema.shape;
  for (const part of path) {
    if (typeof part === 'number') continue;
    const next = shape[part] as { unwrap?: () => unknown; shape?: Record<string, unknown>; valueType?: unknown } | undefined;
    let inner: unknown = next;
    while (inner && typeof inner === 'object' && 'unwrap' in inner && typeof (inner as { unwrap: unknown }).unwrap === 'function')
      inner = (inner as { unwrap: () => unknown }).unwrap();
    if (inner && typeof inner === 'object' && 'valueType' in inner) inner = (inner as { valueType: unknown }).valueType;
    // A union of a short form and an object (`data`): the object's keys.
    if (inner && typeof inner === 'object' && 'options' in inner)
      inner = (inner as { options: unknown[] }).options.find((option) => option && typeof option === 'object' && 'shape' in option);
    if (inner && typeof inner === 'object' && 'shape' in inner) shape = (inner as { shape: Record<string, unknown> }).shape;
  }
  return shape;
}

function hintFor(path: Array<string | number>): string {
  switch (path[0]) {
    case 'data':
      if (path[1] === 'encoding') return 'use an encoding name such as utf-8, latin1, windows-1252, utf-16le or shift_jis';
      return 'give the dataset file, relative to this config: data: my_data.csv, or with its encoding: data: { path: my_data.csv, encoding: latin1 }';
    case 'model':
      return 'the model under test takes uri, prompt (with {column} variables), and optionally system and parameters';
    case 'thresholds':
      return 'write thresholds as "<name>/<version>/<aggregation>": ">= 3.5"';
    case 'model_type':
      return `use one of: ${MODEL_TYPES.join(', ')}`;
    default:
      return 'see the config reference in README.md';
  }
}
