/**
 * Databricks-family built-in judges through evaluate() against the scripted server: required
 * columns, what reaches the judge, 1/0 answers → share of yes, extra (Yes/No) examples, the model
 * option; chunk_relevance per chunk; guideline_adherence's per-row and global guidelines.
 */
import { describe, expect, it } from 'vitest';
import { verdict } from '../../../test/fixtures/llm-server.js';
import type { DataRecord } from '../../data/dataset.js';
import { evaluate } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import type { Judge } from '../../judges/definition.js';
import { builtInMetric } from '../builtin.js';
import { chunkRelevance, contextSufficiency, correctness, groundedness, guidelineAdherence, relevanceToQuery, safety } from './index.js';
import { block, systemOf } from '../../../test/support/prompts.js';
import { useJudgeServer } from '../../../test/support/judge-server.js';
import { configRejection } from '../../../test/support/errors.js';

const judges = useJudgeServer();
const { options } = judges;

/** Every column a Databricks judge may read, each value carrying the row's index. */
function row(i: number): DataRecord {
  return {
    request: `REQUEST ${i}`,
    response: `RESPONSE ${i}`,
    retrieved_context: [
      { doc_uri: 'a.md', content: `CHUNK A ${i}` },
      { doc_uri: 'b.md', content: `CHUNK B ${i}` },
    ],
    expected_response: `EXPECTED ${i}`,
    expected_facts: [`FACT ONE ${i}`, `FACT TWO ${i}`],
    guidelines: [`GUIDELINE ${i}`],
  };
}

/** How a column of row(0) reads inside its block. */
const BLOCK_TEXT: Record<string, string> = {
  request: 'REQUEST 0',
  response: 'RESPONSE 0',
  retrieved_context: 'CHUNK A 0\n\nCHUNK B 0',
  expected_response: 'EXPECTED 0',
  expected_facts: '["FACT ONE 0","FACT TWO 0"]',
  guidelines: '["GUIDELINE 0"]',
};

interface Case {
  name: string;
  label: string;
  make: (options?: Record<string, unknown>) => Judge;
  /** Config options besides the common ones (a variant). */
  extra?: Record<string, unknown>;
  reads: string[];
  rubric: string;
  exampleContext?: Record<string, string>;
}

const CASES: Case[] = [
  {
    name: 'groundedness',
    label: 'groundedness',
    make: groundedness,
    reads: ['response', 'retrieved_context'],
    rubric: 'grounded in the retrieved context',
    exampleContext: { retrieved_context: 'EXTRA CONTEXT' },
  },
  {
    name: 'relevance_to_query',
    label: 'relevance_to_query',
    make: relevanceToQuery,
    reads: ['request', 'response'],
    rubric: 'relevant to the request',
  },
  {
    name: 'correctness',
    label: 'correctness',
    make: correctness,
    reads: ['request', 'response', 'expected_response'],
    rubric: 'taking the expected response as the ground truth',
    exampleContext: { expected_response: 'EXTRA EXPECTED' },
  },
  {
    name: 'correctness',
    label: 'correctness (variant expected_facts)',
    make: (o) => correctness({ ...o, variant: 'expected_facts' }),
    extra: { variant: 'expected_facts' },
    reads: ['request', 'response', 'expected_facts'],
    rubric: 'taking the expected facts as the ground truth',
    exampleContext: { expected_facts: '["EXTRA FACT"]' },
  },
  {
    name: 'context_sufficiency',
    label: 'context_sufficiency',
    make: contextSufficiency,
    reads: ['request', 'retrieved_context', 'expected_response'],
    rubric: 'sufficient to produce the expected response',
    exampleContext: { expected_response: 'EXTRA EXPECTED' },
  },
  { name: 'safety', label: 'safety', make: safety, reads: ['response'], rubric: 'free of harmful or toxic content' },
  {
    name: 'guideline_adherence',
    label: 'guideline_adherence (per-row guidelines)',
    make: guidelineAdherence,
    reads: ['request', 'response', 'guidelines'],
    rubric: 'follows the guidelines',
    exampleContext: { guidelines: '["EXTRA GUIDELINE"]' },
  },
];

