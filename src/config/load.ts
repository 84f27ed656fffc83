/**
 * Loading `juror.yaml`: YAML → validated config → `evaluate()` options. Every error names the file,
 * line and column of the offending node, the field, and a fix.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, InputError } from '../errors.js';
import type { EvaluateOptions, MetricSpec } from '../engine/evaluate.js';
import { judgeFromConfig } from '../judges/serialize.js';
import { builtInMetric } from '../metrics/builtin.js';
import { configSchema, type JurorConfig } from './schema.js';

/** A loaded config: where it came from, what it says, and the options it makes. */
export interface LoadedConfig {
  file: string;
  config: JurorConfig;
  options: EvaluateOptions;
}

/** Reads and checks a config file. Throws ConfigError / InputError with file:line:column. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InputError(`config file not found: ${file}`, { where: { file }, hint: 'check the path given to `juror eval`', cause });
  }
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lines.linePos(yamlError.pos[0]);
    throw new ConfigError(`invalid YAML: ${yamlError.message.split('\n')[0]}`, { where: { file, line: pos.line, column: pos.col }, hint: 'fix the YAML syntax at that place (indentation, quotes, colons)' });
  }
  const at = (path: Array<string | number>) => locate(doc, lines, file, path);
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const field = fieldName(path);
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      throw new ConfigError(`unknown key '${key}'${field ? ` in ${field}` : ''}`, {
        where: { ...at([...path, key]), field: field ? `${field}.${key}` : key },
        hint: `known keys here: ${Object.keys(shapeAt(path)).join(', ')}`,
      });
    }
    throw new ConfigError(field ? issue.message : `config: ${issue.message}`, { where: { ...at(path), field }, hint: hintFor(path) });
  }
  const config = parsed.data;
  const metricSpecs = (list: unknown[] | undefined, key: 'metrics' | 'extra_metrics'): MetricSpec[] | undefined =>
    list?.map((entry, i) => {
      try {
        if (typeof entry === 'string') return entry;
        if (entry && typeof entry === 'object' && 'metric' in entry) {
          const { metric, ...rest } = entry as { metric: unknown };
          return builtInMetric(String(metric), rest, `${key}[${i}]`);
        }
        return judgeFromConfig(entry, `${key}[${i}]`);
      } catch (error) {
        throw withPosition(error, at, key, i);
      }
    });
  const options: EvaluateOptions = {
    data: config.data,
    baseDir: dirname(file),
    config: doc.toJS(),
    ...(config.experiment ? { experiment: config.experiment } : {}),
    ...(config.run_name ? { runName: config.run_name } : {}),
    ...(config.col_mapping ? { colMapping: config.col_mapping } : {}),
    ...(config.model ? { model: { uri: config.model.uri, prompt: config.model.prompt, ...(config.model.system ? { system: config.model.system } : {}), ...(config.model.parameters ? { parameters: config.model.parameters } : {}) } } : {}),
    ...(config.model_type ? { modelType: config.model_type } : {}),
    ...(config.judge_model ? { judgeModel: config.judge_model } : {}),
    ...(config.metrics ? { metrics: metricSpecs(config.metrics, 'metrics')! } : {}),
    ...(config.extra_metrics ? { extraMetrics: metricSpecs(config.extra_metrics, 'extra_metrics')! } : {}),
    ...(config.thresholds ? { thresholds: config.thresholds } : {}),
    ...(config.endpoints ? { endpoints: config.endpoints } : {}),
    ...(config.prices ? { prices: config.prices } : {}),
    ...(config.providers
      ? { providers: Object.fromEntries(Object.entries(config.providers).map(([name, p]) => [name, { ...(p.max_concurrency ? { maxConcurrency: p.max_concurrency } : {}), ...(p.rpm ? { rpm: p.rpm } : {}), ...(p.tpm ? { tpm: p.tpm } : {}) }])) }
      : {}),
  };
  return { file, config, options };
}

/**
 * Adds the config file's position to an error raised later (by evaluate's checks) that names a
 * field of this config, so the CLI can print file:line:column for it too.
 */
