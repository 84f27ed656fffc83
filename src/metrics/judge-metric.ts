/** A judge as a metric: resolves its variables and model when prepared, then judges each row. */
import { cellText, Columns, type ColumnSource, type RowValues } from '../data/columns.js';
import type { Judge } from '../judges/definition.js';
import { isPanel, runPanel, type PanelMember } from '../judges/jury.js';
import { judgeVariables } from '../judges/prompt.js';
import { chunksText, runJudge, toChunks } from '../judges/run-judge.js';
import { toCallSettings } from '../providers/parameters.js';
import type { Metric, MetricOutcome, PrepareContext, RowScorer } from './metric.js';

const CONTEXT_NAMES = new Set(['context', 'retrieved_context']);

/** Wraps a judge definition as a metric. */
export function judgeMetric(judge: Judge): Metric {
  return {
    name: judge.name,
    version: judge.version,
    kind: 'judge',
    aggregations: judge.aggregations,
    greaterIsBetter: judge.greaterIsBetter,
    judge,
    variables: judgeVariables(judge),
    // Scored by log-probabilities, a yes/no or 1/0 judge's value is the probability of yes: a row counts in `ratio` from 0.5.
    ...(judge.scoring === 'logprobs' && judge.output.type !== 'scale' ? { ratioThreshold: 0.5 } : {}),
    prepare: (context) => prepareJudge(judge, context),
  };
}

function prepareJudge(judge: Judge, context: PrepareContext): RowScorer {
  const neededBy = `judge '${judge.name}'`;
  const variables = judgeVariables(judge);
  const promptField = `metrics.${judge.name}.${judge.kind === 'prompt' ? 'judge_prompt' : judge.gradingContextColumns.length ? 'grading_context_columns' : 'name'}`;
  const sources = new Map(
    variables.map((name) => [
      name,
      context.columns.require(
        name,
        neededBy,
        judge.kind === 'prompt' || judge.gradingContextColumns.includes(name) ? promptField : undefined,
      ),
    ]),
  );
  const chunkVariable =
    judge.assessmentType === 'RETRIEVAL' ? (variables.find((v) => CONTEXT_NAMES.has(v)) ?? 'retrieved_context') : undefined;
  const chunkSource = chunkVariable ? (sources.get(chunkVariable) ?? context.columns.require(chunkVariable, neededBy)) : undefined;
  const needs = judge.scoring === 'logprobs' ? { logprobs: true } : undefined;
  const members: PanelMember[] = judge.models
    ? judge.models.map((model, i) => ({ model, chat: context.chatFor(model, `metrics.${judge.name}.models[${i}]`, needs) }))
    : [
        {
          model: judge.model ?? context.judgeModel ?? 'judge model',
          chat: context.chatFor(judge.model, `metrics.${judge.name}.model`, needs),
        },
      ];
  const chat = members[0]!.chat;
  const panel = isPanel(judge);
  // Checked now, so that an unknown parameter stops the run before its first call.
  toCallSettings(judge.parameters, `metrics.${judge.name}.parameters`);

  return async (row): Promise<MetricOutcome> => {
    const text = (name: string): string => variableText(name, sources.get(name)!, row);
    const chunks = chunkSource ? toChunks(Columns.read(chunkSource, row)) : undefined;
    const judgement = panel ? await runPanel(judge, text, chunks, members) : await runJudge(judge, text, chunks, chat);
    const spent = {
      raw: judgement.raw,
      prompt: judgement.prompt,
      usage: judgement.usage,
      costUsd: judgement.costUsd,
      latencyMs: judgement.latencyMs,
      ...(judgement.panel ? { panel: judgement.panel } : {}),
    };
    if (!judgement.ok) return { ok: false, error: judgement.error, ...(judgement.details ? { details: judgement.details } : {}), ...spent };
    return {
      ok: true,
      value: judgement.value,
      score: judgement.score,
      ...(judgement.label ? { label: judgement.label } : {}),
      justification: judgement.justification,
      ...(judgement.details ? { details: judgement.details } : {}),
      ...spent,
    };
  };
}

/**
 * A variable's text in a row, as a judge is shown it: the cell as text, and a context column
 * holding a list of chunks as their concatenated contents (Databricks).
 */
export function variableText(name: string, source: ColumnSource, row: RowValues): string {
  const value = Columns.read(source, row);
  return CONTEXT_NAMES.has(name) ? chunksText(toChunks(value)) : cellText(value);
}
