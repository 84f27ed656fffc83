/**
 * `juror compare <run-a> <run-b> --judge pairwise.yaml`: a pairwise judge reads each row's two
 * outputs in both orders (src/compare/pairwise.ts) and the command prints B's win / loss / tie
 * rates with 95% intervals, the consistency under swap and the first-position preference.
 */
import Table from 'cli-table3';
import { comparePairwise, requirePairwise, type PairwiseComparison } from '../compare/pairwise.js';
import type { EvaluationResult } from '../engine/evaluate.js';
import { InputError } from '../errors.js';
import type { Rate } from '../judges/pairwise.js';
import { loadJudge } from '../judges/load.js';
import { EXIT, reportError } from './exit.js';
import { runInTerminal } from './run-in-terminal.js';
import { openExisting } from './runs.js';

/** The flags of `juror compare`. */
export interface CompareFlags {
  judge: string;
  judgeModel?: string;
  json?: boolean;
  db?: string;
  seed: string;
  cache: boolean;
}

/** Judges run B's outputs against run A's with a pairwise judge and prints the rates. */
export async function compareCommand(runA: string, runB: string, flags: CompareFlags): Promise<number> {
  try {
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed) || seed < 0) {
      throw new InputError(`--seed ${flags.seed} is not a whole number`, { where: { field: '--seed' }, hint: 'e.g. --seed 1' });
    }
    const { judge } = await loadJudge(flags.judge, '--judge', 'compare needs a pairwise judge, which reads two responses side by side');
    requirePairwise(judge);
    const store = await openExisting(flags.db);
    try {
      let interrupted = false;
      let judging: EvaluationResult | undefined;
      const report = await comparePairwise(store, await store.findRunId(runA), await store.findRunId(runB), judge, {
        ...(flags.judgeModel ? { judgeModel: flags.judgeModel } : {}),
        cache: flags.cache,
        seed,
        run: async (options) => {
          const terminal = await runInTerminal(options);
          interrupted = terminal.interrupted;
          judging = terminal.result;
          return terminal.result;
        },
      });
      if (judging?.status === 'interrupted') {
        process.stderr.write(
          `juror: judging run ${judging.runId} stopped: ${judging.stopReason}; no rates computed on a partial comparison\n`,
        );
        return interrupted || judging.stoppedBy === 'interrupted' ? EXIT.interrupted : EXIT.stopped;
      }
      process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : describe(report));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

function describe(report: PairwiseComparison): string {
  const { summary } = report;
  const pct = (share: number) => `${Number((share * 100).toFixed(1))}%`;
  const percent = (rate: Rate) =>
    rate.value === null ? '—' : `${pct(rate.value)}${rate.interval ? ` [${rate.interval.map(pct).join(', ')}]` : ''}`;
  const table = new Table({ head: ['', 'rate [95% CI]'], style: { head: [], border: [] } });
  table.push(
    ['B wins', percent(summary.wins)],
    ['B loses (A wins)', percent(summary.losses)],
    ['tie', percent(summary.ties)],
    ['consistent under swap', percent(summary.consistency)],
    ['first position preferred', percent(summary.first_position)],
  );
  const lines = [
    `A: ${report.a.id} (${report.a.name})  B: ${report.b.id} (${report.b.name})  judge ${report.judge.name}/${report.judge.version}`,
    `${summary.judged} pairs judged in both orders, ${summary.errors} with a judge error, ${report.skipped} rows without both outputs`,
    table.toString(),
    'an order-dependent verdict counts as a tie and as inconsistent; first position: of the answers naming a response, the share naming the one shown first (50% is no preference)',
  ];
  if (report.judging_run)
    lines.push(`the judge's calls are run ${report.judging_run} (juror runs show ${report.judging_run.slice(0, 12)})`);
  return lines.join('\n') + '\n';
}
