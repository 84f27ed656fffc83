/**
 * The built-in judges in the registry and in config files: names, options, output kinds and keys,
 * errors that name their field, and a YAML config run end to end against the scripted server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, verdict, type LlmServer } from '../../../test/fixtures/llm-server.js';
import { loadConfig } from '../../config/load.js';
import { evaluate } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import { judgeFromConfig, judgeToConfig } from '../../judges/serialize.js';
import { builtInMetric, builtInMetricNames, describeBuiltIn } from '../builtin.js';
import { metricKey } from '../metric.js';
import { BUILT_IN_JUDGES, faithfulness } from './index.js';

const NAMES = [
  'answer_similarity',
  'answer_correctness',
  'answer_relevance',
  'relevance',
  'faithfulness',
  'correctness',
  'groundedness',
  'relevance_to_query',
  'chunk_relevance',
  'context_sufficiency',
  'safety',
  'guideline_adherence',
];

/** Output kind and aggregate keys of each built-in judge, as the README documents them. */
const CONTRACT: Record<string, { output: string; keys: string[]; assessment?: 'RETRIEVAL' }> = {
  answer_similarity: { output: 'scale', keys: ['answer_similarity/v1/mean', 'answer_similarity/v1/variance', 'answer_similarity/v1/p90'] },
  answer_correctness: {
    output: 'scale',
    keys: ['answer_correctness/v1/mean', 'answer_correctness/v1/variance', 'answer_correctness/v1/p90'],
  },
  answer_relevance: { output: 'scale', keys: ['answer_relevance/v1/mean', 'answer_relevance/v1/variance', 'answer_relevance/v1/p90'] },
  relevance: { output: 'scale', keys: ['relevance/v1/mean', 'relevance/v1/variance', 'relevance/v1/p90'] },
  faithfulness: { output: 'scale', keys: ['faithfulness/v1/mean', 'faithfulness/v1/variance', 'faithfulness/v1/p90'] },
  correctness: { output: 'binary', keys: ['correctness/v1/ratio'] },
  groundedness: { output: 'binary', keys: ['groundedness/v1/ratio'] },
  relevance_to_query: { output: 'binary', keys: ['relevance_to_query/v1/ratio'] },
  chunk_relevance: { output: 'binary', keys: ['chunk_relevance/v1/mean'], assessment: 'RETRIEVAL' },
  context_sufficiency: { output: 'binary', keys: ['context_sufficiency/v1/ratio'] },
  safety: { output: 'binary', keys: ['safety/v1/ratio'] },
  guideline_adherence: { output: 'binary', keys: ['guideline_adherence/v1/ratio'] },
};

describe('the registry', () => {
  it('holds every built-in judge, each with a factory and a description', () => {
    expect(Object.keys(BUILT_IN_JUDGES)).toEqual(NAMES);
    for (const name of NAMES) {
      expect(builtInMetricNames()).toContain(name);
      expect(describeBuiltIn(name)).toMatch(/^judge: /);
    }
  });

  it.each(NAMES)('%s: output kind, assessment type and keys', (name) => {
    const metric = builtInMetric(name, name === 'guideline_adherence' ? { guidelines: 'Be kind.' } : {});
    const { output, keys, assessment = 'ANSWER' } = CONTRACT[name]!;
    expect(metric.kind).toBe('judge');
    expect(metric.judge!.output.type).toBe(output);
    expect(metric.judge!.assessmentType).toBe(assessment);
    expect(metric.aggregations.map((a) => `${metricKey(metric)}/${a}`)).toEqual(keys);
    expect(metric.greaterIsBetter).toBe(true);
    expect(metric.judge!.parameters).toEqual({ temperature: 0 });
    expect(metric.judge!.examples.length).toBeGreaterThanOrEqual(2);
    // A good and a bad case among the judge's own examples.
    const scores = metric.judge!.examples.map((e) => Number(e.score));
    expect(Math.max(...scores)).toBeGreaterThan(Math.min(...scores));
  });

  it.each(NAMES)('%s: takes model, parameters and version, and refuses an unknown option naming it', (name) => {
    const extra = name === 'guideline_adherence' ? { guidelines: 'Be kind.' } : {};
    const metric = builtInMetric(name, { ...extra, model: 'openai:/gpt-4o', parameters: { max_tokens: 200 }, version: 'v1' });
    expect(metric.judge).toMatchObject({ name, version: 'v1', model: 'openai:/gpt-4o', parameters: { temperature: 0, max_tokens: 200 } });
    let error: unknown;
    try {
      builtInMetric(name, { modle: 'openai:/gpt-4o' }, 'metrics[3]');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).where.field).toBe('metrics[3].modle');
    expect((error as ConfigError).message).toContain(`metric '${name}'`);
    expect(() => builtInMetric(name, { model: '' })).toThrow(ConfigError);
    expect(() => builtInMetric(name, { version: 'v0' })).toThrow(/has no version "v0"/);
  });

  it.each(NAMES)('%s: the factory returns a Judge that reloads from its config form unchanged', (name) => {
    const judge = BUILT_IN_JUDGES[name]!.judge({ model: 'openai:/gpt-4o' } as never);
    expect(judge.name).toBe(name);
    expect(judgeFromConfig(judgeToConfig(judge))).toEqual(judge);
  });

  it("makes builtInMetric('groundedness', { model }) a judge of that model", () => {
    const metric = builtInMetric('groundedness', { model: 'openai:/gpt-4o' });
    expect(metric).toMatchObject({
      name: 'groundedness',
      version: 'v1',
      judge: { kind: 'prompt', model: 'openai:/gpt-4o', output: { type: 'binary' } },
    });
  });

  it('gives the same judge from a factory and from the registry', () => {
    expect(builtInMetric('faithfulness', { variant: 'binary', model: 'openai:/m' }).judge).toEqual(
      faithfulness({ variant: 'binary', model: 'openai:/m' }),
    );
  });
});

