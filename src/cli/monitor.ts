/**
 * `juror monitor create <file.yaml> | list | show <id> | pause <id> | resume <id>`: monitors of a
 * running `juror serve`, through JurorClient (`--url`, `--token` or JUROR_TOKEN). A monitor the
 * server refuses is reported at the file, line and column of the field it names.
 */
import Table from 'cli-table3';
import { JurorApiError } from '../client/errors.js';
import { JurorClient } from '../client/client.js';
import type { CreateMonitorBody, MonitorDetail } from '../server/schemas/monitors.js';
import { ConfigError } from '../errors.js';
import { fieldPath, YamlFile } from '../config/yaml-file.js';
import { formatDate, formatNumber } from './format.js';
import { EXIT, reportError } from './exit.js';

/** The flags every `juror monitor` command takes. */
export interface MonitorFlags {
  url: string;
  token?: string;
  json?: boolean;
}

function client(flags: MonitorFlags): JurorClient {
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

/** Creates a monitor from a YAML file (the body of POST /api/monitors) and prints its id. */
export async function monitorCreateCommand(path: string, flags: MonitorFlags): Promise<number> {
  let file: YamlFile | undefined;
  try {
    file = await YamlFile.read(path, 'monitor file');
    const id = await client(flags).createMonitor(file.value() as CreateMonitorBody);
    process.stdout.write(flags.json ? JSON.stringify({ id }) + '\n' : `created monitor ${id}\n`);
    return EXIT.ok;
  } catch (error) {
    return report(error, file);
  }
}

/** Lists monitors: id, name, status, window, judged, lag. */
export async function monitorListCommand(flags: MonitorFlags): Promise<number> {
  try {
    const monitors = await client(flags).listMonitors();
    if (flags.json) process.stdout.write(JSON.stringify(monitors) + '\n');
    else if (monitors.length === 0) process.stdout.write('no monitors\n');
    else {
      const table = new Table({
        head: ['id', 'name', 'status', 'window', 'judged', 'mean lag', 'created'],
        style: { head: [], border: [] },
      });
      for (const m of monitors) table.push(row(m));
      process.stdout.write(table.toString() + '\n');
    }
    return EXIT.ok;
  } catch (error) {
    return report(error);
  }
}

/** Shows one monitor with its alert events. */
export async function monitorShowCommand(id: string, flags: MonitorFlags): Promise<number> {
  try {
    const juror = client(flags);
    const [monitor, alerts] = await Promise.all([juror.getMonitor(id), juror.alerts(id)]);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...monitor, alerts }) + '\n');
      return EXIT.ok;
    }
    const [, name, status, window, judged, lag] = row(monitor);
    process.stdout.write(`${name} (${id}): ${status}, ${window} windows, ${judged} judged, mean lag ${lag}\n`);
    for (const a of alerts)
      process.stdout.write(
        `  ${a.at}  ${a.state.padEnd(8)} ${a.metric} ${a.op} ${a.threshold} in window ${a.window_start}: ${formatNumber(a.value)}\n`,
      );
    return EXIT.ok;
  } catch (error) {
    return report(error);
  }
}

/** Pauses (`paused`) or resumes (`active`) a monitor's judging. */
export function monitorStatusCommand(status: 'active' | 'paused') {
  return async (id: string, flags: MonitorFlags): Promise<number> => {
    try {
      const monitor = await client(flags).updateMonitor(id, { status });
      process.stdout.write(flags.json ? JSON.stringify(monitor) + '\n' : `monitor ${id} is ${monitor.status}\n`);
      return EXIT.ok;
    } catch (error) {
      return report(error);
    }
  };
}

function row(m: MonitorDetail): string[] {
  const lag = m.lag_ms.mean === null ? '-' : `${formatNumber(m.lag_ms.mean / 1000)} s`;
  return [m.id, m.name, m.status, String(m.definition.window), String(m.judged), lag, formatDate(m.created_at)];
}
