/**
 * `- { metric: cascade, first: { distilled: <name>, version: <v> }, then: <an LLM judge entry>, min_confidence: 0.9 }`:
 * each row goes to the distilled judge first; where its calibrated confidence is below
 * `min_confidence`, the LLM judge decides (and is paid for). Each row says who decided (its
 * justification, and the `<key>/decided_by` column of the results table); the run's aggregates add
 * what the cascade did, counted over the rows this process scored:
 *
 * - `<key>/escalated` and `<key>/escalated_share`: rows the LLM judge decided, and their share;
 * - `<key>/llm_calls_saved`: rows kept by the distilled judge — each an LLM call not made;
 * - `<key>/llm_cost_usd` and `<key>/cost_saved_usd`: what the escalated rows cost, and the kept
 *   rows at the mean cost of an escalated row (present once a row has escalated);
 * - `<key>/agreement_escalated`: on the rows where both ran (the escalated ones the LLM judged),
 *   the share where the distilled judge's verdict equals the LLM judge's.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { judgeFromConfig } from '../judges/serialize.js';
import { builtInMetric } from './builtin.js';
import { DistilledRows, outputAggregations, outputValues } from './distilled.js';
import { judgeMetric } from './judge-metric.js';
import { metricKey, type Metric, type MetricOutcome } from './metric.js';

export const cascadeOptions = z.strictObject({
  first: z.strictObject({ distilled: z.string().min(1), version: z.string().min(1) }),
  /** An LLM judge as under `metrics:` (a built-in judge's name, `{ metric: … }`, or a judge definition). */
  then: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  min_confidence: z.number().min(0).max(1).default(0.9),
  name: z.string().min(1).default('cascade'),
  version: z.string().min(1).default('v1'),
});
export type CascadeOptions = z.output<typeof cascadeOptions>;

/** The LLM judge of `then`, read as an entry of `metrics:` is. */
function thenMetric(entry: CascadeOptions['then']): Metric {
  const field = 'then';
  if (typeof entry === 'string') return builtInMetric(entry, {}, field);
  if ('metric' in entry) {
    const { metric, ...rest } = entry;
    return builtInMetric(String(metric), rest, field);
  }
  return judgeMetric(judgeFromConfig(entry, field));
}

/** The cascade metric. */
export function cascadeMetric(options: CascadeOptions): Metric {
  const key = `${options.name}/${options.version}`;
  const then = thenMetric(options.then);
  if (then.kind !== 'judge') {
    throw new ConfigError(`cascade ${key}: then is ${metricKey(then)}, which is not an LLM judge`, {
      where: { field: 'then' },
      hint: 'give an LLM judge: a built-in judge (then: faithfulness), or a judge with definition/grading_prompt or judge_prompt',
    });
  }
  const first = new DistilledRows(options.first.distilled, options.first.version, `metrics.${options.name}.first`);
  const decidedBy = new WeakMap<MetricOutcome, { by: 'distilled' | 'llm'; confidence: number }>();
  const counts = { rows: 0, escalated: 0, bothRan: 0, agreed: 0, llmCostUsd: 0 };
  const describe = `distilled judge ${options.first.distilled} ${options.first.version}`;
  return {
    name: options.name,
    version: options.version,
    kind: 'judge',
    get aggregations() {
      return then.aggregations.length ? then.aggregations : outputAggregations(first.output);
    },
    get values() {
      return then.values ?? outputValues(then.judge?.output ?? first.output);
    },
    greaterIsBetter: then.greaterIsBetter,
    ...(then.variables ? { variables: then.variables } : {}),
    prepare(context) {
      first.prepare(context);
      const llm = then.prepare(context);
      Object.assign(counts, { rows: 0, escalated: 0, bothRan: 0, agreed: 0, llmCostUsd: 0 });
      return async (row) => {
        const verdict = await first.verdict(row);
        counts.rows++;
        if (verdict.confidence >= options.min_confidence) {
          const kept: MetricOutcome = {
            ok: true,
            value: verdict.value,
            score: verdict.value,
            justification: `decided by the ${describe}: ${verdict.value} with confidence ${verdict.confidence.toFixed(3)}`,
          };
          decidedBy.set(kept, { by: 'distilled', confidence: verdict.confidence });
          return kept;
        }
        counts.escalated++;
        const answer = await llm(row);
        counts.llmCostUsd += answer.costUsd ?? 0;
        const note = `decided by the LLM judge (the ${describe} said ${verdict.value} with confidence ${verdict.confidence.toFixed(3)})`;
        let outcome: MetricOutcome;
        if (answer.ok) {
          counts.bothRan++;
          if (answer.value === verdict.value) counts.agreed++;
          outcome = { ...answer, justification: answer.justification ? `${note}: ${answer.justification}` : note };
        } else outcome = { ...answer, error: `${answer.error} (${note})` };
        decidedBy.set(outcome, { by: 'llm', confidence: verdict.confidence });
        return outcome;
      };
    },
    async load(context) {
      await first.load(context);
      await then.load?.(context);
    },
    alias: {
      row(outcome) {
        const decided = decidedBy.get(outcome);
        return decided ? { [`${key}/decided_by`]: decided.by, [`${key}/confidence`]: decided.confidence } : {};
      },
      aggregates() {
        const kept = counts.rows - counts.escalated;
        const out: Record<string, number> = {
          [`${key}/escalated`]: counts.escalated,
          [`${key}/llm_calls_saved`]: kept,
          [`${key}/llm_cost_usd`]: counts.llmCostUsd,
        };
        if (counts.rows > 0) out[`${key}/escalated_share`] = counts.escalated / counts.rows;
        if (counts.escalated > 0) out[`${key}/cost_saved_usd`] = (kept * counts.llmCostUsd) / counts.escalated;
        if (counts.bothRan > 0) out[`${key}/agreement_escalated`] = counts.agreed / counts.bothRan;
        return out;
      },
    },
  };
}