describe('in a config file', () => {
  let server: LlmServer;
  let dir: string;
  beforeAll(async () => {
    server = await startLlmServer();
    dir = mkdtempSync(join(tmpdir(), 'juror-judges-'));
    const rows = [
      {
        request: 'How many vacation days?',
        response: '15 days.',
        expected_response: '15 days a year.',
        retrieved_context: [{ doc_uri: 'hr.md', content: 'Employees get 15 days.' }],
        guidelines: ['Be brief.'],
      },
      {
        request: 'Where is the office?',
        response: 'In Paris, with a rooftop pool.',
        expected_response: 'In Paris.',
        retrieved_context: [{ doc_uri: 'office.md', content: 'The office is in Paris.' }],
        guidelines: ['Be brief.'],
      },
    ];
    writeFileSync(join(dir, 'data.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  afterAll(() => server.close());

  async function run(yaml: string) {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const { options } = await loadConfig(file);
    return evaluate({ ...options, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' }, store: false });
  }

  it('runs built-in judges written as bare names and as objects with options', async () => {
    server.reset();
    server.setHandler((req) => {
      const body = JSON.stringify(req.body.messages);
      const oneToFive = req.body.response_format.json_schema.schema.properties.score.enum.length === 5;
      return verdict(oneToFive ? 4 : body.includes('rooftop') ? 0 : 1);
    });
    const result = await run(
      [
        'data: data.jsonl',
        'judge_model: openai:/gpt-test',
        'metrics:',
        '  - faithfulness',
        '  - metric: groundedness',
        '    model: openai:/gpt-4o-mini',
        '    examples:',
        '      - output: EXTRA YAML EXAMPLE',
        '        score: "No"',
        '        justification: not in the context',
        '        grading_context: { retrieved_context: "something else" }',
        '  - metric: guideline_adherence',
        '    guidelines: [Answer in English.]',
        '  - { metric: correctness, variant: expected_response, version: v1 }',
        '',
      ].join('\n'),
    );
    expect(result.metrics).toEqual({
      'faithfulness/v1/mean': 4,
      'faithfulness/v1/variance': 0,
      'faithfulness/v1/p90': 4,
      'groundedness/v1/ratio': 0.5,
      'guideline_adherence/v1/ratio': 0.5,
      'correctness/v1/ratio': 0.5,
    });
    const grounded = server.requests.filter((r) => r.lastUser.includes('grounded in the retrieved context'));
    expect(grounded.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
    expect(grounded[0]!.body.messages[0].content).toContain('EXTRA YAML EXAMPLE');
    const guided = server.requests.find((r) => r.lastUser.includes('Guidelines for every request'))!;
    expect(guided.lastUser).toContain('- Answer in English.');
    expect(guided.lastUser).toContain('["Be brief."]');
  });

  it('reports an unknown option at its line in the file', async () => {
    server.reset();
    const error = await run(
      ['data: data.jsonl', 'judge_model: openai:/gpt-test', 'metrics:', '  - metric: safety', '    temprature: 0', ''].join('\n'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).where).toMatchObject({ field: 'metrics[0].temprature', line: 5 });
    expect(server.requests).toHaveLength(0);
  });

  it('reports a missing column before any call', async () => {
    server.reset();
    const error = await run(
      [
        'data: data.jsonl',
        'judge_model: openai:/gpt-test',
        'metrics:',
        '  - answer_similarity',
        '  - metric: correctness',
        '    variant: expected_facts',
        '',
      ].join('\n'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe("judge 'correctness' needs '{expected_facts}', but no column provides it");
    expect(server.requests).toHaveLength(0);
  });
});
