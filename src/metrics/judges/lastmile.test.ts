/**
 * `faithfulness` with `variant: binary` (LastMile-style 1/0 labels) through evaluate() against the
 * scripted judges.server.
 */
import { describe, expect, it } from 'vitest';
import { verdict } from '../../../test/fixtures/llm-server.js';
import { evaluate } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import { faithfulness } from './index.js';
import { block, systemOf } from '../../../test/support/prompts.js';
import { useJudgeServer } from '../../../test/support/judge-server.js';

const judges = useJudgeServer();
const { options } = judges;

const binary = (more: Record<string, unknown> = {}) => builtInMetric('faithfulness', { variant: 'binary', ...more });

describe('faithfulness, variant binary', () => {
  it('needs the output and the context, not the input, checked before any call', async () => {
    for (const [data, variable] of [
      [{ inputs: 'q', outputs: 'a' }, 'context'],
      [{ inputs: 'q', context: 'c' }, 'outputs'],
    ] as const) {
      const error = await evaluate(options({ data: [data], metrics: [binary()] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`judge 'faithfulness' needs '{${variable}}'`);
    }
    expect(judges.server.requests).toHaveLength(0);
    judges.server.setHandler(() => verdict(1));
    await expect(evaluate(options({ data: [{ outputs: 'a', context: 'c' }], metrics: [binary()] }))).resolves.toMatchObject({
      metrics: { 'faithfulness/v1/ratio': 1 },
    });
  });

  it('asks for a 1/0 label from the output and the context, the input left out', async () => {
    judges.server.setHandler(() => verdict(1));
    await evaluate(
      options({
        data: [{ question: 'SECRET QUESTION', answer: 'Ten days.', context: ['Employees get 10 days.', 'Unused days expire.'] }],
        colMapping: { inputs: 'question', predictions: 'answer' },
        metrics: [binary()],
      }),
    );
    const req = judges.server.requests[0]!;
    expect(req.text).not.toContain('SECRET QUESTION');
    expect(block(req.lastUser, 'output')).toBe('Ten days.');
    expect(block(req.lastUser, 'context')).toBe('Employees get 10 days.\n\nUnused days expire.');
    expect(req.body.response_format.json_schema.schema.properties.score.enum).toEqual([0, 1]);
    expect(systemOf(req)).toContain('One unsupported or contradicted claim makes the output unfaithful');
    expect(systemOf(req)).toContain('"score": <1 (the criterion is met) or 0 (it is not)>');
  });

  it('reports the share of faithful rows as faithfulness/v1/ratio, and nothing on the 1–5 keys', async () => {
    const labels = [1, 0, 1];
    judges.server.setHandler((req) => verdict(labels[Number(block(req.lastUser, 'output'))]!));
    const result = await evaluate(options({ data: labels.map((_, i) => ({ outputs: String(i), context: 'c' })), metrics: [binary()] }));
    expect(result.metrics).toEqual({ 'faithfulness/v1/ratio': expect.closeTo(2 / 3, 12) });
    expect(result.tables.eval_results_table.map((r) => r['faithfulness/v1/score'])).toEqual(labels);
  });

  it('takes extra examples rated 1/0 or yes/no, after its own, and refuses a 1–5 score', async () => {
    judges.server.setHandler(() => verdict(1));
    const examples = [
      { output: 'EXTRA ONE', score: 'yes', justification: 'supported', grading_context: { context: 'c1' } },
      { output: 'EXTRA TWO', score: 0, justification: 'not supported', grading_context: { context: 'c2' } },
    ];
    await evaluate(options({ data: [{ outputs: 'a', context: 'c' }], metrics: [binary({ examples })] }));
    const system = systemOf(judges.server.requests[0]!);
    expect(system.indexOf('Example 4:\nOutput:')).toBeGreaterThan(system.indexOf('Example 3:'));
    expect(system).toContain(JSON.stringify({ justification: 'supported', score: 1 }));
    expect(system).toContain('Example 5:');
    let error: unknown;
    try {
      binary({ examples: [{ ...examples[0], score: 4 }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).where.field).toBe('metrics.examples.0.score');
    expect((error as ConfigError).message).toContain('score 4 is not 0 or 1');
  });

  it('routes to the model of its model option', async () => {
    judges.server.setHandler(() => verdict(0));
    await evaluate(
      options({ data: [{ outputs: 'a', context: 'c' }], metrics: [faithfulness({ variant: 'binary', model: 'openai:/gpt-4o-mini' })] }),
    );
    expect(judges.server.requests[0]!.body.model).toBe('gpt-4o-mini');
  });

  it('is a variant of one metric: the key stays faithfulness/v1, so a run takes one of the two', async () => {
    expect(faithfulness({ variant: 'binary' })).toMatchObject({
      name: 'faithfulness',
      version: 'v1',
      output: { type: 'binary' },
      aggregations: ['ratio'],
      includeInput: false,
    });
    expect(faithfulness()).toMatchObject({
      name: 'faithfulness',
      version: 'v1',
      output: { type: 'scale', min: 1, max: 5 },
      aggregations: ['mean', 'variance', 'p90'],
      includeInput: false,
    });
    await expect(evaluate(options({ data: [{ outputs: 'a', context: 'c' }], metrics: ['faithfulness', binary()] }))).rejects.toThrow(
      'metric faithfulness/v1 is given twice',
    );
    expect(() => builtInMetric('faithfulness', { variant: 'lastmile' }, 'metrics[0]')).toThrow(ConfigError);
    expect(() => faithfulness({ variant: 'lastmile' as 'binary' })).toThrow(/has no variant "lastmile"/);
    expect(judges.server.requests).toHaveLength(0);
  });
});
