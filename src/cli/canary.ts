/**
 * `juror canary create <file.yaml> | list | show <id> | pause <id> | resume <id> | run <id>`: canaries
 * of a running `juror serve` — a judge version checked against human labels on a schedule — through
 * JurorClient (`--url`, `--token` or JUROR_TOKEN). A canary the server refuses is reported at the
 * file, line and column of the field it names. `run` checks now and waits for the outcome: exit 1
 * when the alert fires after it (or the check failed), so it can gate a pipeline.
 */
import { setTimeout as delay } from 'node:timers/promises';
import Table from 'cli-table3';
import { JurorClient } from '../client/client.js';
import { JurorApiError } from '../client/errors.js';
import { fieldPath, YamlFile } from '../config/yaml-file.js';
import { ConfigError, InputError } from '../errors.js';
import type { CanaryDetail, CanarySummary, CreateCanaryBody } from '../server/schemas/canaries.js';
import { EXIT, reportError } from './exit.js';
import { formatDate, formatNumber } from './format.js';

/** The flags every `juror canary` command takes. */
export interface CanaryFlags {
  url: string;
  token?: string;
  json?: boolean;
}

function client(flags: CanaryFlags): JurorClient {
  const token = flags.token ?? process.env.JUROR_TOKEN;
  return new JurorClient({ baseUrl: flags.url, ...(token ? { token } : {}) });
}

/** Prints the server's refusal for a person: a bad field in `file` at its line and column. */
function report(error: unknown, file?: YamlFile): number {
  if (error instanceof JurorApiError && error.status === 400 && file && error.field) {
    const where = file.at(fieldPath(error.field));
    return reportError(new ConfigError(error.message, { where, ...(error.hint ? { hint: error.hint } : {}) }));
  }
  if (error instanceof JurorApiError) {
    process.stderr.write(`juror: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}\n`);
    return error.status === 0 || error.status >= 500 ? EXIT.internal : EXIT.badInput;
  }
  return reportError(error);
}

/** Creates a canary from a YAML file (the body of POST /api/canaries) and prints its id. */
export async function canaryCreateCommand(path: string, flags: CanaryFlags): Promise<number> {
  let file: YamlFile | undefined;
  try {
    file = await YamlFile.read(path, 'canary file');
    const id = await client(flags).createCanary(file.value() as CreateCanaryBody);
    process.stdout.write(flags.json ? JSON.stringify({ id }) + '\n' : `created canary ${id}: its first check runs now\n`);
    return EXIT.ok;
  } catch (error) {
    return report(error, file);
  }
}

/** Lists canaries: id, name, judge version, schedule, alert, state, last agreement. */
export async function canaryListCommand(flags: CanaryFlags): Promise<number> {
  try {
    const canaries = await client(flags).listCanaries();
    if (flags.json) process.stdout.write(JSON.stringify(canaries) + '\n');
    else if (canaries.length === 0) process.stdout.write('no canaries\n');
    else {
      const table = new Table({
        head: ['id', 'name', 'judge', 'every', 'status', 'alert', 'state', 'last', 'checked'],
        style: { head: [], border: [] },
      });
      for (const c of canaries)
        table.push([
          c.id,
          c.name,
          `${c.judge} ${c.version}`,
          c.every,
          c.status,
          `${c.statistic} ${c.op} ${c.threshold}`,
          c.state ?? '-',
          lastValue(c),
          formatDate(c.last_run_at),
        ]);
      process.stdout.write(table.toString() + '\n');
    }
    return EXIT.ok;
  } catch (error) {
    return report(error);
  }
}

