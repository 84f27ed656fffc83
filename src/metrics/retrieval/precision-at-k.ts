/**
 * `precision_at_k` (MLflow, reported as `precision_at_<k>`): the share of the top-k retrieved
 * documents that are relevant. As MLflow's `_precision_at_k_eval_fn`: with fewer than k retrieved,
 * the denominator is the number retrieved (min(k, retrieved)); a document retrieved twice counts
 * twice; nothing retrieved scores 0, even when nothing is relevant.
 */
import type { z } from 'zod';
import type { Metric } from '../metric.js';
import { chosenK, readDocIds, retrievalMetric, type DocId, type kOptions } from './retrieval-metric.js';

/**
 * Precision at k of one ranked list.
 * @example precisionAtK(['a', 'x', 'b'], ['a', 'b'], 2) // 1/2
 */
export function precisionAtK(retrieved: readonly DocId[], relevant: readonly DocId[], k: number): number {
  const top = retrieved.slice(0, k);
  if (top.length === 0) return 0;
  const truth = new Set(relevant);
  return top.filter((id) => truth.has(id)).length / top.length;
}

/** `precision_at_k` as a metric named `precision_at_<k>`. */
export function precisionAtKMetric(options: z.input<typeof kOptions> = {}): Metric {
  const k = chosenK(options);
  return retrievalMetric({
    name: `precision_at_${k}`,
    retrieved: 'predictions',
    relevant: 'targets',
    read: readDocIds,
    score: (retrieved, relevant) => precisionAtK(retrieved, relevant, k),
  });
}
