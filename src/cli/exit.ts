/**
 * The `juror` command's exit codes and its one way of reporting an error to a person. Kept apart
 * from main.ts so that commands, loaded lazily by main.ts, need not import it back.
 */
import { CommanderError } from 'commander';
import { JurorError } from '../errors.js';

/**
 * 0 ok; 1 a threshold missed or a metric wholly failed; 2 bad config or input; 3 unexpected; 4 stopped
 * before finishing by the budget or a failed write to the store, resumable; 130 interrupted (Ctrl-C).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, internal: 3, stopped: 4, interrupted: 130 } as const;

/** Prints an error for a person and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof JurorError) {
    process.stderr.write(`juror: ${error.kind} error: ${error.describe()}\n`);
    return EXIT.badInput;
  }
  process.stderr.write(`juror: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT.internal;
}
