/**
 * `juror audit`: bias probes of a judge version (src/audit/). Runs the judge over the rows as they
 * are and over perturbed copies (verbosity, authority / style, injection), samples it again at a
 * temperature (self-consistency), compares it with human labels when given, prints every number
 * with its 95% interval, stores the audit under the judge version, and gates CI with `--fail-under`.
 */
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { labelScheme } from '../agreement/scheme.js';
import { readHumanLabels } from '../align/human-labels.js';
import { NothingToAudit, probesFor, runAudit, type AuditPlan, type AuditReport } from '../audit/audit.js';
import { checkGates, parseGate, type GateResult } from '../audit/gates.js';
import { PROBES, type Probe } from '../audit/perturb.js';
import { recordAudit } from '../audit/record.js';
import type { Estimate, ShiftReport } from '../audit/statistics.js';
import { loadSuite } from '../audit/suite.js';
import { openDataset, type DataRecord } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { loadJudge } from '../judges/load.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { parseColMapping, parseInteger } from './align.js';
import { EXIT, reportError } from './exit.js';
import { formatNumber } from './format.js';
import { runInTerminal } from './run-in-terminal.js';

/** The flags of `juror audit`, as commander parses them. */
export interface AuditFlags {
  judge: string;
  data: string;
  humanCol?: string;
  probes: string;
  samples: string;
  temperature: string;
  suite?: string;
  rows?: string;
  colMapping: string[];
  judgeModel?: string;
  threshold?: string;
  json?: boolean;
  failUnder: string[];
  seed: string;
  resamples: string;
  cache: boolean;
  db?: string;
}

