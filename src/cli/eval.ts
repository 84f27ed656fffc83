/** `juror eval <config>`: run (or price, or resume), store, print, and exit with a code CI can use. */
import Table from 'cli-table3';
import { locateError, loadConfig, type LoadedConfig } from '../config/load.js';
import { writeTable } from '../data/write.js';
import { dryRun, type DryRunReport, type EvaluationResult } from '../engine/evaluate.js';
import { connectRedisLimiter, type Limiter } from '../engine/limiter.js';
import type { EvaluateOptions } from '../engine/prepare.js';
import { ConfigError } from '../errors.js';
import { defaultStoreLocation } from '../store/store.js';
import { formatNumber } from './format.js';
import { EXIT, reportError } from './exit.js';
import { runInTerminal } from './run-in-terminal.js';

/** The flags of `juror eval`, as commander parses them. */
export interface EvalFlags {
  json?: boolean;
  cache?: boolean;
  resume?: string;
  dryRun?: boolean;
  maxCost?: string;
  out?: string;
  db?: string;
  experiment?: string;
  runName?: string;
}

/** Runs `juror eval` and returns its exit code. */
export async function evalCommand(configPath: string, flags: EvalFlags): Promise<number> {
  let loaded: LoadedConfig | undefined;
  let limiter: Limiter | undefined;
  try {
    // Provider limits shared with every other process on the same Redis (workers, other evals);
    // connected before the config is read, so that its failure is not placed in the file.
    if (process.env.JUROR_REDIS_URL && !flags.dryRun) limiter = await connectRedisLimiter(process.env.JUROR_REDIS_URL);
    loaded = await loadConfig(configPath);
    if (flags.out) checkOutExtension(flags.out);
    const maxCostUsd = flags.maxCost === undefined ? undefined : parseBudget(flags.maxCost);
    const options: EvaluateOptions = {
      ...loaded.options,
      ...(flags.experiment ? { experiment: flags.experiment } : {}),
      ...(flags.runName ? { runName: flags.runName } : {}),
      store: flags.db ? { path: flags.db } : defaultStoreLocation(),
      cache: flags.cache !== false,
      collectTable: Boolean(flags.json || flags.out),
      ...(flags.resume ? { resume: flags.resume } : {}),
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
    };
    if (flags.dryRun) {
      const report = await dryRun(options);
      process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : describeDryRun(report));
      return EXIT.ok;
    }
    return await runAndReport({ ...options, ...(limiter ? { limiter } : {}) }, flags, configPath);
  } catch (error) {
    return reportError(loaded ? locateError(error, loaded) : error);
  } finally {
    await limiter?.close();
  }
}

async function runAndReport(options: EvaluateOptions, flags: EvalFlags, configPath: string): Promise<number> {
  const { result, interrupted } = await runInTerminal(options);
  process.stdout.write(flags.json ? JSON.stringify(toJson(result)) + '\n' : summary(result));
  if (flags.out) {
    try {
      await writeTable(flags.out, result.tables.eval_results_table);
      if (!flags.json) process.stdout.write(`results table written to ${flags.out}\n`);
    } catch (error) {
      // The run is stored whatever happened to the file: say where to get the table from.
      process.stderr.write(
        `juror: cannot write ${flags.out}: ${(error as Error).message}\n  fix: choose a writable path; the results are stored: juror runs show ${result.runId.slice(0, 12)} --json\n`,
      );
      return EXIT.badInput;
    }
  }
  if (result.status === 'interrupted') {
    process.stderr.write(
      `juror: run ${result.runId} stopped: ${result.stopReason}. Resume it with: juror eval ${configPath} --resume ${result.runId.slice(0, 12)}\n`,
    );
    return interrupted || result.stoppedBy === 'interrupted' ? EXIT.interrupted : EXIT.stopped;
  }
  return result.passed ? EXIT.ok : EXIT.failed;
}

/** The `--json` document. */
function toJson(result: EvaluationResult) {
  return {
    run_id: result.runId,
    run_name: result.runName,
    experiment: result.experiment,
    status: result.status,
    metrics: result.metrics,
    table: result.tables.eval_results_table,
    errors: result.errors,
    failed_metrics: result.failedMetrics,
    skipped_metrics: result.skippedMetrics,
    ...(result.defaultJudgeModel ? { default_judge_model: result.defaultJudgeModel } : {}),
    thresholds: result.thresholds.map((t) => ({ key: t.key, op: t.op, value: t.value, actual: t.actual ?? null, passed: t.passed })),
    passed: result.passed,
    rows: result.rowCount,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost_usd: roundUsd(result.costUsd),
    cost_by_metric: Object.fromEntries(result.perMetric.map((m) => [m.metric, roundUsd(m.costUsd)])),
    calls: result.calls,
  };
}

