/**
 * Databricks Agent Evaluation's names for a run's results, written beside Juror's under
 * `model_type: databricks-agent` so that code and dashboards written for `mlflow.evaluate(...,
 * model_type="databricks-agent")` find them:
 * - an ANSWER judge with a yes/no (or 1/0) answer: per row `response/llm_judged/<judge>/rating`
 *   (`yes` / `no`), `/rationale` and `/error_message`; the share of yes as
 *   `response/llm_judged/<judge>/rating/percentage` (a fraction 0–1, as the MLflow run's metric).
 *   `context_sufficiency` judges the retriever, so Databricks files it under `retrieval/`.
 * - a RETRIEVAL judge (`chunk_relevance`): per row `retrieval/llm_judged/<judge>/ratings` and
 *   `/rationales` (one per chunk) and `/precision`; the mean as `…/precision/average`.
 * - `document_recall` / `document_precision`: `retrieval/ground_truth/<metric>` and `…/average`;
 *   `latency`: `agent/latency_seconds` and `…/average`.
 * Juror's `token_count` counts the response's tokens, not the agent's trace (Databricks'
 * `agent/total_token_count`), so it keeps its own name only.
 */
import type { Metric, MetricAlias, MetricOutcome } from './metric.js';

const RETRIEVAL_ANSWER_JUDGES = new Set(['context_sufficiency']);
const GROUND_TRUTH = new Set(['document_recall', 'document_precision']);

/** The metric with Databricks' names for its results, or the metric as it is when Databricks has none. */
export function withDatabricksNames(metric: Metric): Metric {
  const alias = databricksAlias(metric);
  return alias ? { ...metric, alias } : metric;
}

function databricksAlias(metric: Metric): MetricAlias | undefined {
  const judge = metric.judge;
  if (judge) {
    if (judge.output.type !== 'binary' && judge.output.type !== 'yes_no') return undefined;
    if (judge.assessmentType === 'RETRIEVAL') return retrievalJudgeAlias(`retrieval/llm_judged/${judge.name}`);
    return answerJudgeAlias(`${RETRIEVAL_ANSWER_JUDGES.has(judge.name) ? 'retrieval' : 'response'}/llm_judged/${judge.name}`);
  }
  if (GROUND_TRUTH.has(metric.name)) return averaged(`retrieval/ground_truth/${metric.name}`);
  if (metric.name === 'latency') return averaged('agent/latency_seconds');
  return undefined;
}

const yesNo = (value: number | undefined): string | null => (value === undefined ? null : value >= 1 ? 'yes' : 'no');

function answerJudgeAlias(prefix: string): MetricAlias {
  return {
    row: (outcome) => ({
      [`${prefix}/rating`]: outcome.ok ? yesNo(outcome.value) : null,
      [`${prefix}/rationale`]: outcome.ok ? (outcome.justification ?? null) : null,
      ...errorColumn(`${prefix}/error_message`, outcome),
    }),
    aggregates: (values) => (values.ratio === undefined ? {} : { [`${prefix}/rating/percentage`]: values.ratio }),
  };
}

function retrievalJudgeAlias(prefix: string): MetricAlias {
  return {
    row: (outcome) => ({
      [`${prefix}/ratings`]: outcome.details?.map((chunk) => yesNo(chunk.value)) ?? null,
      [`${prefix}/rationales`]: outcome.details?.map((chunk) => chunk.justification ?? chunk.error ?? null) ?? null,
      [`${prefix}/precision`]: outcome.ok ? outcome.value : null,
      ...errorColumn(`${prefix}/error_messages`, outcome),
    }),
    aggregates: (values) => (values.mean === undefined ? {} : { [`${prefix}/precision/average`]: values.mean }),
  };
}

function averaged(prefix: string): MetricAlias {
  return {
    row: (outcome) => ({ [prefix]: outcome.ok ? outcome.value : null }),
    aggregates: (values) => (values.mean === undefined ? {} : { [`${prefix}/average`]: values.mean }),
  };
}

function errorColumn(column: string, outcome: MetricOutcome): Record<string, string> {
  return outcome.ok ? {} : { [column]: outcome.error };
}
