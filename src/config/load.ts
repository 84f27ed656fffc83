/**
 * Loading `juror.yaml`: YAML → the same checks and options as a config object (from-object.ts),
 * with every error placed at the file, line and column of the offending field.
 */
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import type { EvaluateOptions } from '../engine/evaluate.js';
import { configFromObject, judgeFieldByIndex } from './from-object.js';
import type { JurorConfig } from './schema.js';
import { fieldPath, YamlFile } from './yaml-file.js';

/** A loaded config: where it came from, what it says, and the options it makes. */
export interface LoadedConfig {
  file: string;
  config: JurorConfig;
  options: EvaluateOptions;
  yaml: YamlFile;
}

/** Reads and checks a config file. Throws ConfigError / InputError with file:line:column. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const yaml = await YamlFile.read(path, 'config file');
  try {
    const { config, options } = configFromObject(yaml.value() ?? {}, dirname(yaml.file));
    return { file: yaml.file, config, options, yaml };
  } catch (error) {
    throw yaml.place(error);
  }
}

/**
 * Adds the config file's position to an error raised later (by evaluate's checks) that names a
 * field of this config, so the CLI can print file:line:column for it too.
 */
export function locateError(error: unknown, loaded: LoadedConfig): unknown {
  // Command-line flags (--out, --max-cost) are not in the file; errors that name a file already have their place.
  if (!(error instanceof ConfigError) || !error.where.field || error.where.file || error.where.field.startsWith('--')) return error;
  // evaluate() names judges by name (metrics.<name>.model); the user wrote them by position.
  error.where.field = judgeFieldByIndex(error.where.field, loaded.config);
  return loaded.yaml.place(error, fieldPath(error.where.field));
}
