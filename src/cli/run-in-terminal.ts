/**
 * Running `evaluate()` from a terminal command: progress on stderr, and Ctrl-C / SIGTERM stopping
 * gracefully (no new calls, finished rows saved, run interrupted and resumable); a second signal
 * exits at once.
 */
import { evaluate, type EvaluateOptions, type EvaluationResult } from '../engine/evaluate.js';
import { progressDisplay } from './progress.js';

/** The run, and whether the person interrupted it (exit code 130 then). */
export interface TerminalRun {
  result: EvaluationResult;
  interrupted: boolean;
}

/** Runs `options` with progress and signal handling; both are removed when it ends. */
export async function runInTerminal(options: EvaluateOptions): Promise<TerminalRun> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // Everything written so far is committed; leaving now loses only rows still in flight.
      process.stderr.write(`\njuror: ${signal} again: exiting now; finished rows are kept\n`);
      process.exit(130);
    }
    process.stderr.write(`\njuror: ${signal}: stopping — no new calls, finished rows are being saved (${signal} again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = progressDisplay();
  try {
    const result = await evaluate({ ...options, signal: controller.signal, onProgress: (p) => progress.update(p) });
    return { result, interrupted: interrupts > 0 };
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
