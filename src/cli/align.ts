/**
 * `juror align`: runs one judge over rows that humans have labelled (the same engine and store as
 * `juror eval`, as a run of experiment `align`) and reports how well the judge agrees with them —
 * accuracy, Cohen's κ, quadratic weighted κ, Krippendorff's α, Spearman's ρ and Kendall's τ-b for
 * scales, precision/recall/F1 of the negative verdict, the confusion matrix, and percentile
 * bootstrap intervals — then gates CI on them with `--fail-under`.
 */
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { STATISTICS, type AgreementReport, type LabelScheme, type StatisticName } from '../agreement/compare.js';
import { labelScheme, negativeLabels } from '../agreement/scheme.js';
import type { EvaluationResult } from '../engine/evaluate.js';
import { ConfigError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import { loadJudge } from '../judges/load.js';
import { judgeToConfig } from '../judges/serialize.js';
import { metricKey, type Metric } from '../metrics/metric.js';
import { compareRun, NothingToCompare, recordAlignment } from '../align/check.js';
import { readHumanLabels, type HumanLabels } from '../align/human-labels.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { formatNumber } from './format.js';
import { EXIT, reportError } from './exit.js';
import { runInTerminal } from './run-in-terminal.js';

/** The flags of `juror align`, as commander parses them. */
export interface AlignFlags {
  judge: string;
  data: string;
  humanCol: string;
  colMapping: string[];
  judgeModel?: string;
  json?: boolean;
  failUnder: string[];
  threshold?: string;
  seed: string;
  resamples: string;
  db?: string;
}

/** Names accepted by `--fail-under`, with their statistic. */
const GATE_NAMES: Record<string, StatisticName> = {
  accuracy: 'accuracy',
  kappa: 'cohen_kappa',
  cohen_kappa: 'cohen_kappa',
  weighted_kappa: 'weighted_kappa',
  alpha: 'krippendorff_alpha',
  krippendorff_alpha: 'krippendorff_alpha',
  spearman: 'spearman',
  rho: 'spearman',
  kendall: 'kendall_tau',
  kendall_tau: 'kendall_tau',
  tau: 'kendall_tau',
  precision: 'precision',
  recall: 'recall',
  f1: 'f1',
};

interface Gate {
  spec: string;
  statistic: StatisticName;
  min: number;
}

interface GateResult extends Gate {
  actual: number | null;
  passed: boolean;
}

/** Runs `juror align` and returns its exit code. */
export async function alignCommand(flags: AlignFlags): Promise<number> {
  try {
    const gates = flags.failUnder.map(parseGate);
    const colMapping = parseColMapping(flags.colMapping);
    const threshold =
      flags.threshold === undefined
        ? undefined
        : parseNumber(flags.threshold, '--threshold', 'give a score, e.g. --threshold 3 (scores at or below it are negative verdicts)');
    const seed = parseInteger(flags.seed, '--seed', 0, 0xffffffff);
    const resamples = parseInteger(flags.resamples, '--resamples', 1, 1_000_000);

    const { metric, judge } = await loadJudge(flags.judge, '--judge', "align compares a judge's verdicts with human labels");
    if (judge.assessmentType === 'RETRIEVAL') {
      throw new ConfigError(
        `judge '${judge.name}' is a RETRIEVAL judge, whose row value is a share of chunks, not a verdict to compare with a label`,
        {
          where: { field: '--judge' },
          hint: 'align an ANSWER judge (remove assessment_type: RETRIEVAL), or label and align the chunks as rows of their own',
        },
      );
    }
    const scheme = labelScheme(judge.output, threshold === undefined ? {} : { threshold });
    for (const gate of gates) checkGateApplies(gate, scheme);

    const dataPath = resolve(flags.data);
    const { labels: human } = await readHumanLabels({ path: dataPath, columnField: '--human-col' }, flags.humanCol, scheme);
    const store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    try {
      return await runAndReport({ flags, metric, judge, scheme, gates, colMapping, threshold, seed, resamples, dataPath, human, store });
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

interface AlignRun {
  flags: AlignFlags;
  metric: Metric;
  judge: Judge;
  scheme: LabelScheme;
  gates: Gate[];
  colMapping: Record<string, string>;
  threshold: number | undefined;
  seed: number;
  resamples: number;
  dataPath: string;
  human: HumanLabels;
  store: Store;
}

async function runAndReport(run: AlignRun): Promise<number> {
  const { flags, metric, judge, scheme, gates } = run;
  const key = metricKey(metric);
  const { result, interrupted } = await runInTerminal({
    data: run.dataPath,
    metrics: [metric],
    ...(Object.keys(run.colMapping).length ? { colMapping: run.colMapping } : {}),
    ...(flags.judgeModel ? { judgeModel: flags.judgeModel } : {}),
    experiment: 'align',
    runName: `align-${judge.name}`,
    config: {
      command: 'align',
      judge: judgeToConfig(judge),
      data: run.dataPath,
      human_col: flags.humanCol,
      col_mapping: run.colMapping,
      judge_model: flags.judgeModel ?? null,
      threshold: run.threshold ?? null,
      seed: run.seed,
      resamples: run.resamples,
    },
    store: run.store,
    collectTable: true,
  });
  if (result.status === 'interrupted') {
    process.stderr.write(`juror: run ${result.runId} stopped: ${result.stopReason}; no agreement computed on a partial run\n`);
    return interrupted || result.stoppedBy === 'interrupted' ? EXIT.interrupted : EXIT.stopped;
  }

  let report: AgreementReport;
  try {
    report = compareRun(result, key, scheme, run.human, { seed: run.seed, resamples: run.resamples });
  } catch (error) {
    if (!(error instanceof NothingToCompare)) throw error;
    process.stderr.write(`juror: ${error.message}\n  fix: see why with: juror runs show ${result.runId.slice(0, 12)}\n`);
    return EXIT.failed;
  }
  if (run.threshold !== undefined && (scheme.kind === 'binary' || scheme.kind === 'yes_no')) {
    report.notes.push(
      `--threshold applies to scales and category scores; for ${scheme.kind === 'yes_no' ? 'a yes/no' : 'a binary'} judge the negative verdict is ${scheme.kind === 'yes_no' ? "'no'" : '0'}`,
    );
  }
  // Stored under the judge version with its run: `GET /api/judges/:name/agreement` is the history of these checks.
  await recordAlignment(run.store, { judge, runId: result.runId, dataHash: result.dataset.hash, report });
  const results: GateResult[] = gates.map((gate) => {
    const actual = report.statistics[gate.statistic];
    return { ...gate, actual, passed: actual !== null && actual >= gate.min };
  });
  const passed = results.every((r) => r.passed);
  const context = { key, judge, humanCol: flags.humanCol, dataPath: run.dataPath, scheme, result };
  process.stdout.write(flags.json ? JSON.stringify(toJson(report, results, passed, context)) + '\n' : describe(report, results, context));
  return passed ? EXIT.ok : EXIT.failed;
}

interface ReportContext {
  key: string;
  judge: Judge;
  humanCol: string;
  dataPath: string;
  scheme: LabelScheme;
  result: EvaluationResult;
}

/** The `--json` document. */
function toJson(report: AgreementReport, gates: GateResult[], passed: boolean, c: ReportContext) {
  return {
    run_id: c.result.runId,
    experiment: c.result.experiment,
    judge: c.key,
    output: c.scheme.kind,
    human_col: c.humanCol,
    n: report.n,
    dropped: report.dropped,
    ...report.statistics,
    confusion: { labels: report.confusion.labels, matrix: report.confusion.matrix, rows: 'human', columns: 'judge' },
    ci: report.ci,
    negative_labels: negativeLabels(c.scheme),
    krippendorff_alpha_metric: c.scheme.alphaMetric,
    bootstrap: report.bootstrap,
    notes: report.notes,
    fail_under: gates.map((g) => ({ statistic: g.statistic, min: g.min, actual: g.actual, passed: g.passed })),
    passed,
    errors: c.result.errors[c.key] ?? 0,
    calls: c.result.calls,
    cost_usd: Math.round(c.result.costUsd * 1e8) / 1e8,
  };
}

/** The readable report. */
function describe(report: AgreementReport, gates: GateResult[], c: ReportContext): string {
  const kind =
    c.scheme.kind === 'yes_no'
      ? 'yes/no'
      : c.scheme.kind === 'scale'
        ? `scale ${c.scheme.labels[0]}–${c.scheme.labels[c.scheme.labels.length - 1]}`
        : c.scheme.kind;
  const level = Math.round(report.bootstrap.level * 100);
  const lines = [
    `judge ${c.key} (${kind}) against the human labels in column '${c.humanCol}' of ${c.dataPath}`,
    `${report.n} rows compared, ${report.dropped} dropped; negative verdict (the positive class of precision/recall/F1): ${negativeLabels(c.scheme).join(', ')}`,
  ];
  const stats = new Table({
    head: ['statistic', 'value', `${level}% CI (bootstrap, B=${report.bootstrap.resamples}, seed ${report.bootstrap.seed})`],
    style: { head: [], border: [] },
  });
  for (const name of STATISTICS) {
    const value = report.statistics[name];
    const ci = report.ci[name];
    const label = name === 'krippendorff_alpha' ? `krippendorff_alpha (${c.scheme.alphaMetric})` : name;
    stats.push([label, value === null ? '—' : formatNumber(value), ci ? `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : '']);
  }
  lines.push(stats.toString());
  lines.push('confusion matrix (rows: human, columns: judge)');
  const confusion = new Table({ head: ['human \\ judge', ...report.confusion.labels.map(String)], style: { head: [], border: [] } });
  report.confusion.labels.forEach((label, i) => confusion.push([String(label), ...report.confusion.matrix[i]!.map(String)]));
  lines.push(confusion.toString());
  if (report.notes.length) lines.push('notes:', ...report.notes.map((note) => `  - ${note}`));
  for (const g of gates) {
    lines.push(
      `${g.passed ? 'PASS' : 'FAIL'}  ${g.statistic} >= ${g.min} (got ${g.actual === null ? 'no value: it is undefined on this data' : formatNumber(g.actual)})`,
    );
  }
  const r = c.result;
  lines.push(
    `${r.rowCount} rows, ${r.calls.made} calls (${r.calls.cached} from the cache), $${r.costUsd.toFixed(4)}`,
    `run ${r.runId} (${r.runName}) in experiment '${r.experiment}', stored in ${r.storedAt}`,
    `agreement stored under judge ${c.judge.name} ${c.judge.version}: its history is in the Judges page of \`juror serve\``,
  );
  return lines.join('\n') + '\n';
}

function parseGate(spec: string): Gate {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(spec);
  const hint = `write statistic=min, e.g. --fail-under kappa=0.6; statistics: ${Object.keys(GATE_NAMES).join(', ')}`;
  if (!match) throw new ConfigError(`--fail-under ${spec}: not statistic=min`, { where: { field: '--fail-under' }, hint });
  const statistic = GATE_NAMES[match[1]!.toLowerCase()];
  if (!statistic)
    throw new ConfigError(`--fail-under ${spec}: unknown statistic '${match[1]}'`, { where: { field: '--fail-under' }, hint });
  const min = Number(match[2]);
  if (!Number.isFinite(min))
    throw new ConfigError(`--fail-under ${spec}: '${match[2]}' is not a number`, { where: { field: '--fail-under' }, hint });
  return { spec, statistic, min };
}

/** A gate on a statistic this judge's output never has would always fail: say so before any call. */
function checkGateApplies(gate: Gate, scheme: LabelScheme): void {
  if ((gate.statistic === 'spearman' || gate.statistic === 'kendall_tau') && !scheme.ranked) {
    throw new ConfigError(
      `--fail-under ${gate.spec}: ${gate.statistic} is computed for scale judges only, and this judge's output is ${scheme.kind}`,
      {
        where: { field: '--fail-under' },
        hint: 'gate on kappa, alpha, accuracy or f1 instead',
      },
    );
  }
  if (gate.statistic === 'weighted_kappa' && !scheme.ordered) {
    throw new ConfigError(
      `--fail-under ${gate.spec}: weighted_kappa needs ordered labels, and two of this judge's categories share a score`,
      { where: { field: '--fail-under' }, hint: 'gate on kappa or alpha instead' },
    );
  }
}

/** `--col-mapping name=column` flags as a mapping (shared with `juror audit`). */
export function parseColMapping(specs: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = spec.slice(0, eq).trim();
    const column = spec.slice(eq + 1).trim();
    if (eq < 0 || !name || !column) {
      throw new ConfigError(`--col-mapping ${spec}: not name=column`, {
        where: { field: '--col-mapping' },
        hint: 'write the variable and the column, e.g. --col-mapping inputs=question',
      });
    }
    mapping[name] = column;
  }
  return mapping;
}

function parseNumber(text: string, flag: string, hint: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new ConfigError(`${flag} ${text} is not a number`, { where: { field: flag }, hint });
  return value;
}

/** An integer flag within [min, max] (shared with `juror audit`). */
export function parseInteger(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${flag} ${text} is not an integer from ${min} to ${max}`, {
      where: { field: flag },
      hint: `e.g. ${flag} ${min === 0 ? 1 : 1000}`,
    });
  }
  return value;
}
