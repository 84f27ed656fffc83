/**
 * MLflow-family built-in judges through evaluate() against the scripted server: required columns,
 * what reaches the judge, 1–5 scores → mean/variance/p90, extra examples, the model option.
 */
import { describe, expect, it } from 'vitest';
import { verdict } from '../../../test/fixtures/llm-server.js';
import { evaluate } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import type { DataRecord } from '../../data/dataset.js';
import { builtInMetric } from '../builtin.js';
import { answerCorrectness, answerRelevance, answerSimilarity, faithfulness, relevance } from './index.js';
import { block, systemOf } from '../../../test/support/prompts.js';
import { useJudgeServer } from '../../../test/support/judge-server.js';
import { configRejection } from '../../../test/support/errors.js';

const judges = useJudgeServer();
const { options } = judges;

interface Case {
  name: string;
  factory: typeof answerSimilarity;
  /** The grading context column, if any. */
  context?: 'targets' | 'context';
  includeInput: boolean;
  /** A phrase of the rubric, to find it in the system message. */
  rubric: string;
  /** An extra example with the right grading context. */
  example: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'answer_similarity',
    factory: answerSimilarity,
    context: 'targets',
    includeInput: true,
    rubric: 'close in meaning',
    example: { input: 'EXTRA Q', output: 'EXTRA OUTPUT', score: 4, justification: 'extra', grading_context: { targets: 'EXTRA T' } },
  },
  {
    name: 'answer_correctness',
    factory: answerCorrectness,
    context: 'targets',
    includeInput: true,
    rubric: 'factually correct',
    example: { input: 'EXTRA Q', output: 'EXTRA OUTPUT', score: 2, justification: 'extra', grading_context: { targets: 'EXTRA T' } },
  },
  {
    name: 'answer_relevance',
    factory: answerRelevance,
    includeInput: true,
    rubric: 'addresses the input',
    example: { input: 'EXTRA Q', output: 'EXTRA OUTPUT', score: 5, justification: 'extra' },
  },
  {
    name: 'relevance',
    factory: relevance,
    context: 'context',
    includeInput: true,
    rubric: 'using the context',
    example: { input: 'EXTRA Q', output: 'EXTRA OUTPUT', score: 1, justification: 'extra', grading_context: { context: 'EXTRA C' } },
  },
  {
    name: 'faithfulness',
    factory: faithfulness,
    context: 'context',
    includeInput: false,
    rubric: 'supported by the context',
    example: { output: 'EXTRA OUTPUT', score: 3, justification: 'extra', grading_context: { context: 'EXTRA C' } },
  },
];

/** A row with MLflow's names; `context` and `targets` filled whether the judge reads them or not. */
function row(i: number | string): DataRecord {
  return { inputs: `QUESTION ${i}`, outputs: `ANSWER ${i}`, targets: `TARGET ${i}`, context: `CONTEXT ${i}` };
}

