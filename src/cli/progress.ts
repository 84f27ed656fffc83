/**
 * Progress on stderr (stdout stays clean for `--json`): on a terminal a live bar per metric with
 * rows done, calls per second, ETA, cost and errors; elsewhere a plain line every few seconds.
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../engine/evaluate.js';

const PLAIN_EVERY_MS = 5000;

/** A progress display; `update` as rows finish, `stop` at the end. */
export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

/** Chooses the display for the terminal stderr is on. */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  return stream.isTTY ? new Bars(stream) : new PlainLines(stream);
}

class Bars implements ProgressDisplay {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly started = Date.now();

  constructor(stream: NodeJS.WriteStream) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        format: ' {metric} |{bar}| {value}/{total} rows | {rate} calls/s | ETA {eta_formatted} | ${cost} | {errors} errors',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(progress: Progress): void {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    for (const m of progress.metrics) {
      let bar = this.bars.get(m.metric);
      const payload = {
        metric: m.metric.padEnd(24),
        rate: (progress.calls / seconds).toFixed(1),
        cost: m.costUsd.toFixed(4),
        errors: m.errors,
      };
      if (!bar) this.bars.set(m.metric, (bar = this.multibar.create(progress.rowCount, m.done, payload)));
      else bar.update(m.done, payload);
    }
  }

  stop(): void {
    this.multibar.stop();
  }
}

class PlainLines implements ProgressDisplay {
  private last = 0;
  private latest: Progress | undefined;
  private printed: Progress | undefined;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: Progress): void {
    this.latest = progress;
    if (Date.now() - this.last >= PLAIN_EVERY_MS) this.print();
  }

  stop(): void {
    if (this.latest && this.last !== 0 && this.latest !== this.printed) this.print();
  }

  private print(): void {
    const p = this.latest!;
    this.printed = p;
    this.last = Date.now();
    this.stream.write(
      `progress: ${p.rowsDone}/${p.rowCount} rows, ${p.calls} calls, ${p.cacheHits} cached, ${p.errors} errors, $${p.costUsd.toFixed(4)}\n`,
    );
  }
}
