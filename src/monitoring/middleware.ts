/**
 * `jurorMonitor`: an AI SDK middleware that logs every call of the wrapped model to Juror as an
 * interaction, in the background and in batches, without slowing or failing the app's own call:
 * the call's result is returned before anything is sent, a send that fails is retried with the
 * next batch (ids make the retry idempotent), and beyond `maxQueued` the oldest are dropped and counted.
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: jurorMonitor({ url: 'http://127.0.0.1:4173', app: 'rag-bot', token }) });
 */
import type {
  LanguageModelV3Content,
  LanguageModelV3Middleware,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { JurorClient } from '../client/client.js';
import type { InteractionInput } from '../server/schemas/interactions.js';
import { messagesOf } from './conventions/call.js';

/** Where and how {@link jurorMonitor} sends interactions. */
export interface JurorMonitorOptions {
  /** The Juror server, e.g. `http://127.0.0.1:4173`. */
  url: string;
  /** An API token (a token of scope `ingest` is enough). */
  token?: string;
  /** The app's name, to tell its traffic apart. */
  app: string;
  /** Interactions per request (default 50). */
  batchSize?: number;
  /** The longest an interaction waits to be sent (default 2000 ms). */
  flushIntervalMs?: number;
  /** Interactions kept while the server is away (default 10,000); beyond, the oldest are dropped. */
  maxQueued?: number;
  fetch?: typeof fetch;
  /** Told of every failed send (default: nothing; the app's calls never see it). */
  onError?: (error: unknown) => void;
}

/** The middleware, with a way to send what is queued (before exit) and a count of what was dropped. */
export interface JurorMonitor extends LanguageModelV3Middleware {
  /** Sends everything queued now; resolves when sent or failed (never rejects). */
  flush(): Promise<void>;
  /** Interactions dropped because the queue was full. */
  readonly dropped: number;
}

/** Logs every generate and stream call of the wrapped model to Juror. */
export function jurorMonitor(options: JurorMonitorOptions): JurorMonitor {
  const client = new JurorClient({
    baseUrl: options.url,
    ...(options.token ? { token: options.token } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const batchSize = options.batchSize ?? 50;
  const maxQueued = options.maxQueued ?? 10_000;
  const queue: InteractionInput[] = [];
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> = Promise.resolve();

  const send = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // One send at a time, so that a batch put back after a failure keeps its place.
    sending = sending.then(async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0, batchSize);
        try {
          await client.logInteractions(batch);
        } catch (error) {
          queue.unshift(...batch);
          options.onError?.(error);
          return;
        }
      }
    });
    return sending;
  };

  const enqueue = (interaction: InteractionInput): void => {
    queue.push(interaction);
    if (queue.length > maxQueued) dropped += queue.splice(0, queue.length - maxQueued).length;
    if (queue.length >= batchSize) void send();
    else if (!timer) {
      timer = setTimeout(() => void send(), options.flushIntervalMs ?? 2000);
      // A pending send does not keep the process alive: call flush() before exit to send the rest.
      timer.unref?.();
    }
  };

  /** Builds and queues the interaction; a fault here must not reach the app's call. */
  const record = (
    prompt: LanguageModelV3Prompt,
    modelId: string,
    response: string,
    usage: LanguageModelV3Usage | undefined,
    startedAt: number,
  ): void => {
    try {
      const messages = messagesOf(prompt);
      enqueue({
        id: globalThis.crypto.randomUUID(),
        app: options.app,
        timestamp: new Date(startedAt).toISOString(),
        request: messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
        response,
        model: modelId,
        latency_ms: Date.now() - startedAt,
        ...(usage?.inputTokens.total !== undefined ? { input_tokens: usage.inputTokens.total } : {}),
        ...(usage?.outputTokens.total !== undefined ? { output_tokens: usage.outputTokens.total } : {}),
        ...(messages.length > 1 ? { metadata: { messages } } : {}),
      });
    } catch (error) {
      options.onError?.(error);
    }
  };

  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, params, model }) {
      const startedAt = Date.now();
      const result = await doGenerate();
      record(params.prompt, model.modelId, answerText(result.content), result.usage, startedAt);
      return result;
    },
    async wrapStream({ doStream, params, model }) {
      const startedAt = Date.now();
      const { stream, ...rest } = await doStream();
      let text = '';
      let usage: LanguageModelV3Usage | undefined;
      const watch = new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
        transform(part, controller) {
          if (part.type === 'text-delta') text += part.delta;
          else if (part.type === 'finish') usage = part.usage;
          controller.enqueue(part);
        },
        flush() {
          record(params.prompt, model.modelId, text, usage, startedAt);
        },
      });
      return { stream: stream.pipeThrough(watch), ...rest };
    },
    flush: () => send(),
    get dropped() {
      return dropped;
    },
  };
}

function answerText(content: LanguageModelV3Content[]): string {
  return content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('');
}
