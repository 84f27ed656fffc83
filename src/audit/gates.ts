/**
 * `--fail-under` bounds of an audit: `name=bound`, failing when the number is worse than the bound
 * — below it for α, position consistency and agreement (higher is better), above it for flip
 * rates, change rates, improve rates, the share of answers naming the first position and the size
 * of score shifts (lower is better). Each is checked against the probes
 * and the suite before any call, so a misspelt gate never costs a run.
 */
import { STATISTICS, type StatisticName } from '../agreement/compare.js';
import { ConfigError } from '../errors.js';
import type { AuditReport } from './audit.js';
import type { Probe } from './perturb.js';
import type { ShiftReport } from './statistics.js';
import type { ProbeSuite } from './suite.js';

/** A bound on one number of the report. */
export interface AuditGate {
  spec: string;
  /** The number, as written: `flip_rate.injection`, `shift.verbosity.x4`, `alpha.consistency`… */
  name: string;
  bound: number;
  /** `max`: fails above the bound; `min`: fails below it. */
  kind: 'max' | 'min';
}

/** A gate and what the audit measured. */
export interface GateResult extends AuditGate {
  actual: number | null;
  passed: boolean;
}

const FIELD = '--fail-under';
const NAMES =
  'flip_rate.injection[.<family>], shift.verbosity[.x2|.x4], shift.authority[.<framing>], improve_rate.verbosity[...], alpha.consistency, change_rate.consistency, consistency.position, first_position.position, agreement.<statistic>';

/**
 * Parses `name=bound` and checks that the audit will measure it.
 * @example parseGate('flip_rate.injection=0.05', ['injection'], suite, false)
 */
export function parseGate(spec: string, probes: readonly Probe[], suite: ProbeSuite, hasHuman: boolean): AuditGate {
  const match = /^\s*([A-Za-z_][\w.]*)\s*=\s*(\S+)\s*$/.exec(spec);
  const fail = (message: string, hint = `write name=bound, e.g. ${FIELD} flip_rate.injection=0.05; names: ${NAMES}`) =>
    new ConfigError(`${FIELD} ${spec}: ${message}`, { where: { field: FIELD }, hint });
  if (!match) throw fail('not name=bound');
  const name = match[1]!;
  const bound = Number(match[2]);
  if (!Number.isFinite(bound)) throw fail(`'${match[2]}' is not a number`);
  const [measure, probe, part, ...rest] = name.split('.');
  if (rest.length) throw fail(`unknown name '${name}'`);
  if (measure === 'agreement') {
    if (!STATISTICS.includes(probe as StatisticName) || part !== undefined)
      throw fail(`unknown statistic '${probe ?? ''}'`, `statistics: ${STATISTICS.join(', ')}`);
    if (!hasHuman) throw fail('agreement needs human labels', 'name the column of human labels with --human-col');
    return { spec, name, bound, kind: 'min' };
  }
  const needs = (p: Probe) => {
    if (!probes.includes(p)) throw fail(`the ${p} probe is not run`, `add it to --probes, or leave the gate out`);
  };
  if (
    (measure === 'flip_rate' && probe === 'injection') ||
    ((measure === 'shift' || measure === 'improve_rate') && (probe === 'verbosity' || probe === 'authority'))
  ) {
    needs(probe);
    if (part !== undefined) {
      const parts =
        probe === 'injection'
          ? suite.injection.map((f) => f.family)
          : probe === 'verbosity'
            ? suite.verbosity.lengths.map((l) => `x${l}`)
            : suite.authority.map((a) => a.id);
      if (!parts.includes(part))
        throw fail(`the suite has no ${probe} '${part}'`, `${suite.suite} ${suite.version} has: ${parts.join(', ')}`);
    }
    return { spec, name, bound, kind: 'max' };
  }
  if (probe === 'position' && part === undefined && (measure === 'consistency' || measure === 'first_position')) {
    needs('position');
    return { spec, name, bound, kind: measure === 'consistency' ? 'min' : 'max' };
  }
  if (probe === 'consistency' && part === undefined && (measure === 'alpha' || measure === 'change_rate')) {
    needs('consistency');
    return { spec, name, bound, kind: measure === 'alpha' ? 'min' : 'max' };
  }
  throw fail(`unknown name '${name}'`);
}

/** Checks each gate against the report; a number the data left undefined fails its gate. */
export function checkGates(gates: readonly AuditGate[], report: AuditReport): GateResult[] {
  return gates.map((gate) => {
    const actual = measured(gate.name, report);
    const passed = actual !== null && (gate.kind === 'min' ? actual >= gate.bound : actual <= gate.bound);
    return { ...gate, actual, passed };
  });
}

/** The number a gate names, from the report (a shift by its size: a judge pushed down is as biased as one pushed up). */
function measured(name: string, report: AuditReport): number | null {
  const [measure, probe, part] = name.split('.') as [string, string, string | undefined];
  if (measure === 'agreement') return report.human_agreement?.statistics[probe as StatisticName] ?? null;
  if (probe === 'position') {
    const position = report.position.available ? report.position : undefined;
    return (measure === 'consistency' ? position?.consistency : position?.first_position)?.value ?? null;
  }
  if (measure === 'alpha') return report.consistency?.alpha.value ?? null;
  if (measure === 'change_rate') return report.consistency?.change_rate.value ?? null;
  if (measure === 'flip_rate') {
    const injection = report.injection;
    return (part === undefined ? injection?.overall : injection?.families.find((f) => f.id === part))?.flip_rate.value ?? null;
  }
  const shifts = probe === 'verbosity' ? report.verbosity : report.authority;
  const list: ShiftReport[] = probe === 'verbosity' ? (report.verbosity?.by_length ?? []) : (report.authority?.variants ?? []);
  const shift = part === undefined ? shifts?.overall : list.find((s) => s.id === part);
  if (measure === 'shift') return shift?.mean_shift.value === null || shift === undefined ? null : Math.abs(shift.mean_shift.value);
  return shift?.improve_rate.value ?? null;
}
