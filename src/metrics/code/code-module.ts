/**
 * `- metric: code` in a config: a code metric whose function is an export of a JavaScript module
 * (`.js`, `.mjs` or `.cjs`; compile TypeScript first). The module path is relative to the config
 * file's folder, as `data` is. It is imported when the run is prepared, so that a missing file or
 * export is a ConfigError naming them before any call.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { AGGREGATIONS, type Aggregation } from '../../judges/definition.js';
import type { LoadContext, Metric } from '../metric.js';
import { codeMetric, describeValue, METRIC_NAME, type CodeMetricFn } from './code-metric.js';

/** Options of `code`, as the config writes them. */
export const codeModuleOptions = z.strictObject({
  /** The module's path, relative to the config file's folder. */
  module: z.string().min(1),
  /** The export that is the metric's function. */
  export: z.string().min(1).default('default'),
  name: z.string().regex(METRIC_NAME, 'a metric name starts with a letter and has only letters, digits, _ . and -'),
  version: z.string().min(1).default('v1'),
  aggregations: z
    .array(z.enum(AGGREGATIONS as [Aggregation, ...Aggregation[]]))
    .min(1)
    .optional(),
  greater_is_better: z.boolean().default(true),
});

export type CodeModuleOptions = z.input<typeof codeModuleOptions>;

/**
 * A code metric whose function is a module's export.
 * @example codeModuleMetric({ module: 'metrics/brevity.mjs', name: 'brevity' })
 */
export function codeModuleMetric(options: CodeModuleOptions): Metric {
  const { module, export: exportName, name, version, aggregations, greater_is_better } = codeModuleOptions.parse(options);
  let loaded: Promise<CodeMetricFn> | undefined;
  // Once per metric: a row scored without `load` imports the module relative to the cwd.
  const loadOnce = (context: LoadContext) =>
    (loaded ??= importFunction(path.resolve(context.baseDir ?? process.cwd(), module), exportName, name));
  const metric = codeMetric({
    name,
    version,
    ...(aggregations ? { aggregations } : {}),
    greaterIsBetter: greater_is_better,
    fn: async (row) => (await loadOnce({}))(row),
  });
  return {
    ...metric,
    async load(context) {
      await loadOnce(context);
    },
  };
}

/** Imports a module and returns its export, which must be a function; else a ConfigError naming module and export. */
async function importFunction(file: string, exportName: string, name: string): Promise<CodeMetricFn> {
  const field = `metrics.${name}`;
  const isFile = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) {
    throw new ConfigError(`code metric '${name}': module ${file} does not exist`, {
      where: { field: `${field}.module` },
      hint: "`module` is relative to the config file's folder; give a .js, .mjs or .cjs file",
    });
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`code metric '${name}': cannot import ${file}: ${String((cause as Error)?.message ?? cause).split('\n')[0]}`, {
      where: { field: `${field}.module` },
      hint: 'Node imports .js, .mjs and .cjs files (compile TypeScript to JavaScript first); fix the error the module raises when imported',
      cause,
    });
  }
  const fn = exports[exportName];
  if (fn === undefined) {
    const names = Object.keys(exports).sort();
    throw new ConfigError(`code metric '${name}': module ${file} has no export '${exportName}'`, {
      where: { field: `${field}.${exportName === 'default' ? 'module' : 'export'}` },
      hint: names.length
        ? `its exports are: ${names.join(', ')}; name one with export: <name>`
        : 'the module exports nothing: export the metric function (export default function …)',
    });
  }
  if (typeof fn !== 'function') {
    throw new ConfigError(`code metric '${name}': export '${exportName}' of ${file} is ${describeValue(fn)}, not a function`, {
      where: { field: `${field}.export` },
      hint: 'export a function from the row to a number, a boolean or { score, justification }',
    });
  }
  return fn as CodeMetricFn;
}
