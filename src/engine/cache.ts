/**
 * The answer cache: content-addressed on everything that shapes an answer (endpoint, model,
 * parameters, messages, output schema), kept in the store so the CLI, the library and the server
 * share it. Only answers are cached, never errors. Writes are buffered and land in batches.
 */
import { contentHash } from '../canonical-json.js';
import type { TokenLogprob } from '../judges/logprobs.js';
import type { ChatAnswer, Usage } from '../judges/run-judge.js';
import type { Store } from '../store/store.js';

/** What was cached for a call. */
export interface CachedAnswer {
  text: string;
  usage: Usage;
  /** How long the original call took (the model under test's latency metric reads it). */
  latencyMs?: number;
  /** The answer's token log-probabilities (`scoring: logprobs` reads them from a cached answer too). */
  logprobs?: TokenLogprob[];
}

export class AnswerCache {
  hits = 0;
  misses = 0;
  private pending: Array<{ key: string; model: string; answer: string }> = [];
  private writing: Promise<void> = Promise.resolve();
  private lookups = new Map<string, Array<{ resolve: (answer: string | undefined) => void; reject: (error: unknown) => void }>>();

  /** `onWriteError`: told of each failed write (the batch is dropped: those answers are only called again). */
  constructor(
    private readonly store: Store,
    private readonly onWriteError: (error: unknown) => void,
  ) {}

  /** The key of a call: a hash of everything sent that shapes the answer. */
  static key(request: unknown): string {
    return contentHash(request);
  }

  /** A cached answer (as a free, instant one), or undefined. */
  async get(key: string): Promise<ChatAnswer | undefined> {
    const found = await this.lookup(key);
    if (found === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const cached = JSON.parse(found) as CachedAnswer;
    // Nothing was spent on this call: its tokens and cost are those of the run that made it.
    return {
      text: cached.text,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
      latencyMs: cached.latencyMs ?? 0,
      cached: true,
      ...(cached.logprobs ? { logprobs: cached.logprobs } : {}),
    };
  }

  /** Looks keys up in batches: the lookups asked for within one turn of the event loop share a query. */
  private lookup(key: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.lookups.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.lookups.set(key, [{ resolve, reject }]);
      if (this.lookups.size === 1 && waiting === undefined) setImmediate(() => void this.runLookups());
    });
  }

  private async runLookups(): Promise<void> {
    const batch = this.lookups;
    this.lookups = new Map();
    try {
      const found = await this.store.cacheGet([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  }

  /** Remembers an answer; it is written with the next flush. */
  put(key: string, model: string, answer: CachedAnswer): void {
    this.pending.push({
      key,
      model,
      answer: JSON.stringify({ text: answer.text, usage: answer.usage, latencyMs: answer.latencyMs, logprobs: answer.logprobs }),
    });
    if (this.pending.length >= 64) void this.flush();
  }

  /** Writes pending answers. */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const batch = this.pending;
    this.pending = [];
    // Never rejects: put() flushes without waiting, and a rejection nobody awaits would end the process.
    this.writing = this.writing.then(() => this.store.cachePut(batch)).catch(this.onWriteError);
    return this.writing;
  }
}
