/**
 * The shape every heuristic text metric shares: it reads the prediction (MLflow's `predictions`,
 * or the model under test's answer) and, when it compares, the target (`targets`), both resolved
 * when the metric is prepared so that a missing column is a config error before any row is scored.
 */
import { cellText, Columns } from '../../data/columns.js';
import type { Metric, MetricOutcome, MetricValues } from '../metric.js';

/** What a text metric is: its name, direction, whether it reads the target, and its row score. */
export interface TextMetricSpec {
  name: string;
  greaterIsBetter: boolean | null;
  /** What a row's value is (Metric.values); absent: a number with no known range. */
  values?: MetricValues;
  /** True when the metric compares the prediction with the target. */
  compares: boolean;
  /** Scores one row's texts (`target` is '' for metrics that do not compare). */
  score(prediction: string, target: string): MetricOutcome | Promise<MetricOutcome>;
}

/** A per-row heuristic metric aggregated as MLflow's built-ins are: mean, variance and p90. */
export function textMetric(spec: TextMetricSpec): Metric {
  return {
    name: spec.name,
    version: 'v1',
    kind: 'heuristic',
    aggregations: ['mean', 'variance', 'p90'],
    greaterIsBetter: spec.greaterIsBetter,
    ...(spec.values ? { values: spec.values } : {}),
    prepare({ columns }) {
      const neededBy = `metric '${spec.name}'`;
      const predictions = columns.require('predictions', neededBy);
      const targets = spec.compares ? columns.require('targets', neededBy) : undefined;
      return (row) => {
        const prediction = cellText(Columns.read(predictions, row));
        const target = targets ? cellText(Columns.read(targets, row)) : '';
        return spec.score(prediction, target);
      };
    },
  };
}

/** A successful outcome with this value. */
export function scored(value: number): MetricOutcome {
  return { ok: true, value };
}
