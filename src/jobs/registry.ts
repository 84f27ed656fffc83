/** Which handler runs each job kind: filled by whoever assembles a process (the server, `juror label`, a worker). */
import { JurorError } from '../errors.js';
import type { ChunkedHandler, JobHandler, JobKind } from './types.js';

export class JobHandlers {
  private readonly handlers = new Map<JobKind, JobHandler>();
  private readonly chunkedHandlers = new Map<JobKind, ChunkedHandler>();
  private readonly longRunningKinds = new Set<JobKind>();

  /**
   * Sets the handler of `kind` (one per kind). A `longRunning` kind runs for as long as its object
   * exists (a monitor's judging): a backend does not count it against the jobs it runs at once, or
   * a few of them would hold every slot and starve the rest.
   */
  register<P>(kind: JobKind, handler: JobHandler<P>, options: { longRunning?: boolean } = {}): this {
    this.handlers.set(kind, handler as JobHandler);
    if (options.longRunning) this.longRunningKinds.add(kind);
    else this.longRunningKinds.delete(kind);
    return this;
  }

  /** Whether jobs of `kind` run for as long as their object exists (see {@link register}). */
  longRunning(kind: JobKind): boolean {
    return this.longRunningKinds.has(kind);
  }

  /** Sets how jobs of `kind` split into chunks, for backends with many workers (the kind's handler stays for the others). */
  registerChunked<P>(kind: JobKind, handler: ChunkedHandler<P>): this {
    this.chunkedHandlers.set(kind, handler as ChunkedHandler);
    return this;
  }

  /** How jobs of `kind` split into chunks, or undefined when they run whole. */
  chunked(kind: JobKind): ChunkedHandler | undefined {
    return this.chunkedHandlers.get(kind);
  }

  /** Whether this process can run jobs of `kind`. */
  has(kind: JobKind): boolean {
    return this.handlers.has(kind);
  }

  /** The handler of `kind`; a store error when none is registered (a job of a kind this process does not run). */
  get(kind: JobKind): JobHandler {
    const handler = this.handlers.get(kind);
    if (!handler)
      throw new JurorError('store', `no handler for jobs of kind '${kind}' in this process`, {
        hint: 'run it where its kind is registered (`juror serve`)',
      });
    return handler;
  }
}
