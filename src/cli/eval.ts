/** `juror eval <config>`: run, store, print, and exit with a code CI can use. */
import Table from 'cli-table3';
import { locateError, loadConfig, type LoadedConfig } from '../config/load.js';
import { writeTable } from '../data/write.js';
import { ConfigError } from '../errors.js';
import { evaluate, type EvaluationResult } from '../engine/evaluate.js';
import { defaultStoreLocation } from '../store/store.js';
import { EXIT, reportError, type EvalFlags } from './main.js';
import { formatNumber } from './format.js';

/** Runs `juror eval` and returns its exit code. */
export async function evalCommand(configPath: string, flags: EvalFlags): Promise<number> {
  let loaded: LoadedConfig | undefined;
  let result: EvaluationResult;
  try {
    loaded = await loadConfig(configPath);
    if (flags.out) checkOutExtension(flags.out);
    result = await evaluate({
      ...loaded.options,
      ...(flags.experiment ? { experiment: flags.experiment } : {}),
      ...(flags.runName ? { runName: flags.runName } : {}),
      store: flags.db ? { path: flags.db } : defaultStoreLocation(),
      collectTable: Boolean(flags.json || flags.out),
    });
  } catch (error) {
    return reportError(loaded ? await locateError(error, loaded) : error);
  }
  if (flags.out) await writeTable(flags.out, result.tables.eval_results_table);
  if (flags.json) {
    process.stdout.write(JSON.stringify(toJson(result)) + '\n');
  } else {
    process.stdout.write(summary(result, flags.out));
  }
  return result.passed ? EXIT.ok : EXIT.failed;
}

/** The `--json` document. */
function toJson(result: EvaluationResult) {
  return {
    run_id: result.runId,
    run_name: result.runName,
    experiment: result.experiment,
    metrics: result.metrics,
    table: result.tables.eval_results_table,
    errors: result.errors,
    failed_metrics: result.failedMetrics,
    thresholds: result.thresholds.map((t) => ({ key: t.key, op: t.op, value: t.value, actual: t.actual ?? null, passed: t.passed })),
    passed: result.passed,
    rows: result.rowCount,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost_usd: result.costUsd,
  };
}

function summary(result: EvaluationResult, out: string | undefined): string {
  const table = new Table({ head: ['metric', 'value', 'rows scored', 'errors'], style: { head: [], border: [] } });
  const totals = new Map(result.perMetric.map((m) => [m.metric, m]));
  for (const [key, value] of Object.entries(result.metrics)) {
    const metric = key.split('/').slice(0, 2).join('/');
    const t = totals.get(metric);
    table.push([key, formatNumber(value), String(t?.rowsScored ?? ''), String(t?.errors ?? '')]);
  }
  for (const metric of result.failedMetrics) table.push([`${metric} (every row failed)`, '—', '0', String(totals.get(metric)?.errors ?? '')]);
  const lines = [table.toString()];
  for (const t of result.thresholds) {
    lines.push(`${t.passed ? 'PASS' : 'FAIL'}  ${t.key} ${t.op} ${t.value} (got ${t.actual === undefined ? 'no value' : formatNumber(t.actual)})`);
  }
  for (const metric of result.failedMetrics) {
    lines.push(`FAIL  ${metric}: every row failed — see \`juror runs show ${result.runId.slice(0, 12)}\` for the reasons`);
  }
  lines.push(
    `${result.rowCount} rows, ${result.usage.inputTokens + result.usage.outputTokens} tokens, $${result.costUsd.toFixed(4)}`,
    `run ${result.runId} (${result.runName}) in experiment '${result.experiment}', stored in ${result.storedAt}`,
  );
  if (out) lines.push(`results table written to ${out}`);
  return lines.join('\n') + '\n';
}

function checkOutExtension(out: string): void {
  // writeTable checks this too, but only after the run: say it before anything is spent.
  if (!/\.(json|jsonl|csv)$/i.test(out)) {
    throw new ConfigError(`--out ${out}: unknown file type`, { where: { field: '--out' }, hint: 'give a file ending in .json, .jsonl or .csv' });
  }
}
