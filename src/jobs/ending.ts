/** How a job that threw ends, the same in every backend: stopped by its signal, or failed once with its message. */
import { JurorError } from '../errors.js';
import type { JobPatch } from '../store/jobs.js';
import { JobStop } from './types.js';

/**
 * The job's last write after its handler threw: a cancel ends it `cancelled`, a shutdown puts it back
 * `queued` (it resumes), anything else fails it with its message — `unexpected` hears of throws that
 * are not Juror's own errors (bugs), to log them. The last progress is kept.
 */
export function jobEnding(signal: AbortSignal, error: unknown, progress: unknown, unexpected: (error: unknown) => void): JobPatch {
  const last = progress !== undefined ? { progress } : {};
  if (signal.aborted && signal.reason instanceof JobStop) {
    return signal.reason.reason === 'cancel'
      ? { status: 'cancelled', error: signal.reason.message, ...last }
      : { status: 'queued', error: null, ...last };
  }
  if (!(error instanceof JurorError)) unexpected(error);
  const message = error instanceof JurorError ? error.describe() : String((error as Error)?.message ?? error);
  return { status: 'failed', error: message, ...last };
}