function summary(result: EvaluationResult): string {
  // One line per metric, its aggregations side by side (MLflow's keys are name/version/aggregation).
  const byMetric = new Map<string, Map<string, number>>();
  const own = new Set(result.perMetric.map((t) => t.metric));
  for (const [key, value] of Object.entries(result.metrics)) {
    const metric = key.split('/').slice(0, 2).join('/');
    // Other names of the same results (Databricks' `response/llm_judged/…`) are in --json and --out.
    if (!own.has(metric)) continue;
    if (!byMetric.has(metric)) byMetric.set(metric, new Map());
    byMetric.get(metric)!.set(key.split('/')[2]!, value);
  }
  const aggregations = [...new Set([...byMetric.values()].flatMap((m) => [...m.keys()]))];
  const table = new Table({ head: ['metric', ...aggregations, 'rows scored', 'errors', 'cost'], style: { head: [], border: [] } });
  for (const t of result.perMetric) {
    const values = byMetric.get(t.metric);
    const cells = aggregations.map((a) => (values?.has(a) ? formatNumber(values.get(a)!) : values ? '' : '—'));
    table.push([
      values ? t.metric : `${t.metric} (every row failed)`,
      ...cells,
      String(t.rowsScored),
      String(t.errors),
      `$${t.costUsd.toFixed(4)}`,
    ]);
  }
  const lines = [table.toString()];
  for (const t of result.thresholds) {
    lines.push(
      `${t.passed ? 'PASS' : 'FAIL'}  ${t.key} ${t.op} ${t.value} (got ${t.actual === undefined ? 'no value' : formatNumber(t.actual)})`,
    );
  }
  if (result.defaultJudgeModel)
    lines.push(
      `NOTE  judges used the default judge model ${result.defaultJudgeModel}, as no judge model is named (set judge_model to choose one)`,
    );
  for (const skipped of result.skippedMetrics) lines.push(`SKIP  ${skipped.metric} (a default of the model type): ${skipped.reason}`);
  for (const metric of result.failedMetrics) {
    lines.push(`FAIL  ${metric}: every row failed — see \`juror runs show ${result.runId.slice(0, 12)}\` for the reasons`);
  }
  lines.push(
    `${result.rowCount} rows, ${result.calls.made} calls (${result.calls.cached} from the cache, ${result.calls.retries} retries), ${result.usage.inputTokens + result.usage.outputTokens} tokens, $${result.costUsd.toFixed(4)}`,
    `run ${result.runId} (${result.runName}) in experiment '${result.experiment}', ${result.status}, stored in ${result.storedAt}`,
  );
  return lines.join('\n') + '\n';
}

function describeDryRun(report: DryRunReport): string {
  const table = new Table({
    head: ['calls for', 'model', 'calls', 'input tokens', 'output tokens (assumed)', 'cost', 'tokenizer'],
    style: { head: [], border: [] },
  });
  for (const e of report.estimates) {
    table.push([
      e.name,
      e.model,
      String(e.calls),
      String(e.inputTokens),
      String(e.outputTokens),
      e.costUsd === null ? 'price unknown' : `$${e.costUsd.toFixed(4)}`,
      e.tokenizer,
    ]);
  }
  const lines = [
    `dry run over ${report.rows} rows: nothing was called`,
    table.toString(),
    `estimated cost: ${report.costUsd === null ? 'unknown (a model has no price: add it under prices:)' : `$${report.costUsd.toFixed(4)}`}`,
  ];
  for (const sample of report.samples) {
    lines.push(`\n--- ${sample.name}: the first prompt, as it would be sent ---`);
    if (sample.system) lines.push(`[system]\n${sample.system}`);
    lines.push(`[user]\n${shown(sample.user)}`);
  }
  return lines.join('\n') + '\n';
}

/** Characters of a sample prompt printed on the terminal; `--json` has it whole. */
const SHOWN = 20_000;

function shown(text: string): string {
  // A 10 MB cell would flood the terminal and hide the estimate above it.
  return text.length <= SHOWN
    ? text
    : `${text.slice(0, SHOWN)}\n[… ${text.length - SHOWN} more characters; --json prints the whole prompt]`;
}

/** Dollars to a millionth of a cent: enough for any bill, without float noise. */
function roundUsd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}

function checkOutExtension(out: string): void {
  // writeTable checks this too, but only after the run: say it before anything is spent.
  if (!/\.(json|jsonl|csv)$/i.test(out)) {
    throw new ConfigError(`--out ${out}: unknown file type`, {
      where: { field: '--out' },
      hint: 'give a file ending in .json, .jsonl or .csv',
    });
  }
}

function parseBudget(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`--max-cost ${text} is not an amount of US dollars`, {
      where: { field: '--max-cost' },
      hint: 'give a positive number, e.g. --max-cost 5',
    });
  }
  return value;
}