describe.each(CASES)('$label', ({ name, make, extra = {}, reads, rubric, exampleContext }) => {
  const key = `${name}/v1`;
  const metric = (more: Record<string, unknown> = {}) => builtInMetric(name, { ...extra, ...more });

  it.each(reads)('needs {%s}, checked before any call', async (variable) => {
    const data = [0].map(row).map(({ [variable]: _dropped, ...rest }) => rest);
    const error = await configRejection(evaluate(options({ data, metrics: [metric()] })));
    expect(error.message).toContain(`judge '${name}' needs '{${variable}}', but no column provides it`);
    expect(error.where.field).toBe(`col_mapping.${variable}`);
    expect(judges.server.requests).toHaveLength(0);
  });

  it('puts each column it reads in its block, and nothing else', async () => {
    judges.server.setHandler(() => verdict(1));
    await evaluate(options({ data: [row(0)], metrics: [metric()] }));
    expect(judges.server.requests).toHaveLength(1);
    const req = judges.server.requests[0]!;
    for (const variable of Object.keys(BLOCK_TEXT))
      expect(block(req.lastUser, variable)).toBe(reads.includes(variable) ? BLOCK_TEXT[variable] : undefined);
    expect(req.lastUser).toContain(rubric);
    expect(req.body.response_format.json_schema.schema.properties.score.enum).toEqual([0, 1]);
  });

  it('reads only the columns it needs', async () => {
    judges.server.setHandler(() => verdict(1));
    const data = [0].map(row).map((r) => Object.fromEntries(reads.map((v) => [v, r[v]])));
    const result = await evaluate(options({ data, metrics: [metric()] }));
    expect(result.metrics[`${key}/ratio`]).toBe(1);
  });

  it('reports the share of yes as ratio', async () => {
    const answers = [1, 0, 1, 1];
    judges.server.setHandler((req) => verdict(answers[Number(block(req.lastUser, reads[0]!)!.split(' ').pop())]!, 'rationale'));
    const result = await evaluate(options({ data: answers.map((_, i) => row(i)), metrics: [metric()] }));
    expect(result.metrics).toEqual({ [`${key}/ratio`]: 0.75 });
    expect(result.tables.eval_results_table.map((r) => r[`${key}/score`])).toEqual(answers);
    expect(result.tables.eval_results_table[1]![`${key}/justification`]).toBe('rationale');
  });

  it('appends extra examples, rated Yes/No as Databricks rates them, after its own', async () => {
    judges.server.setHandler(() => verdict(1));
    const example = {
      input: 'EXTRA REQUEST',
      output: 'EXTRA OUTPUT',
      score: 'No',
      justification: 'extra rationale',
      ...(exampleContext ? { grading_context: exampleContext } : {}),
    };
    await evaluate(options({ data: [row(0)], metrics: [metric({ examples: [example] })] }));
    const system = systemOf(judges.server.requests[0]!);
    const own = make().examples.length;
    expect(system).toContain(`Example ${own + 1}:\n`);
    expect(system.indexOf('EXTRA OUTPUT')).toBeGreaterThan(system.indexOf(`Example ${own}:`));
    expect(system).toContain(JSON.stringify({ justification: 'extra rationale', score: 0 }));
    for (const text of Object.values(exampleContext ?? {})) expect(system).toContain(text);
  });

  it('refuses extra examples with grading context it does not read, naming the field', () => {
    const example = { output: 'o', score: 1, justification: 'j', grading_context: { targets: 't' } };
    expect(() => builtInMetric(name, { ...extra, examples: [example] }, 'metrics[2]')).toThrow(
      /grading_context has 'targets', which the judge does not read/,
    );
    try {
      builtInMetric(name, { ...extra, examples: [example] }, 'metrics[2]');
    } catch (error) {
      expect((error as ConfigError).where.field).toBe('metrics[2].examples.0.grading_context.targets');
    }
  });

  it('routes to the model of its model option', async () => {
    judges.server.setHandler(() => verdict(1));
    await evaluate(options({ data: [row(0)], metrics: [metric({ model: 'openai:/gpt-4o-mini', parameters: { temperature: 0.3 } })] }));
    expect(judges.server.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3 });
    judges.server.reset();
    await evaluate(options({ data: [row(0)], metrics: [make({ model: 'openai:/judge-small' })] }));
    expect(judges.server.requests[0]!.body.model).toBe('judge-small');
  });
});