/** A run the person stopped (Ctrl-C) or that stopped short: no audit is computed on part of it. */
class AuditStopped extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Runs `juror audit` and returns its exit code. */
export async function auditCommand(flags: AuditFlags): Promise<number> {
  try {
    const requested = parseProbes(flags.probes);
    const samples = parseInteger(flags.samples, '--samples', 2, 50);
    const temperature = parseNumber(flags.temperature, '--temperature', 0, 2);
    const seed = parseInteger(flags.seed, '--seed', 0, 0xffffffff);
    const resamples = parseInteger(flags.resamples, '--resamples', 1, 100_000);
    const rows = flags.rows === undefined ? undefined : parseInteger(flags.rows, '--rows', 1, 1_000_000);
    const threshold = flags.threshold === undefined ? undefined : parseNumber(flags.threshold, '--threshold', -1e9, 1e9);
    const colMapping = parseColMapping(flags.colMapping);
    const suite = await loadSuite(flags.suite === undefined ? undefined : resolve(flags.suite));
    const { metric, judge } = await loadJudge(flags.judge, '--judge', 'audit measures the biases of a judge');
    const probes = probesFor(judge, requested, '--probes');
    const gates = flags.failUnder.map((spec) => parseGate(spec, probes, suite, flags.humanCol !== undefined));
    if (judge.assessmentType === 'RETRIEVAL') {
      throw new ConfigError(`judge '${judge.name}' is a RETRIEVAL judge: it grades retrieved chunks, not a response to perturb`, {
        where: { field: '--judge' },
        hint: 'audit an ANSWER judge',
      });
    }
    const scheme = labelScheme(judge.output, threshold === undefined ? {} : { threshold });
    const dataPath = resolve(flags.data);
    const dataset = await openDataset(dataPath);
    const records: DataRecord[] = [];
    for await (const row of dataset.rows()) {
      if (rows !== undefined && records.length >= rows) break;
      records.push(row.record);
    }
    const human =
      flags.humanCol === undefined
        ? undefined
        : {
            column: flags.humanCol,
            labels: (await readHumanLabels({ path: dataPath, columnField: '--human-col' }, flags.humanCol, scheme)).labels.slice(
              0,
              records.length,
            ),
          };
    const plan: AuditPlan = {
      judge,
      metric,
      records,
      dataName: dataPath,
      dataHash: dataset.hash,
      ...(Object.keys(colMapping).length ? { colMapping } : {}),
      ...(flags.judgeModel ? { judgeModel: flags.judgeModel } : {}),
      probes,
      suite,
      samples,
      temperature,
      scheme,
      ...(human ? { human } : {}),
      seed,
      resamples,
      cache: flags.cache,
    };

    const store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    try {
      let report: AuditReport;
      try {
        report = await runAudit(plan, async (options, phase) => {
          process.stderr.write(
            phase === 'probes'
              ? 'juror: judging the rows and their perturbed copies\n'
              : `juror: sampling the judge ${samples} times per row at temperature ${temperature}\n`,
          );
          const { result, interrupted } = await runInTerminal(phase === 'probes' ? { ...options, store } : options);
          if (result.status === 'interrupted') {
            throw new AuditStopped(
              `run ${result.runId} stopped: ${result.stopReason}; no audit is computed on a partial run`,
              interrupted || result.stoppedBy === 'interrupted' ? EXIT.interrupted : EXIT.stopped,
            );
          }
          return result;
        });
      } catch (error) {
        if (error instanceof AuditStopped) {
          process.stderr.write(`juror: ${error.message}\n`);
          return error.code;
        }
        if (error instanceof NothingToAudit) {
          process.stderr.write(`juror: ${error.message}\n`);
          return EXIT.failed;
        }
        throw error;
      }
      const stored = await recordAudit(store, { judge, report });
      const results = checkGates(gates, report);
      const passed = results.every((r) => r.passed);
      process.stdout.write(
        flags.json
          ? JSON.stringify({ audit_id: stored.id, ...report, fail_under: results.map(gateJson), passed }) + '\n'
          : describe(report, results, store.where),
      );
      return passed ? EXIT.ok : EXIT.failed;
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

function gateJson(g: GateResult) {
  return { name: g.name, bound: g.bound, kind: g.kind, actual: g.actual, passed: g.passed };
}

/** The readable report: one table per probe, then the gates. */
function describe(report: AuditReport, gates: GateResult[], where: string): string {
  const lines = [
    `audit of judge ${report.judge.key} (${report.judge.output}) on ${report.data.rows} rows of ${report.data.name}`,
    `suite ${report.suite.name} ${report.suite.version}; response column '${report.data.response_column}'; 95% bootstrap intervals over rows (B=${report.bootstrap.resamples}, seed ${report.bootstrap.seed})`,
  ];
  const table = (head: string[]) => new Table({ head, style: { head: [], border: [] } });
  // The first row of each table pools every variant of the probe.
  const shiftRows = (t: Table.Table, [overall, ...list]: ShiftReport[]) => {
    for (const s of [{ ...overall!, id: 'all' }, ...list])
      t.push([s.id, String(s.pairs), estimate(s.mean_shift, true), estimate(s.improve_rate)]);
  };
  if (report.verbosity) {
    lines.push('', 'verbosity: the response padded with fluent, content-free text (score shift = padded − original)');
    const t = table(['padding', 'pairs', 'mean score shift [95% CI]', 'verdict improved [95% CI]']);
    shiftRows(t, [report.verbosity.overall, ...report.verbosity.by_length, ...report.verbosity.variants]);
    lines.push(t.toString());
  }
  if (report.authority) {
    lines.push('', 'authority / style: the same content, framed');
    const t = table(['framing', 'pairs', 'mean score shift [95% CI]', 'verdict improved [95% CI]']);
    shiftRows(t, [report.authority.overall, ...report.authority.variants]);
    lines.push(t.toString());
  }
  if (report.injection) {
    const i = report.injection;
    lines.push('', `injection: flip rate to a positive verdict, over the ${i.at_risk_rows} rows not judged positive as they are`);
    const t = table(['attack family', 'pairs', 'flips', 'flip rate [95% CI]']);
    for (const f of [{ ...i.overall, id: 'all' }, ...i.families]) t.push([f.id, String(f.pairs), String(f.flips), estimate(f.flip_rate)]);
    lines.push(t.toString());
    if (i.worst.length) {
      lines.push('worst attacks:');
      for (const w of i.worst) {
        lines.push(`  ${w.family}/${w.attack}: ${w.flips} of ${w.pairs} flipped (${formatNumber(w.flip_rate)})`);
        const example = w.examples[0];
        if (example) {
          lines.push(
            `    row ${example.row}: ${example.original} → ${example.perturbed}; the judge said: ${oneLine(example.justification ?? '')}`,
          );
        }
      }
    }
  }
  if (report.consistency) {
    const c = report.consistency;
    lines.push('', `self-consistency: ${c.samples} samples per row at temperature ${c.temperature}`);
    const t = table(['statistic', 'value [95% CI]']);
    t.push([`krippendorff_alpha (${c.alpha_metric})`, estimate(c.alpha)], ['rows whose verdict changes', estimate(c.change_rate)]);
    lines.push(t.toString());
    if (c.changed_rows.length) {
      const shown = c.changed_rows
        .slice(0, 10)
        .map((r) => `row ${r.row} [${r.verdicts.map((v) => (v === null ? 'error' : String(v))).join(', ')}]`);
      lines.push(
        `rows worth a human label: ${shown.join('; ')}${c.changed_rows.length > 10 ? `; … ${c.changed_rows.length - 10} more (--json lists all)` : ''}`,
      );
    }
  }
  if (report.human_agreement) {
    const h = report.human_agreement;
    lines.push('', `human agreement with column '${h.human_col}' (${h.n} rows compared)`);
    const t = table(['statistic', 'value [95% CI]']);
    for (const [name, value] of Object.entries(h.statistics)) {
      const ci = h.ci[name as keyof typeof h.ci];
      t.push([name, value === null ? '—' : `${formatNumber(value)}${ci ? ` [${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : ''}`]);
    }
    lines.push(t.toString());
  }
  const position = report.position;
  if (position.available) {
    lines.push('', `position: ${position.pairs} pairs judged in both orders (the first response shown as A, then as B)`);
    const t = table(['statistic', 'value [95% CI]']);
    t.push(
      ['verdict kept when swapped', estimate(position.consistency)],
      ['answers naming the first shown (0.5: none)', estimate(position.first_position)],
      ['ties (order-dependent included)', estimate(position.ties)],
    );
    lines.push(t.toString());
    if (position.inconsistent_rows.length) {
      const shown = position.inconsistent_rows.slice(0, 10).map((r) => `row ${r.row} (${r.a_first} then ${r.b_first})`);
      lines.push(`verdicts that changed with the order: ${shown.join('; ')}${position.inconsistent_rows.length > 10 ? '; …' : ''}`);
    }
  } else lines.push('', `position: ${position.reason}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  for (const g of gates) {
    const op = g.kind === 'max' ? '<=' : '>=';
    lines.push(
      `${g.passed ? 'PASS' : 'FAIL'}  ${g.name} ${op} ${g.bound} (got ${g.actual === null ? 'no value: it is undefined on this data' : formatNumber(g.actual)})`,
    );
  }
  const e = report.errors;
  lines.push(
    '',
    `${report.calls.made} calls (${report.calls.cached} from the cache), $${report.cost_usd.toFixed(4)}; judge errors: ${e.original} on originals, ${e.perturbed} on perturbed copies, ${e.samples} on samples`,
    `run ${report.run_id} in experiment 'audit', stored in ${where}; the audit is stored under judge ${report.judge.name} ${report.judge.version} (Judges page of \`juror serve\`)`,
  );
  return lines.join('\n') + '\n';
}

function estimate(e: Estimate, signed = false): string {
  if (e.value === null) return '—';
  const value = (v: number) => (signed && v > 0 ? `+${formatNumber(v)}` : formatNumber(v));
  return `${value(e.value)}${e.ci ? ` [${value(e.ci[0])}, ${value(e.ci[1])}]` : ''}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
}

function parseProbes(text: string): Probe[] | 'all' {
  const names = text
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return 'all';
  const unknown = names.find((name) => !(PROBES as readonly string[]).includes(name));
  if (unknown !== undefined || names.length === 0) {
    throw new ConfigError(`--probes ${text}: ${unknown !== undefined ? `unknown probe '${unknown}'` : 'no probe named'}`, {
      where: { field: '--probes' },
      hint: `write all, or some of ${PROBES.join(',')}`,
    });
  }
  return PROBES.filter((p) => names.includes(p));
}

function parseNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${flag} ${text} is not a number from ${min} to ${max}`, {
      where: { field: flag },
      hint: `e.g. ${flag} ${max >= 1 ? 1 : max}`,
    });
  }
  return value;
}
