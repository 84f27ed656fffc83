/**
 * Every runnable example in examples/ runs end to end against the scripted server, as a newcomer
 * would run it against an OpenAI-compatible endpoint: correct per-row scores and MLflow-named aggregates.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, loadConfig } from '../src/index.js';
import { startLlmServer, verdict, type ChatRequest, type LlmServer } from './fixtures/llm-server.js';

const EXAMPLES = resolve(import.meta.dirname, '../examples');

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function run(name: string) {
  const { options } = await loadConfig(join(EXAMPLES, name, 'juror.yaml'));
  return evaluate({ ...options, store: false, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' } });
}

/** The text inside the block named `name` of a judge request's user message. */
function block(req: ChatRequest, name: string): string {
  return new RegExp(`<(data-[0-9a-f]+) name="${name}">\\n([\\s\\S]*?)\\n</\\1>`).exec(req.body.messages[1].content)?.[2] ?? '';
}

describe('examples', () => {
  it('lists every example folder here', () => {
    expect(
      readdirSync(EXAMPLES)
        .filter((f) => !f.includes('.'))
        .sort(),
    ).toEqual(['agent-judges', 'quickstart', 'rag-faithfulness', 'translation']);
  });

  it('quickstart: exact_match and the correctness judge', async () => {
    server.setHandler((req) => verdict(block(req, 'output') === 'Saturn' ? 1 : 5));
    const result = await run('quickstart');
    // exact matches: Paris, 366 → 2 of 5; correctness: 5,5,5,5,1
    expect(result.metrics['exact_match/v1/mean']).toBe(0.4);
    expect(result.metrics['correctness/v1/mean']).toBe(4.2);
    expect(result.passed).toBe(true);
  });

  it('translation: the model under test translates, then cultural_sensitivity judges it', async () => {
    server.setHandler((req) =>
      req.body.response_format ? verdict(block(req, 'output').startsWith('ES:') ? 4 : 1) : { text: `ES: ${req.lastUser}` },
    );
    const result = await run('translation');
    const translations = server.requests.filter((r) => !r.body.response_format);
    expect(translations).toHaveLength(result.rowCount);
    expect(translations[0]!.body.messages[0].content).toBe('Translate the following sentences into Spanish');
    expect(result.metrics['cultural_sensitivity/v1/mean']).toBe(4);
    // The system prompt carries all ten of the seed's few-shot examples.
    const judged = server.requests.find((r) => r.body.response_format)!;
    expect(judged.body.messages[0].content.match(/Example \d+:/g)).toHaveLength(10);
  });

  it('rag-faithfulness: the context reaches the judge as grading context, the question does too', async () => {
    server.setHandler((req) => verdict(block(req, 'context').length > 0 ? 5 : 1));
    const result = await run('rag-faithfulness');
    expect(result.metrics['faithfulness/v1/mean']).toBe(5);
    expect(server.requests).toHaveLength(result.rowCount);
  });

  it('agent-judges: has_pii per chunk, professional per row with threshold 2', async () => {
    server.setHandler((req) => {
      const chunk = block(req, 'retrieved_context');
      if (chunk) return verdict(/@|\+\d/.test(chunk) ? 5 : 1);
      return verdict(block(req, 'response').startsWith('lol') ? 1 : 4);
    });
    const result = await run('agent-judges');
    const rows = result.tables.eval_results_table;
    const chunks = rows.reduce((n, r) => n + (r.retrieved_context as unknown[]).length, 0);
    expect(server.requests).toHaveLength(chunks + rows.length);
    const unprofessional = rows.filter((r) => String(r.response).startsWith('lol')).length;
    expect(result.metrics['professional/v1/ratio']).toBeCloseTo((rows.length - unprofessional) / rows.length, 10);
    expect(result.metrics['has_pii/v1/mean']).toBeGreaterThan(0);
  });
});
