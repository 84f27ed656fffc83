/**
 * `recall_at_k` (MLflow, reported as `recall_at_<k>`): the share of the relevant documents found
 * among the top-k retrieved. As MLflow's `_recall_at_k_eval_fn`: distinct documents on both sides;
 * with no relevant documents, 1 when nothing was retrieved either and 0 otherwise.
 */
import type { z } from 'zod';
import type { Metric } from '../metric.js';
import { chosenK, readDocIds, retrievalMetric, type DocId, type kOptions } from './retrieval-metric.js';

/**
 * Recall at k of one ranked list.
 * @example recallAtK(['a', 'x', 'b'], ['a', 'b'], 2) // 1/2
 */
export function recallAtK(retrieved: readonly DocId[], relevant: readonly DocId[], k: number): number {
  const top = new Set(retrieved.slice(0, k));
  const truth = new Set(relevant);
  if (truth.size === 0) return top.size === 0 ? 1 : 0;
  let found = 0;
  for (const id of truth) if (top.has(id)) found++;
  return found / truth.size;
}

/** `recall_at_k` as a metric named `recall_at_<k>`. */
export function recallAtKMetric(options: z.input<typeof kOptions> = {}): Metric {
  const k = chosenK(options);
  return retrievalMetric({
    name: `recall_at_${k}`,
    retrieved: 'predictions',
    relevant: 'targets',
    read: readDocIds,
    score: (retrieved, relevant) => recallAtK(retrieved, relevant, k),
  });
}