describe.each(CASES)('$name', ({ name, factory, context, includeInput, rubric, example }) => {
  const key = `${name}/v1`;

  it('needs its grading context column (or, without one, the input), checked before any call', async () => {
    const required = context ?? 'inputs';
    const data = [context ? { inputs: 'q', outputs: 'a' } : { outputs: 'a', targets: 't', context: 'c' }];
    const error = await configRejection(evaluate(options({ data, metrics: [name] })));
    expect(error.message).toContain(`judge '${name}' needs '{${required}}', but no column provides it`);
    expect(error.where.field).toBe(`col_mapping.${required}`);
    // The factory's Judge is checked the same way.
    expect((await configRejection(evaluate(options({ data, metrics: [factory()] })))).message).toContain(`'{${required}}'`);
    expect(judges.server.requests).toHaveLength(0);
  });

  it('needs the output, checked before any call', async () => {
    const error = await configRejection(evaluate(options({ data: [{ inputs: 'q', targets: 't', context: 'c' }], metrics: [name] })));
    expect(error.message).toMatch(new RegExp(`judge '${name}' needs '\\{outputs\\}'`));
    expect(judges.server.requests).toHaveLength(0);
  });

  it('puts each column in its block, through Databricks aliases and col_mapping', async () => {
    judges.server.setHandler(() => verdict(4));
    // Databricks' names for MLflow's: request → inputs, response → outputs, expected_response → targets, retrieved_context → context.
    const data = [
      {
        request: 'What is the warranty?',
        answer: 'Two years.',
        expected_response: 'A 24-month warranty.',
        retrieved_context: [{ doc_uri: 'w.md', content: 'Warranty: 24 months.' }, { content: 'Returns: 30 days.' }],
      },
    ];
    await evaluate(options({ data, colMapping: { predictions: 'answer' }, metrics: [name] }));
    expect(judges.server.requests).toHaveLength(1);
    const req = judges.server.requests[0]!;
    expect(block(req.lastUser, 'output')).toBe('Two years.');
    expect(block(req.lastUser, 'input')).toBe(includeInput ? 'What is the warranty?' : undefined);
    if (!includeInput) expect(req.text).not.toContain('What is the warranty?');
    if (context === 'targets') expect(block(req.lastUser, 'targets')).toBe('A 24-month warranty.');
    if (context === 'context') expect(block(req.lastUser, 'context')).toBe('Warranty: 24 months.\n\nReturns: 30 days.');
    for (const other of ['targets', 'context'].filter((c) => c !== context)) expect(block(req.lastUser, other)).toBeUndefined();
    expect(systemOf(req)).toContain(rubric);
    expect(req.body.response_format.json_schema.schema.properties.score.enum).toEqual([1, 2, 3, 4, 5]);
    expect(req.body.temperature).toBe(0);
  });

  it('aggregates 1–5 scores as mean, variance and p90', async () => {
    const scores = [2, 5, 4, 1];
    judges.server.setHandler((req) => verdict(scores[Number(block(req.lastUser, 'output')!.split(' ')[1])]!, 'because'));
    const result = await evaluate(options({ data: scores.map((_, i) => row(i)), metrics: [name] }));
    // mean 12/4 = 3; variance ((−1)² + 2² + 1² + (−2)²)/4 = 10/4; p90 of [1, 2, 4, 5]: rank 2.7 → 4 + 0.7 × 1
    expect(result.metrics).toEqual({ [`${key}/mean`]: 3, [`${key}/variance`]: 2.5, [`${key}/p90`]: expect.closeTo(4.7, 10) });
    expect(result.tables.eval_results_table.map((r) => r[`${key}/score`])).toEqual(scores);
    expect(result.tables.eval_results_table[0]![`${key}/justification`]).toBe('because');
  });

  it('appends extra examples after its own in the system message', async () => {
    judges.server.setHandler(() => verdict(3));
    await evaluate(options({ data: [row(0)], metrics: [builtInMetric(name, { examples: [example] })] }));
    const system = systemOf(judges.server.requests[0]!);
    expect(system).toContain('Example 4:\n');
    expect(system.indexOf('EXTRA OUTPUT')).toBeGreaterThan(system.indexOf('Example 3:'));
    expect(system).toContain(JSON.stringify({ justification: 'extra', score: example.score }));
    expect(system.includes('EXTRA Q')).toBe(includeInput);
    // The factory takes them in TypeScript form.
    const judge = factory({
      examples: [
        {
          output: 'X',
          score: 5,
          justification: 'x',
          ...(context ? { gradingContext: { [context]: 'c' } } : {}),
          ...(includeInput ? { input: 'q' } : {}),
        },
      ],
    });
    expect(judge.examples).toHaveLength(4);
    expect(judge.examples[3]!.output).toBe('X');
  });

  it('routes to the model of its model option', async () => {
    judges.server.setHandler(() => verdict(3));
    await evaluate(options({ data: [row(0)], metrics: [builtInMetric(name, { model: 'openai:/gpt-4o-mini' })] }));
    expect(judges.server.requests[0]!.body.model).toBe('gpt-4o-mini');
    judges.server.reset();
    await evaluate(options({ data: [row(0)], metrics: [factory({ model: 'openai:/judge-small', parameters: { temperature: 0.2 } })] }));
    expect(judges.server.requests[0]!.body).toMatchObject({ model: 'judge-small', temperature: 0.2 });
    judges.server.reset();
    await evaluate(options({ data: [row(0)], metrics: [name] }));
    expect(judges.server.requests[0]!.body.model).toBe('gpt-test');
  });

  it('refuses an example with a score off the 1–5 scale, naming the field', () => {
    const bad = { ...example, score: 7 };
    expect(() => builtInMetric(name, { examples: [bad] }, 'metrics[1]')).toThrow(ConfigError);
    try {
      builtInMetric(name, { examples: [bad] }, 'metrics[1]');
    } catch (error) {
      expect((error as ConfigError).where.field).toBe('metrics[1].examples.0.score');
    }
  });
});

describe('faithfulness', () => {
  it('leaves the input out of the whole request, as MLflow does', async () => {
    judges.server.setHandler(() => verdict(5));
    await evaluate(
      options({
        data: [{ question: 'SECRET QUESTION', answer: 'Ten days.', docs: 'Employees get 10 days.' }],
        colMapping: { inputs: 'question', predictions: 'answer', context: 'docs' },
        metrics: [faithfulness()],
      }),
    );
    const req = judges.server.requests[0]!;
    expect(req.text).not.toContain('SECRET QUESTION');
    expect(block(req.lastUser, 'input')).toBeUndefined();
    expect(block(req.lastUser, 'output')).toBe('Ten days.');
    expect(block(req.lastUser, 'context')).toBe('Employees get 10 days.');
  });

  it('does not need an input column', async () => {
    judges.server.setHandler(() => verdict(5));
    const result = await evaluate(options({ data: [{ outputs: 'a', context: 'c' }], metrics: ['faithfulness'] }));
    expect(result.metrics['faithfulness/v1/mean']).toBe(5);
  });

  it('refuses an unknown version, naming the field and the versions there are', () => {
    expect(() => builtInMetric('faithfulness', { version: 'v9' }, 'metrics[0]')).toThrow(/has no version "v9" \(its versions: v1\)/);
    try {
      builtInMetric('faithfulness', { version: 'v9' }, 'metrics[0]');
    } catch (error) {
      expect((error as ConfigError).where.field).toBe('metrics[0].version');
    }
    expect(faithfulness({ version: 'v1' }).version).toBe('v1');
  });
});
