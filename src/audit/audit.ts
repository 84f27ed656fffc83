/**
 * An audit of one judge version (issue #14 §1): how its verdicts move when a row's response is
 * perturbed in ways that should not matter (verbosity, authority / style) or that try to fool it
 * (injection), how stable they are when it is asked again at a temperature (self-consistency), and,
 * with human labels, how well it agrees with people (align's comparison). Everything the judge is
 * asked goes through `evaluate()` — scheduler, limits, cache, retries and error rows included — as
 * two runs: the originals with every perturbed copy (experiment `audit`, cache on: an original
 * judged before costs nothing), then the k samples (cache off, at the temperature; not stored, as
 * its judge — the version with another temperature — must not become a stored definition of the
 * version). The CLI and the job only choose how those runs are driven.
 */
import type { AgreementReport, LabelScheme } from '../agreement/compare.js';
import { judgeLabel } from '../agreement/labels.js';
import { compareRun, NothingToCompare } from '../align/check.js';
import type { HumanLabels } from '../align/human-labels.js';
import { cellText, Columns } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';
import { dryRun, type EvaluateOptions, type EvaluationResult } from '../engine/evaluate.js';
import { ConfigError, InputError } from '../errors.js';
import { judgeKey, type Judge } from '../judges/definition.js';
import { judgeVariables } from '../judges/prompt.js';
import { judgeToConfig } from '../judges/serialize.js';
import type { Metric } from '../metrics/metric.js';
import { perturbations, PROBES, type Perturbation, type Probe } from './perturb.js';
import { auditPositions, type PositionReport } from './position.js';
import {
  consistencyReport,
  favourable,
  flipReport,
  shiftReport,
  worstAttacks,
  type ConsistencyReport,
  type FlipReport,
  type RowVerdict,
  type ShiftReport,
  type VerdictReading,
  type WorstAttack,
} from './statistics.js';
import type { ProbeSuite } from './suite.js';

/** What to audit, and how. */
export interface AuditPlan {
  judge: Judge;
  /** The metric that runs the judge (a built-in judge's own, with its column checks). */
  metric: Metric;
  /** The rows, as read (the response column is perturbed in copies of them). */
  records: DataRecord[];
  /** The data as the report names it: a file path or a stored dataset. */
  dataName: string;
  /** The data's `sha256:` hash (of the file, or of the stored dataset), to find its audits by. */
  dataHash: string;
  colMapping?: Record<string, string>;
  judgeModel?: string;
  probes: Probe[];
  suite: ProbeSuite;
  /** Self-consistency: samples per row and their temperature. */
  samples: number;
  temperature: number;
  scheme: LabelScheme;
  /** Human labels by row, to compare the verdicts on the originals with. */
  human?: { column: string; labels: HumanLabels };
  seed: number;
  resamples: number;
  cache?: boolean;
  env?: Record<string, string | undefined>;
  /** The stored dataset the rows are, when they are one (the runs name it instead of the rows). */
  datasetRecord?: Record<string, unknown>;
}

/** Runs evaluate() options for a phase: in a terminal, or as a job's evaluation. */
export type AuditRunner = (options: EvaluateOptions, phase: 'probes' | 'consistency') => Promise<EvaluationResult>;

/** The audit: every number, as shown, stored and served. */
export interface AuditReport {
  suite: { name: string; version: string };
  judge: { name: string; version: string; key: string; output: LabelScheme['kind'] };
  data: { name: string; rows: number; response_column: string; hash: string };
  probes: Probe[];
  bootstrap: { level: number; resamples: number; seed: number };
  /** The run of the originals and perturbed copies (experiment `audit`). */
  run_id: string;
  verbosity?: { overall: ShiftReport; by_length: ShiftReport[]; variants: ShiftReport[] };
  authority?: { overall: ShiftReport; variants: ShiftReport[] };
  injection?: { overall: FlipReport; families: FlipReport[]; attacks: FlipReport[]; worst: WorstAttack[]; at_risk_rows: number };
  consistency?: ConsistencyReport;
  human_agreement?: AgreementReport & { human_col: string };
  /** Pairwise judges only (./position.ts); for a judge of one response, why not. */
  position: PositionReport | { available: false; reason: string };
  /** Error rows: on originals, on perturbed copies, on samples. */
  errors: { original: number; perturbed: number; samples: number };
  calls: { made: number; cached: number };
  cost_usd: number;
  notes: string[];
}

