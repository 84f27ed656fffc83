/**
 * Databricks Agent Evaluation's ground-truth retrieval metrics, by document URI: `retrieved_context`
 * (alias `context`) holds the retrieved chunks and `expected_retrieved_context` the documents the
 * retriever should find, each a list of `{ doc_uri, content? }` (a bare URI string also serves).
 * - `document_recall`: the share of distinct expected URIs that some retrieved chunk comes from.
 * - `document_precision`: the share of retrieved chunks whose URI is expected (chunks, not distinct
 *   URIs, as MLflow's precision_at_k counts each retrieved item).
 * Databricks documents no empty cases; these follow MLflow's recall_at_k and precision_at_k: no
 * expected documents gives recall 1 if nothing was retrieved and 0 otherwise; nothing retrieved
 * gives precision 0.
 */
import { parseListCell } from '../../data/cells.js';
import type { Metric } from '../metric.js';
import { recallAtK } from './recall-at-k.js';
import { precisionAtK } from './precision-at-k.js';
import { retrievalMetric, type ReadIds } from './retrieval-metric.js';

/** Reads the `doc_uri` of each chunk of a context list. */
export function readDocUris(cell: unknown): ReadIds {
  const list = parseListCell(cell);
  if (!list) return { ok: false, problem: 'is not a list of chunks (give a list of { doc_uri, content }, or a JSON array in text)' };
  const uris: string[] = [];
  for (const [i, chunk] of list.entries()) {
    const uri =
      typeof chunk === 'string' ? chunk : chunk && typeof chunk === 'object' ? (chunk as { doc_uri?: unknown }).doc_uri : undefined;
    if (typeof uri !== 'string') return { ok: false, problem: `holds a chunk without a doc_uri string at position ${i}` };
    uris.push(uri);
  }
  return { ok: true, ids: uris };
}

/** `document_recall` (Databricks). */
export const documentRecall: Metric = retrievalMetric({
  name: 'document_recall',
  retrieved: 'retrieved_context',
  relevant: 'expected_retrieved_context',
  read: readDocUris,
  score: (retrieved, expected) => recallAtK(retrieved, expected, retrieved.length),
});

/** `document_precision` (Databricks). */
export const documentPrecision: Metric = retrievalMetric({
  name: 'document_precision',
  retrieved: 'retrieved_context',
  relevant: 'expected_retrieved_context',
  read: readDocUris,
  score: (retrieved, expected) => precisionAtK(retrieved, expected, retrieved.length),
});
