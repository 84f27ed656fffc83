/** `exact_match` (MLflow): 1 when the prediction equals the target, else 0. */
import { cellText } from '../data/columns.js';
import { Columns } from '../data/columns.js';
import type { Metric } from './metric.js';

export const exactMatch: Metric = {
  name: 'exact_match',
  version: 'v1',
  kind: 'heuristic',
  aggregations: ['mean', 'variance', 'p90'],
  greaterIsBetter: true,
  values: { kind: 'binary', range: { min: 0, max: 1 } },
  prepare({ columns }) {
    const predictions = columns.require('predictions', "metric 'exact_match'");
    const targets = columns.require('targets', "metric 'exact_match'");
    return (row) => {
      const predicted = cellText(Columns.read(predictions, row));
      const target = cellText(Columns.read(targets, row));
      return { ok: true, value: predicted === target ? 1 : 0 };
    };
  },
};