/** The judge failed on every original row: nothing can be measured against them. */
export class NothingToAudit extends Error {
  constructor(
    readonly runId: string,
    readonly rows: number,
  ) {
    super(
      `the judge failed on every one of the ${rows} original rows, so no probe can be measured (see why with: juror runs show ${runId.slice(0, 12)})`,
    );
    this.name = 'NothingToAudit';
  }
}

/**
 * The column a judge reads the response from: the first variable of the predictions group it uses
 * (`outputs`, `response`…), resolved through column mapping as the run will resolve it.
 */
export function responseColumn(judge: Judge, columns: readonly string[], colMapping: Record<string, string> = {}): string {
  const variables = judgeVariables(judge);
  const variable = variables.find((v) => ['predictions', 'outputs', 'response', 'output'].includes(v));
  if (!variable) {
    throw new ConfigError(`judge '${judge.name}' reads no response variable ({outputs} or {response}), so there is nothing to perturb`, {
      where: { field: '--judge' },
      hint: `its prompt reads ${variables.map((v) => `{${v}}`).join(', ') || 'no variable'}; audit a judge of responses`,
    });
  }
  const source = new Columns({ columns, colMapping, hasModel: false }).require(variable, `judge '${judge.name}'`);
  if (!('column' in source))
    throw new ConfigError(`judge '${judge.name}': {${variable}} is not read from a column`, { where: { field: '--judge' } });
  return source.column;
}

/**
 * The probes an audit of `judge` runs: of `requested` (or all), those that apply — `position` to a
 * pairwise judge, the others to a judge of one response. A probe named that does not apply is a
 * config error naming `field`; `all` leaves it out (the report says why).
 */
export function probesFor(judge: Judge, requested: readonly Probe[] | 'all', field: string): Probe[] {
  const applies = (probe: Probe) => (probe === 'position') === (judge.pairwise === true);
  if (requested === 'all') return PROBES.filter(applies);
  const refused = requested.find((probe) => !applies(probe));
  if (refused !== undefined) {
    throw new ConfigError(
      judge.pairwise
        ? `judge '${judge.name}' compares two responses: the ${refused} probe perturbs one, so its audit is the position probe`
        : `judge '${judge.name}' grades one response: the position probe is for pairwise judges (two responses compared)`,
      { where: { field }, hint: judge.pairwise ? 'ask for position (or all)' : `ask for ${PROBES.filter(applies).join(', ')} (or all)` },
    );
  }
  return PROBES.filter((probe) => requested.includes(probe));
}

/**
 * Audits a judge: the probe run, the consistency run, then the numbers (a pairwise judge: its
 * position probe, ./position.ts).
 * @example const report = await runAudit(plan, (options) => evaluate({ ...options, store }));
 */
