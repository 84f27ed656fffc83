/**
 * `model_type: databricks-agent` (seed 003) through evaluate() against the scripted server: the
 * built-in judges the columns allow plus the non-LLM metrics, Databricks' names beside Juror's,
 * `metrics:` narrowing the judges, and the default judge model.
 */
import { describe, expect, it } from 'vitest';
import { verdict, type ChatRequest } from '../../test/fixtures/llm-server.js';
import { useJudgeServer } from '../../test/support/judge-server.js';
import { configRejection } from '../../test/support/errors.js';
import { block } from '../../test/support/prompts.js';
import type { DataRecord } from '../data/dataset.js';
import { evaluate } from '../engine/evaluate.js';

const judges = useJudgeServer();
const { options } = judges;

function row(i: number): DataRecord {
  return {
    request: `REQUEST ${i}`,
    response: `RESPONSE ${i}`,
    expected_response: `EXPECTED ${i}`,
    retrieved_context: [
      { doc_uri: 'a.md', content: `CHUNK A ${i}` },
      { doc_uri: 'b.md', content: `CHUNK B ${i}` },
    ],
  };
}
const DATA = [0, 1].map(row);
const CORRECTNESS = 'taking the expected response as the ground truth';
/** Every judge says yes, except correctness on row 1. */
const handler = (req: ChatRequest) =>
  verdict(req.lastUser.includes(CORRECTNESS) && block(req.lastUser, 'response') === 'RESPONSE 1' ? 0 : 1, 'rationale');
const skippedNames = (result: { skippedMetrics: Array<{ metric: string }> }) => result.skippedMetrics.map((s) => s.metric).sort();

describe('model_type databricks-agent', () => {
  it('runs every judge the columns allow and the non-LLM metrics, skipping and reporting the rest', async () => {
    judges.server.setHandler(handler);
    const result = await evaluate(options({ data: DATA, modelType: 'databricks-agent', metrics: undefined }));
    expect(result.perMetric.map((m) => m.metric).sort()).toEqual(
      [
        'chunk_relevance/v1',
        'context_sufficiency/v1',
        'correctness/v1',
        'groundedness/v1',
        'relevance_to_query/v1',
        'safety/v1',
        'token_count/v1',
      ].sort(),
    );
    expect(skippedNames(result)).toEqual(['document_precision/v1', 'document_recall/v1', 'guideline_adherence/v1', 'latency/v1']);
    expect(Object.values(result.errors).every((n) => n === 0)).toBe(true);
    // 2 rows × (5 answer judges + 2 chunks of chunk_relevance).
    expect(judges.server.requests).toHaveLength(14);
    expect(result.metrics['token_count/v1/mean']).toBeGreaterThan(0);
  });

  it("writes Databricks' names beside Juror's: yes/no ratings, rationales, the percentage and chunk precision", async () => {
    judges.server.setHandler(handler);
    const result = await evaluate(options({ data: DATA, modelType: 'databricks-agent', metrics: undefined }));
    expect(result.metrics['correctness/v1/ratio']).toBe(0.5);
    expect(result.metrics['response/llm_judged/correctness/rating/percentage']).toBe(0.5);
    expect(result.metrics['response/llm_judged/safety/rating/percentage']).toBe(1);
    expect(result.metrics['retrieval/llm_judged/context_sufficiency/rating/percentage']).toBe(1);
    expect(result.metrics['retrieval/llm_judged/chunk_relevance/precision/average']).toBe(1);
    const [first, second] = result.tables.eval_results_table;
    expect(first).toMatchObject({
      'response/llm_judged/correctness/rating': 'yes',
      'response/llm_judged/correctness/rationale': 'rationale',
    });
    expect(second).toMatchObject({ 'response/llm_judged/correctness/rating': 'no', 'correctness/v1/score': 0 });
    expect(first).toMatchObject({
      'retrieval/llm_judged/chunk_relevance/ratings': ['yes', 'yes'],
      'retrieval/llm_judged/chunk_relevance/precision': 1,
    });
  });

  it('skips correctness when the data has no expected_response, and says why', async () => {
    judges.server.setHandler(() => verdict(1));
    const data = DATA.map(({ expected_response: _dropped, ...rest }) => rest);
    const result = await evaluate(options({ data, modelType: 'databricks-agent', metrics: undefined }));
    const correctness = result.skippedMetrics.find((s) => s.metric === 'correctness/v1');
    expect(correctness?.reason).toContain("needs '{expected_response}'");
    expect(skippedNames(result)).toContain('context_sufficiency/v1');
    expect(judges.server.requests.some((req) => req.lastUser.includes(CORRECTNESS))).toBe(false);
  });

  it('narrows the judges to metrics: [safety], keeping the non-LLM metrics', async () => {
    judges.server.setHandler(() => verdict(1));
    const result = await evaluate(options({ data: DATA, modelType: 'databricks-agent', metrics: ['safety'] }));
    expect(result.perMetric.map((m) => m.metric)).toEqual(['safety/v1', 'token_count/v1']);
    expect(judges.server.requests).toHaveLength(2);
    expect(result.metrics['response/llm_judged/safety/rating/percentage']).toBe(1);
  });

  it('runs no judge and calls nothing with metrics: []', async () => {
    const result = await evaluate(options({ data: DATA, modelType: 'databricks-agent', metrics: [] }));
    expect(result.perMetric.map((m) => m.metric)).toEqual(['token_count/v1']);
    expect(judges.server.requests).toHaveLength(0);
  });

  it('still refuses metrics: [] without a model type to fill it', async () => {
    const error = await configRejection(evaluate(options({ data: DATA, metrics: [] })));
    expect(error.message).toContain('no metrics to compute');
  });
});

describe('the default judge model', () => {
  it('is openai:/gpt-4o-mini when an OpenAI base URL is set and no judge model is named, and is reported', async () => {
    judges.server.setHandler(() => verdict(1));
    const result = await evaluate({ data: DATA, metrics: ['safety'], store: false, env: { OPENAI_BASE_URL: judges.server.url } });
    expect(judges.server.requests.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
    expect(result.defaultJudgeModel).toBe('openai:/gpt-4o-mini');
  });

  it('is not used, nor reported, when a judge model is named', async () => {
    judges.server.setHandler(() => verdict(1));
    const result = await evaluate(options({ data: DATA, metrics: ['safety'] }));
    expect(judges.server.requests[0]!.body.model).toBe('gpt-test');
    expect(result.defaultJudgeModel).toBeUndefined();
  });

  it('without any key stops a databricks-agent run before any call, rather than skipping every judge', async () => {
    const error = await configRejection(evaluate({ data: DATA, modelType: 'databricks-agent', store: false, env: {} }));
    expect(error.message).toBe('no judge model is set');
    expect(error.hint).toContain('OPENAI_API_KEY');
    expect(judges.server.requests).toHaveLength(0);
  });
});
