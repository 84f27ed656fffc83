/**
 * `latency` (MLflow's `mlflow.metrics.latency()`): how long the model under test took to answer
 * the row, in seconds. It measures the model, so a run without one is a config error when the
 * metric is prepared, not a column of errors afterwards.
 */
import { ConfigError } from '../../errors.js';
import type { Metric } from '../metric.js';

export const latency: Metric = {
  name: 'latency',
  version: 'v1',
  kind: 'heuristic',
  aggregations: ['mean', 'variance', 'p90'],
  greaterIsBetter: false,
  prepare({ columns }) {
    if (!columns.hasModel) {
      throw new ConfigError('latency needs a model under test', {
        where: { field: 'model' },
        hint: 'give a model under test (`model:`) whose answers are timed, or drop latency: predictions read from the data have no latency',
      });
    }
    return (row) =>
      row.latencyMs === undefined
        ? { ok: false, error: 'no latency was recorded for this row' }
        : { ok: true, value: row.latencyMs / 1000 };
  },
};