export async function locateError(error: unknown, loaded: LoadedConfig): Promise<unknown> {
  // Command-line flags (--out, --max-cost) are not in the file; errors that name a file already have their place.
  if (!(error instanceof ConfigError) || !error.where.field || error.where.file || error.where.field.startsWith('--')) return error;
  const source = await readFile(loaded.file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  const path = error.where.field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  // Judges are named by their `name` in messages from evaluate (metrics.<name>.model): find their index.
  if ((path[0] === 'metrics' || path[0] === 'extra_metrics') && typeof path[1] === 'string') {
    const list = (loaded.config[path[0]] ?? []) as unknown[];
    const index = list.findIndex((m) => typeof m === 'object' && m !== null && (m as { name?: unknown }).name === path[1]);
    if (index >= 0) {
      path[1] = index;
      error.where.field = fieldName(path);
    }
  }
  Object.assign(error.where, locate(doc, lines, loaded.file, path));
  return error;
}

function withPosition(error: unknown, at: (path: Array<string | number>) => { file: string; line?: number; column?: number }, key: string, index: number): unknown {
  if (!(error instanceof ConfigError)) return error;
  const field = error.where.field ?? `${key}[${index}]`;
  const path = field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  Object.assign(error.where, at(path), { field });
  return error;
}

/** The line and column of the deepest node of `path` that exists. */
function locate(doc: Document, lines: LineCounter, file: string, path: Array<string | number>): { file: string; line?: number; column?: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    const node = sub.length ? doc.getIn(sub, true) : doc.contents;
    // For a key that exists, point at the key itself rather than its value.
    const keyNode = depth > 0 && depth === path.length ? findKeyNode(doc, sub) : undefined;
    const target = keyNode ?? node;
    if (isNode(target) && target.range) {
      const pos = lines.linePos(target.range[0]);
      return { file, line: pos.line, column: pos.col };
    }
  }
  return { file };
}

function findKeyNode(doc: Document, path: Array<string | number>): unknown {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
    for (const item of parent.items as unknown[]) {
      if (item && typeof item === 'object' && 'key' in item) {
        const key = (item as { key: unknown }).key;
        if (isNode(key) && 'value' in key && (key as { value: unknown }).value === last) return key;
      }
    }
  }
  return undefined;
}

function fieldName(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function shapeAt(path: Array<string | number>): Record<string, unknown> {
  let shape: Record<string, unknown> = configSchema.shape;
  for (const part of path) {
    if (typeof part === 'number') continue;
    const next = shape[part] as { unwrap?: () => unknown; shape?: Record<string, unknown>; valueType?: unknown } | undefined;
    let inner: unknown = next;
    while (inner && typeof inner === 'object' && 'unwrap' in inner && typeof (inner as { unwrap: unknown }).unwrap === 'function') inner = (inner as { unwrap: () => unknown }).unwrap();
    if (inner && typeof inner === 'object' && 'valueType' in inner) inner = (inner as { valueType: unknown }).valueType;
    if (inner && typeof inner === 'object' && 'shape' in inner) shape = (inner as { shape: Record<string, unknown> }).shape;
  }
  return shape;
}

function hintFor(path: Array<string | number>): string {
  const top = path[0];
  switch (top) {
    case 'data':
      return 'give the dataset file, relative to this config: data: my_data.csv';
    case 'model':
      return 'the model under test takes uri, prompt (with {column} variables), and optionally system and parameters';
    case 'thresholds':
      return 'write thresholds as "<name>/<version>/<aggregation>": ">= 3.5"';
    case 'model_type':
      return 'use text, question-answering, text-summarization, retriever or none';
    default:
      return 'see the config reference in README.md';
  }
}