describe('chunk_relevance', () => {
  it('needs the request and the retrieved context, checked before any call', async () => {
    for (const variable of ['request', 'retrieved_context']) {
      const data = [variable === 'request' ? { retrieved_context: ['c'] } : { request: 'q' }];
      const error = await configRejection(evaluate(options({ data, metrics: ['chunk_relevance'] })));
      expect(error.message).toContain(`judge 'chunk_relevance' needs '{${variable}}'`);
    }
    expect(judges.server.requests).toHaveLength(0);
  });

  it('asks once per chunk and reports per-row precision, averaged', async () => {
    judges.server.setHandler((req) => verdict(block(req.lastUser, 'retrieved_context')!.startsWith('relevant') ? 1 : 0, 'chunk rationale'));
    const data = [
      {
        request: 'Q0',
        retrieved_context: [
          { doc_uri: 'a.md', content: 'relevant a' },
          { doc_uri: 'b.md', content: 'noise b' },
        ],
      },
      {
        request: 'Q1',
        retrieved_context: JSON.stringify([
          { doc_uri: 'c.md', content: 'relevant c' },
          { doc_uri: 'd.md', content: 'relevant d' },
          { doc_uri: 'e.md', content: 'noise e' },
        ]),
      },
      { request: 'Q2', retrieved_context: ['noise only'] },
      { request: 'Q3', retrieved_context: 'relevant, a single chunk' },
    ];
    const result = await evaluate(options({ data, metrics: ['chunk_relevance'] }));
    expect(judges.server.requests).toHaveLength(7);
    // Each request holds one chunk, beside its own row's request.
    const seen = judges.server.requests.map((r) => [block(r.lastUser, 'request'), block(r.lastUser, 'retrieved_context')]).sort();
    expect(seen).toEqual([
      ['Q0', 'noise b'],
      ['Q0', 'relevant a'],
      ['Q1', 'noise e'],
      ['Q1', 'relevant c'],
      ['Q1', 'relevant d'],
      ['Q2', 'noise only'],
      ['Q3', 'relevant, a single chunk'],
    ]);
    // precision per row: 1/2, 2/3, 0/1, 1/1 → mean (0.5 + 0.6667 + 0 + 1) / 4
    const table = result.tables.eval_results_table;
    expect(table.map((r) => r['chunk_relevance/v1/score'])).toEqual([0.5, 2 / 3, 0, 1]);
    expect(result.metrics).toEqual({ 'chunk_relevance/v1/mean': expect.closeTo((0.5 + 2 / 3 + 0 + 1) / 4, 12) });
    expect(table[0]!['chunk_relevance/v1/justification']).toBe('chunk 0 (a.md): 1 — chunk rationale\nchunk 1 (b.md): 0 — chunk rationale');
  });

  it('takes extra examples and a model like the others', async () => {
    judges.server.setHandler(() => verdict(1));
    const metric = builtInMetric('chunk_relevance', {
      model: 'openai:/gpt-4o-mini',
      examples: [{ input: 'EXTRA REQUEST', output: 'EXTRA CHUNK', score: 'yes', justification: 'extra' }],
    });
    await evaluate(options({ data: [{ request: 'q', retrieved_context: ['one', 'two'] }], metrics: [metric] }));
    expect(judges.server.requests.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
    expect(systemOf(judges.server.requests[0]!)).toContain('Example 4:\nInput:');
    expect(chunkRelevance().assessmentType).toBe('RETRIEVAL');
  });
});

describe('guideline_adherence', () => {
  const data = [{ request: 'Can I get a refund?', response: 'Yes, refunded.', guidelines: ['Never promise a refund.'] }];

  it('gives the per-row guidelines to the judge', async () => {
    judges.server.setHandler(() => verdict(0));
    const result = await evaluate(
      options({ data: [...data, { request: 'Hi', response: 'Hello', guidelines: 'Be brief.' }], metrics: ['guideline_adherence'] }),
    );
    const rows = judges.server.requests.map((r) => block(r.lastUser, 'guidelines')).sort();
    expect(rows).toEqual(['Be brief.', '["Never promise a refund."]']);
    expect(judges.server.requests[0]!.lastUser).not.toContain('Guidelines for every request');
    expect(result.metrics['guideline_adherence/v1/ratio']).toBe(0);
  });

  it('gives global guidelines from its options, with no guidelines column', async () => {
    judges.server.setHandler(() => verdict(1));
    const metric = builtInMetric('guideline_adherence', { guidelines: ['Answer in English.', 'Never use {curly} braces.'] });
    const result = await evaluate(options({ data: [{ request: 'q', response: 'r' }], metrics: [metric] }));
    const user = judges.server.requests[0]!.lastUser;
    expect(user).toContain('Guidelines for every request:\n- Answer in English.\n- Never use {curly} braces.');
    expect(block(user, 'guidelines')).toBe('');
    expect(result.metrics['guideline_adherence/v1/ratio']).toBe(1);
  });

  it('gives both when both are there', async () => {
    judges.server.setHandler(() => verdict(1));
    await evaluate(options({ data, metrics: [builtInMetric('guideline_adherence', { guidelines: 'Answer in English.' })] }));
    const user = judges.server.requests[0]!.lastUser;
    expect(user).toContain('- Answer in English.');
    expect(block(user, 'guidelines')).toBe('["Never promise a refund."]');
  });

  it('with neither, is a config error before any call', async () => {
    const error = await configRejection(evaluate(options({ data: [{ request: 'q', response: 'r' }], metrics: ['guideline_adherence'] })));
    expect(error.message).toBe("judge 'guideline_adherence' needs '{guidelines}', but no column provides it");
    expect(error.where.field).toBe('col_mapping.guidelines');
    expect(error.hint).toContain('guideline_adherence, guidelines: [...]');
    expect(judges.server.requests).toHaveLength(0);
    expect(() => builtInMetric('guideline_adherence', { guidelines: [] }, 'metrics[0]')).toThrow(ConfigError);
    expect(() => builtInMetric('guideline_adherence', { guidelines: ['  '] }, 'metrics[0]')).toThrow(ConfigError);
  });

  it('makes a row with no guidelines an error row when there are no global guidelines', async () => {
    judges.server.setHandler(() => verdict(1));
    const rows = [
      { request: 'q0', response: 'r', guidelines: ['Be brief.'] },
      { request: 'q1', response: 'r', guidelines: [] },
      { request: 'q2', response: 'r', guidelines: ' ' },
      { request: 'q3', response: 'r' },
    ];
    const result = await evaluate(options({ data: rows, metrics: ['guideline_adherence'] }));
    expect(judges.server.requests).toHaveLength(1);
    expect(result.metrics['guideline_adherence/v1/ratio']).toBe(1);
    expect(result.errors['guideline_adherence/v1']).toBe(3);
    expect(result.tables.eval_results_table[3]!['guideline_adherence/v1/error']).toBe(
      'the row has no guidelines, and no global guidelines are given',
    );
    // With global guidelines, the same rows are judged against those.
    judges.server.reset();
    const global = await evaluate(options({ data: rows, metrics: [builtInMetric('guideline_adherence', { guidelines: 'Be kind.' })] }));
    expect(judges.server.requests).toHaveLength(4);
    expect(global.errors['guideline_adherence/v1']).toBe(0);
  });

  it('as a Judge, reads the column unless perRowGuidelines is false', async () => {
    judges.server.setHandler(() => verdict(1));
    const globalOnly = guidelineAdherence({ guidelines: ['Answer in English.'], perRowGuidelines: false });
    await evaluate(options({ data: [{ request: 'q', response: 'r', guidelines: 'IGNORED' }], metrics: [globalOnly] }));
    expect(judges.server.requests[0]!.lastUser).not.toContain('IGNORED');
    expect(block(judges.server.requests[0]!.lastUser, 'guidelines')).toBeUndefined();
    await configRejection(
      evaluate(options({ data: [{ request: 'q', response: 'r' }], metrics: [guidelineAdherence({ guidelines: 'x' })] })),
    );
    expect(() => guidelineAdherence({ perRowGuidelines: false })).toThrow(/has no guidelines/);
  });
});
