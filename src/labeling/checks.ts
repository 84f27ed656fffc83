/**
 * Checking a label job's judge before anything is stored or spent: every check `evaluate()` makes
 * before its first call (the prompt's variables against the dataset's columns, the judge model and
 * its key, the parameters), with errors named by the label job's fields.
 */
import type { DataRecord } from '../data/dataset.js';
import { prepareRun } from '../engine/prepare.js';
import { ConfigError, JurorError } from '../errors.js';
import type { Judge } from '../judges/definition.js';

/** Throws the ConfigError `evaluate()` would, its field being `prompt`, `model` or `col_mapping.<name>`. */
export async function checkRunnable(
  judge: Judge,
  columns: string[],
  colMapping: Record<string, string> | undefined,
  env: Record<string, string | undefined>,
): Promise<void> {
  // One row with every column: enough for every check, and nothing is called.
  const row: DataRecord = Object.fromEntries(columns.map((column) => [column, '']));
  try {
    await prepareRun({ data: [row], metrics: [judge], ...(colMapping ? { colMapping } : {}), env, store: false, cache: false });
  } catch (error) {
    throw error instanceof JurorError && (error.kind === 'config' || error.kind === 'input') ? renamed(error, judge.name) : error;
  }
}

/** The error with the evaluation config's field named as the label job names it. */
function renamed(error: JurorError, name: string): JurorError {
  const field = error.where.field;
  let to = field;
  let hint = error.hint;
  if (field === 'judge_model' || field === `metrics.${name}.model`) {
    to = 'model';
    hint = 'give the job a model (e.g. openai:/gpt-4o-mini), or set JUROR_JUDGE_MODEL where the labeling runs';
  } else if (field === `metrics.${name}.judge_prompt`) to = 'prompt';
  else if (field?.startsWith(`metrics.${name}.`)) to = field.slice(`metrics.${name}.`.length);
  if (to === field) return error;
  return new ConfigError(error.message, {
    where: { ...error.where, ...(to !== undefined ? { field: to } : {}) },
    ...(hint ? { hint } : {}),
    cause: error,
  });
}
