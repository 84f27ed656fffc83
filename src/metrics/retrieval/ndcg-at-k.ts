/**
 * `ndcg_at_k` (MLflow, reported as `ndcg_at_<k>`): normalized discounted cumulative gain of the
 * top-k retrieved documents with binary relevance, as MLflow's `_ndcg_at_k_eval_fn` computes it
 * with scikit-learn's `ndcg_score(k=len(top-k), ignore_ties=True)`: the gain at rank i (from 0) is
 * 1/log2(i + 2) for a relevant document, and the ideal puts min(len(top-k), relevant) relevant
 * documents first. MLflow's edge cases: nothing retrieved and nothing relevant scores 1; either
 * one empty scores 0; a document retrieved again counts as a new document, relevant when the
 * original is (so it also raises the ideal).
 */
import type { z } from 'zod';
import type { Metric } from '../metric.js';
import { chosenK, readDocIds, retrievalMetric, type DocId, type kOptions } from './retrieval-metric.js';

/**
 * NDCG at k of one ranked list.
 * @example ndcgAtK(['x', 'a'], ['a'], 3) // 1/log2(3) ≈ 0.631
 */
export function ndcgAtK(retrieved: readonly DocId[], relevant: readonly DocId[], k: number): number {
  if (retrieved.length === 0 && relevant.length === 0) return 1;
  if (retrieved.length === 0 || relevant.length === 0) return 0;
  const top = retrieved.slice(0, k);
  const truth = new Set(relevant);
  const seen = new Set<DocId>();
  let relevantCount = truth.size;
  let dcg = 0;
  top.forEach((id, rank) => {
    if (!truth.has(id)) return;
    dcg += 1 / Math.log2(rank + 2);
    // A repeat of a relevant document is one more relevant document, as MLflow's expansion makes it.
    if (seen.has(id)) relevantCount++;
    seen.add(id);
  });
  let ideal = 0;
  for (let rank = 0; rank < Math.min(top.length, relevantCount); rank++) ideal += 1 / Math.log2(rank + 2);
  return dcg / ideal;
}

/** `ndcg_at_k` as a metric named `ndcg_at_<k>`. */
export function ndcgAtKMetric(options: z.input<typeof kOptions> = {}): Metric {
  const k = chosenK(options);
  return retrievalMetric({
    name: `ndcg_at_${k}`,
    retrieved: 'predictions',
    relevant: 'targets',
    read: readDocIds,
    score: (retrieved, relevant) => ndcgAtK(retrieved, relevant, k),
  });
}
