/**
 * The scripted OpenAI-compatible server for a test file of judges: started before its tests,
 * reset before each, closed after them; and the evaluate() options that send judge calls to it.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { EvaluateOptions } from '../../src/engine/evaluate.js';
import { startLlmServer, type LlmServer } from '../fixtures/llm-server.js';

export interface JudgeServer {
  /** The running server (set once the file's tests start). */
  readonly server: LlmServer;
  /** evaluate() options with the judge model on the server, no store, and fast retries. */
  options(extra: Partial<EvaluateOptions> & Pick<EvaluateOptions, 'data' | 'metrics'>): EvaluateOptions;
}

/** Registers the server's lifecycle hooks in the calling test file. */
export function useJudgeServer(): JudgeServer {
  let server: LlmServer | undefined;
  beforeAll(async () => {
    server = await startLlmServer();
  });
  afterAll(() => server?.close());
  beforeEach(() => server?.reset());
  const running = (): LlmServer => {
    if (!server) throw new Error('the scripted server starts with the test file (beforeAll)');
    return server;
  };
  return {
    get server() {
      return running();
    },
    options: (extra) => ({
      judgeModel: 'openai:/gpt-test',
      env: { OPENAI_BASE_URL: running().url, OPENAI_API_KEY: 'test' },
      store: false,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      ...extra,
    }),
  };
}
