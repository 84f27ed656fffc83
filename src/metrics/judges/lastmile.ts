/**
 * LastMile-style faithfulness: a 1/0 label per row (faithful or not to the context), aggregated as
 * the share of faithful rows. It is the `binary` variant of `faithfulness` — same name, so keys
 * are `faithfulness/v1/ratio` — and reads the same columns as MLflow's variant (output and
 * `context`, no input). The text is in prompts/lastmile.ts.
 */
import type { RubricJudge } from '../../judges/definition.js';
import type { BuiltInJudgeOptions } from './common.js';
import { rubricJudge, type RubricSpec } from './mlflow.js';
import { FAITHFULNESS_BINARY } from './prompts/lastmile.js';

export const FAITHFULNESS_BINARY_SPEC: RubricSpec = {
  name: 'faithfulness',
  versions: FAITHFULNESS_BINARY,
  gradingContextColumns: ['context'],
  includeInput: false,
  output: { type: 'binary' },
  // For a 1/0 label the mean is the ratio; one key says it, and no 1–5 key (`/mean`) is shared with the MLflow variant.
  aggregations: ['ratio'],
};

/** LastMile-style `faithfulness`: 1 when every claim of the output is supported by `context`, else 0. */
export function binaryFaithfulness(options: BuiltInJudgeOptions = {}): RubricJudge {
  return rubricJudge(FAITHFULNESS_BINARY_SPEC, options);
}
