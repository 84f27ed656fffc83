/**
 * A judge from what a person names on the command line: a YAML (or JSON) file holding one judge in
 * its config form — or `{ metric: <built-in>, ...options }` — or the name of a built-in judge.
 * Used by `juror align`; the judge comes back as its metric, so that a built-in judge keeps its
 * column checks (and `guideline_adherence` its guidelines).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fieldPath, YamlFile, type FieldPath } from '../config/yaml-file.js';
import { ConfigError, InputError } from '../errors.js';
import { builtInMetric } from '../metrics/builtin.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { BUILT_IN_JUDGES } from '../metrics/judges/index.js';
import { metricKey, type Metric } from '../metrics/metric.js';
import type { Judge } from './definition.js';
import { judgeFromConfig } from './serialize.js';

/** A judge loaded from a file or the catalog, with the metric that runs it. */
export interface LoadedJudge {
  judge: Judge;
  metric: Metric;
}

/**
 * Loads the judge `spec` names; errors name `field` (`--judge`). `use` says what the judge is
 * for, in the error a heuristic metric gets (`align compares a judge's verdicts with human labels`).
 * @example await loadJudge('judges/qa.yaml', '--judge', 'align compares …')
 */
export async function loadJudge(spec: string, field: string, use: string): Promise<LoadedJudge> {
  const isFile = existsSync(spec) && statSync(spec).isFile();
  if (!isFile && (/\.(ya?ml|json)$/i.test(spec) || /[\\/]/.test(spec))) {
    throw new InputError(`judge file not found: ${resolve(spec)}`, {
      where: { field },
      hint: 'give the path of a judge YAML file, or the name of a built-in judge',
    });
  }
  const metric = isFile ? await judgeFromFile(resolve(spec)) : builtInMetric(spec, {}, field);
  if (!metric.judge) {
    throw new ConfigError(`'${metricKey(metric)}' is a heuristic metric, not a judge: ${use}`, {
      where: { field },
      hint: `give a judge YAML file or a built-in judge (${Object.keys(BUILT_IN_JUDGES).join(', ')})`,
    });
  }
  return { judge: metric.judge, metric };
}

async function judgeFromFile(file: string): Promise<Metric> {
  const yaml = await YamlFile.read(file, 'judge file');
  let entry = yaml.value();
  let prefix: FieldPath = [];
  // A one-item list, as copied from under `metrics:`, is that item.
  if (Array.isArray(entry) && entry.length === 1) {
    entry = entry[0];
    prefix = [0];
  }
  try {
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && 'metric' in entry) {
      const { metric, ...options } = entry as { metric: unknown };
      return builtInMetric(String(metric), options, 'judge');
    }
    return judgeMetric(judgeFromConfig(entry, 'judge'));
  } catch (error) {
    // Fields are named `judge.<path>`; in the file, the judge is the document (or its one item).
    throw yaml.place(error, [...prefix, ...fieldPath((error as ConfigError).where?.field ?? '').slice(1)]);
  }
}