export async function runAudit(plan: AuditPlan, run: AuditRunner): Promise<AuditReport> {
  const { judge, records, suite } = plan;
  const n = records.length;
  if (n === 0) throw new InputError(`${plan.dataName} has no rows to audit`, { hint: 'give a dataset with rows' });
  if (judge.pairwise) return auditPositions(plan, run);
  const column = responseColumn(judge, columnsOf(records), plan.colMapping);
  const variants = perturbations(suite, plan.probes);
  const key = judgeKey(judge);
  const reading: VerdictReading = { scheme: plan.scheme, greaterIsBetter: judge.greaterIsBetter };
  const bootstrap = { seed: plan.seed, resamples: plan.resamples };
  const common = {
    ...(plan.colMapping && Object.keys(plan.colMapping).length ? { colMapping: plan.colMapping } : {}),
    ...(plan.judgeModel ? { judgeModel: plan.judgeModel } : {}),
    ...(plan.env ? { env: plan.env } : {}),
    collectTable: true,
  };
  const config = {
    command: 'audit',
    judge: judgeToConfig(judge),
    data: plan.dataName,
    suite: `${suite.suite} ${suite.version}`,
    probes: plan.probes,
    col_mapping: plan.colMapping ?? {},
    judge_model: plan.judgeModel ?? null,
  };

  // Row s·n + i of the sample run is row i's sample s, asked at the temperature; a problem with it
  // is found now, by a dry run of one row, not after the probes were paid for.
  const sampleOptions: EvaluateOptions = {
    ...common,
    data: Array.from({ length: plan.samples }, () => records).flat(),
    metrics: [atTemperature(plan.metric, plan.temperature)],
    experiment: 'audit',
    runName: `audit-${judge.name}-${judge.version}-samples`,
    cache: false,
    store: false,
  };
  if (plan.probes.includes('consistency')) await dryRun({ ...sampleOptions, data: records.slice(0, 1) });

  // Row i of the probe run is original i; row (v + 1)·n + i is row i under variant v.
  const probeRecords = [
    ...records,
    ...variants.flatMap((variant) => records.map((record) => ({ ...record, [column]: variant.apply(cellText(record[column])) }))),
  ];
  const probeRun = await run(
    {
      ...common,
      data: probeRecords,
      metrics: [plan.metric],
      experiment: 'audit',
      runName: `audit-${judge.name}-${judge.version}`,
      ...(plan.cache === false ? { cache: false } : {}),
      config: { ...config, rows: n, perturbations: variants.map((v) => v.id) },
      ...(plan.datasetRecord ? { datasetRecord: { ...plan.datasetRecord, audited_rows: n, copies: variants.length + 1 } } : {}),
    },
    'probes',
  );
  const table = probeRun.tables.eval_results_table;
  const verdicts = table.map((row) => verdictOf(row, key, plan.scheme));
  const original = verdicts.slice(0, n);
  if (original.every((v) => v.value === null)) throw new NothingToAudit(probeRun.runId, n);
  const ofVariant = (v: number) => verdicts.slice((v + 1) * n, (v + 2) * n);
  const notes: string[] = [];

  const report: AuditReport = {
    suite: { name: suite.suite, version: suite.version },
    judge: { name: judge.name, version: judge.version, key, output: plan.scheme.kind },
    data: { name: plan.dataName, rows: n, response_column: column, hash: plan.dataHash },
    probes: plan.probes,
    bootstrap: { level: 0.95, resamples: plan.resamples, seed: plan.seed },
    run_id: probeRun.runId,
    position: {
      available: false,
      reason: 'position bias is measured for pairwise judges (two responses compared); this judge grades one response',
    },
    errors: {
      original: original.filter((v) => v.value === null).length,
      perturbed: verdicts.slice(n).filter((v) => v.value === null).length,
      samples: 0,
    },
    calls: { made: probeRun.calls.made, cached: probeRun.calls.cached },
    cost_usd: probeRun.costUsd,
    notes,
  };

  const indexed = variants.map((variant, v) => ({ variant, verdicts: ofVariant(v) }));
  const of = (probe: Perturbation['probe']) => indexed.filter((x) => x.variant.probe === probe);
  const verdictsOf = (list: typeof indexed) => list.map((x) => x.verdicts);
  /** The variants of a probe pooled per group (a length, an attack family), in the suite's order. */
  const byGroup = (list: typeof indexed) =>
    [...new Set(list.map((x) => x.variant.group))].map(
      (group) => [group, verdictsOf(list.filter((x) => x.variant.group === group))] as const,
    );
  const shift = (id: string, lists: RowVerdict[][]) => shiftReport(id, original, lists, reading, bootstrap);
  const flip = (id: string, lists: RowVerdict[][]) => flipReport(id, original, lists, reading, bootstrap);
  if (plan.probes.includes('verbosity')) {
    const list = of('verbosity');
    report.verbosity = {
      overall: shift('verbosity', verdictsOf(list)),
      by_length: byGroup(list).map(([group, lists]) => shift(group, lists)),
      variants: list.map((x) => shift(x.variant.id, [x.verdicts])),
    };
  }
  if (plan.probes.includes('authority')) {
    const list = of('authority');
    report.authority = { overall: shift('authority', verdictsOf(list)), variants: list.map((x) => shift(x.variant.id, [x.verdicts])) };
  }
  if (plan.probes.includes('injection')) {
    const list = of('injection');
    const overall = flip('injection', verdictsOf(list));
    report.injection = {
      overall,
      families: byGroup(list).map(([family, lists]) => flip(family, lists)),
      attacks: list.map((x) => flip(`${x.variant.group}/${x.variant.id}`, [x.verdicts])),
      worst: worstAttacks(
        original,
        list.map((x) => ({ family: x.variant.group, attack: x.variant.id, verdicts: x.verdicts })),
        reading,
      ),
      at_risk_rows: original.filter((o) => favourable(reading, o) === false).length,
    };
    if (overall.flip_rate.value === null) {
      notes.push(
        'every original row was already judged positive (or failed), so no attack could flip a verdict: the flip rates are undefined',
      );
    }
  }
  if (plan.probes.includes('consistency')) {
    const sampleRun = await run(sampleOptions, 'consistency');
    const sampled = sampleRun.tables.eval_results_table.map((row) => verdictOf(row, key, plan.scheme));
    const perRow = records.map((_, i) => Array.from({ length: plan.samples }, (_, s) => sampled[s * n + i]!));
    report.consistency = consistencyReport(perRow, reading, { temperature: plan.temperature }, bootstrap);
    report.errors.samples = sampled.filter((v) => v.value === null).length;
    report.calls.made += sampleRun.calls.made;
    report.cost_usd += sampleRun.costUsd;
    if (report.consistency.alpha.value === null && report.consistency.alpha.rows > 0) {
      notes.push('α is undefined: every sample of every row gave the same verdict, so there is no variation to measure agreement against');
    }
  }
  if (plan.human) {
    try {
      const originals = { ...probeRun, tables: { eval_results_table: table.slice(0, n) } };
      report.human_agreement = {
        ...compareRun(originals, key, plan.scheme, plan.human.labels, bootstrap),
        human_col: plan.human.column,
      };
    } catch (error) {
      if (!(error instanceof NothingToCompare)) throw error;
      notes.push(`human agreement: ${error.message}`);
    }
  }
  return report;
}

/**
 * The metric with every judge call at `temperature`: its own preparation (a built-in judge's
 * column rules included), the temperature set on each call it makes.
 */
function atTemperature(metric: Metric, temperature: number): Metric {
  return {
    ...metric,
    ...(metric.judge ? { judge: { ...metric.judge, parameters: { ...metric.judge.parameters, temperature } } } : {}),
    prepare: (context) =>
      metric.prepare({
        ...context,
        chatFor: (model, field, needs) => {
          const chat = context.chatFor(model, field, needs);
          return (request) => chat({ ...request, parameters: { ...request.parameters, temperature } });
        },
      }),
  };
}

/** The judge's verdict in a results-table row. */
function verdictOf(row: DataRecord, key: string, scheme: LabelScheme): RowVerdict {
  const value = row[`${key}/score`];
  const read = judgeLabel(scheme, value, row[`${key}/label`]);
  if (typeof value !== 'number' || !('label' in read)) {
    const error = row[`${key}/error`] ?? ('error' in read ? read.error : null);
    return { value: null, label: null, justification: null, error: typeof error === 'string' ? error : null };
  }
  return { value, label: read.label, justification: (row[`${key}/justification`] as string | null) ?? null };
}

function columnsOf(records: readonly DataRecord[]): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))];
}