/** Shows one canary: its checks (agreement over time) and alert events. */
export async function canaryShowCommand(id: string, flags: CanaryFlags): Promise<number> {
  try {
    const juror = client(flags);
    const [canary, alerts] = await Promise.all([juror.getCanary(id), juror.canaryAlerts(id)]);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...canary, alerts }) + '\n');
      return EXIT.ok;
    }
    const lines = [
      `${canary.name} (${id}): ${canary.judge} ${canary.version}, every ${canary.every}, ${canary.status}; alert ${canary.statistic} ${canary.op} ${canary.threshold}: ${canary.state ?? 'not checked yet'}`,
    ];
    if (canary.next_run_at) lines.push(`  next check ${canary.next_run_at}`);
    if (canary.last_tick?.error) lines.push(`  last check ${canary.last_tick.status}: ${canary.last_tick.error}`);
    for (const p of canary.points) lines.push(`  ${p.at}  accuracy ${maybe(p.accuracy)}  cohen_kappa ${maybe(p.cohen_kappa)}  n ${p.n}`);
    for (const a of alerts) lines.push(`  ${a.at}  ${a.state.padEnd(8)} ${a.statistic} ${a.op} ${a.threshold}: ${formatNumber(a.value)}`);
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT.ok;
  } catch (error) {
    return report(error);
  }
}

/** Pauses (`paused`) or resumes (`active`) a canary's schedule. */
export function canaryStatusCommand(status: 'active' | 'paused') {
  return async (id: string, flags: CanaryFlags): Promise<number> => {
    try {
      const canary = await client(flags).updateCanary(id, { status });
      process.stdout.write(flags.json ? JSON.stringify(canary) + '\n' : `canary ${id} is ${canary.status}\n`);
      return EXIT.ok;
    } catch (error) {
      return report(error);
    }
  };
}

/** Checks the judge now and waits for the check (`--timeout` seconds); exit 1 when the alert fires after it or it failed. */
export async function canaryRunCommand(id: string, flags: CanaryFlags & { wait?: boolean; timeout?: string }): Promise<number> {
  try {
    const timeoutS = Number(flags.timeout ?? 600);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0)
      throw new InputError(`--timeout ${flags.timeout} is not a number of seconds`, {
        where: { field: '--timeout' },
        hint: 'e.g. --timeout 300',
      });
    const juror = client(flags);
    const requestedAt = await juror.runCanary(id);
    if (flags.wait === false) {
      process.stdout.write(flags.json ? JSON.stringify({ requested_at: requestedAt }) + '\n' : `check of canary ${id} asked for\n`);
      return EXIT.ok;
    }
    const canary = await checkedSince(juror, id, requestedAt, timeoutS * 1000);
    const tick = canary.last_tick!;
    if (flags.json) process.stdout.write(JSON.stringify(canary) + '\n');
    else if (tick.status === 'finished') {
      const stats = tick.statistics ?? {};
      process.stdout.write(
        `checked ${canary.judge} ${canary.version}: accuracy ${maybe(stats.accuracy ?? null)}, cohen_kappa ${maybe(stats.cohen_kappa ?? null)} (run ${tick.run_id}); alert ${canary.statistic} ${canary.op} ${canary.threshold}: ${canary.state ?? 'unchanged'}\n`,
      );
    } else process.stderr.write(`juror: the check ${tick.status}: ${tick.error ?? 'no reason given'}\n`);
    return tick.status === 'finished' && canary.state !== 'firing' ? EXIT.ok : EXIT.failed;
  } catch (error) {
    return report(error);
  }
}

/** Waits until a check that started at or after `since` has ended. */
async function checkedSince(juror: JurorClient, id: string, since: string, timeoutMs: number): Promise<CanaryDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const canary = await juror.getCanary(id);
    const tick = canary.last_tick;
    if (tick && tick.started_at >= since && tick.status !== 'running') return canary;
    if (Date.now() > deadline)
      throw new InputError(`canary ${id}: no check ended within ${Math.round(timeoutMs / 1000)} s`, {
        hint: `it may still be running: see juror canary show ${id}`,
      });
    await delay(250);
  }
}

function lastValue(c: CanarySummary): string {
  const last = c.points.at(-1);
  return last ? `accuracy ${maybe(last.accuracy)}, κ ${maybe(last.cohen_kappa)}` : '-';
}

function maybe(value: number | null): string {
  return value === null ? '-' : formatNumber(value);
}
