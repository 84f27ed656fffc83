/**
 * The position probe of a pairwise judge (issue #14 §1): each row's two responses judged in both
 * orders by `judgePairs` (src/judges/pairwise.ts, through evaluate()), then how often the verdict
 * survives the swap and how often a decisive answer names the response shown first (0.5: no
 * preference; MT-Bench found GPT-4 consistent on only ~65% of swapped pairs). The other probes
 * perturb one response, so a pairwise judge's audit is this probe.
 */
import { cellText } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { judgeKey, type Judge } from '../judges/definition.js';
import { judgePairs, summarizePairs, type Rate } from '../judges/pairwise.js';
import { PAIRWISE_VARIABLES } from '../judges/pairwise-output.js';
import { judgeToConfig } from '../judges/serialize.js';
import { NothingToAudit, type AuditPlan, type AuditReport, type AuditRunner } from './audit.js';
import type { Estimate } from './statistics.js';

/** What the position probe reports. */
export interface PositionReport {
  available: true;
  /** Rows judged in both orders without an error. */
  pairs: number;
  /** Share of pairs whose verdict did not change with the order. */
  consistency: Estimate;
  /** Among answers naming a response, the share naming the one shown first. */
  first_position: Estimate;
  /** Share of pairs that end a tie (order-dependent verdicts included). */
  ties: Estimate;
  /** The pairs whose verdict changed with the order: the answer with A's response first, and with B's. */
  inconsistent_rows: Array<{ row: number; a_first: string; b_first: string }>;
}

/** The columns holding a row's two responses: `response_a` / `response_b`, or what col_mapping names for them. */
export function pairColumns(judge: Judge, columns: readonly string[], colMapping: Record<string, string> = {}): [string, string] {
  const [a, b] = PAIRWISE_VARIABLES.map((variable) => {
    const column = colMapping[variable] ?? variable;
    if (!columns.includes(column)) {
      throw new ConfigError(`judge '${judge.name}' compares two responses, and the data has no column '${column}' for {${variable}}`, {
        where: { field: `col_mapping.${variable}` },
        hint: `map it to one of the columns (${columns.join(', ')}), e.g. --col-mapping ${variable}=<column>`,
      });
    }
    return column;
  });
  return [a!, b!];
}

/** Audits a pairwise judge: both orders of every row's pair, then consistency and first-position preference. */
export async function auditPositions(plan: AuditPlan, run: AuditRunner): Promise<AuditReport> {
  const { judge, records, suite } = plan;
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const [colA, colB] = pairColumns(judge, columns, plan.colMapping);
  // The pairs carry their responses under response_a / response_b (swapped for the second order): the mapping of those is done here.
  const colMapping = Object.fromEntries(
    Object.entries(plan.colMapping ?? {}).filter(([v]) => !(PAIRWISE_VARIABLES as readonly string[]).includes(v)),
  );
  const pairs = records.map((record: DataRecord, i) => ({ id: String(i), a: cellText(record[colA]), b: cellText(record[colB]), record }));
  const judged = await judgePairs(judge, pairs, {
    ...(Object.keys(colMapping).length ? { colMapping } : {}),
    ...(plan.judgeModel ? { judgeModel: plan.judgeModel } : {}),
    ...(plan.env ? { env: plan.env } : {}),
    ...(plan.cache === false ? { cache: false } : {}),
    experiment: 'audit',
    runName: `audit-${judge.name}-${judge.version}`,
    collectTable: true,
    config: {
      command: 'audit',
      judge: judgeToConfig(judge),
      data: plan.dataName,
      probes: ['position'],
      col_mapping: plan.colMapping ?? {},
    },
    ...(plan.datasetRecord ? { datasetRecord: { ...plan.datasetRecord, audited_rows: records.length, copies: 2 } } : {}),
    run: (options) => run(options, 'probes'),
  });
  const summary = summarizePairs(judged.verdicts, { seed: plan.seed, resamples: plan.resamples });
  if (summary.judged === 0) throw new NothingToAudit(judged.result.runId, records.length);
  const estimate = (rate: Rate): Estimate => ({ value: rate.value, ci: rate.interval, rows: summary.judged });
  const label = (order: (typeof judged.verdicts)[number]['aFirst']) => ('label' in order ? order.label : 'error');
  const result = judged.result;
  const notes: string[] = [];
  if (summary.first_position.value === null && summary.judged > 0)
    notes.push('every answer was a tie, so no position was preferred or not');
  return {
    suite: { name: suite.suite, version: suite.version },
    judge: { name: judge.name, version: judge.version, key: judgeKey(judge), output: plan.scheme.kind },
    data: { name: plan.dataName, rows: records.length, response_column: `${colA}, ${colB}`, hash: plan.dataHash },
    probes: ['position'],
    bootstrap: { level: 0.95, resamples: plan.resamples, seed: plan.seed },
    run_id: result.runId,
    position: {
      available: true,
      pairs: summary.judged,
      consistency: estimate(summary.consistency),
      first_position: estimate(summary.first_position),
      ties: estimate(summary.ties),
      inconsistent_rows: judged.verdicts
        .filter((v) => v.consistent === false)
        .map((v) => ({ row: Number(v.id), a_first: label(v.aFirst), b_first: label(v.bFirst) })),
    },
    errors: { original: summary.errors, perturbed: 0, samples: 0 },
    calls: { made: result.calls.made, cached: result.calls.cached },
    cost_usd: result.costUsd,
    notes,
  };
}
