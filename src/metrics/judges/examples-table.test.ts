/**
 * Databricks' examples_df: one table of rated examples for the built-in judges, at most 5 sent
 * per call (the most similar to the row), the ones used named per row; bad cells named by
 * file:line and column. Through evaluate() against the scripted server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdict } from '../../../test/fixtures/llm-server.js';
import { configRejection } from '../../../test/support/errors.js';
import { useJudgeServer } from '../../../test/support/judge-server.js';
import { systemOf } from '../../../test/support/prompts.js';
import { evaluate } from '../../engine/evaluate.js';
import { prepareRun } from '../../engine/prepare.js';
import { correctness } from './index.js';

const judges = useJudgeServer();
const { options } = judges;

const TOPICS = [
  'spark dataframe pandas',
  'delta lake tables',
  'unity catalog grants',
  'mlflow model registry',
  'vector search index',
  'spark streaming kafka',
  'cluster autoscaling policy',
];
const HEADER = 'request,response,expected_response,correctness/rating,correctness/rationale';
const CSV =
  [
    HEADER,
    ...TOPICS.map((t, i) => `How do I use ${t}?,Use ${t} like this (${i}).,Expected ${t}.,${i % 2 ? 'No' : 'Yes'},RATIONALE ${i}`),
  ].join('\n') + '\n';

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'juror-examples-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const DATA = [
  {
    request: 'How do I turn a Spark DataFrame into pandas?',
    response: 'Call toPandas() on the spark dataframe.',
    expected_response: 'toPandas()',
  },
  {
    request: 'Who may read my unity catalog tables?',
    response: 'Whoever has SELECT grants in unity catalog.',
    expected_response: 'grants',
  },
];
const own = correctness().examples.length;

describe('an examples table (examples_df)', () => {
  it('sends at most 5 of 7 examples per call, the most similar to the row, and names them per row', async () => {
    judges.server.setHandler(() => verdict(1));
    const baseDir = folderWith({ 'examples.csv': CSV });
    const result = await evaluate(options({ data: DATA, metrics: ['correctness'], examples: 'examples.csv', baseDir }));
    expect(judges.server.requests).toHaveLength(2);
    for (const req of judges.server.requests) {
      const system = systemOf(req);
      expect(system).toContain(`Example ${own + 5}:`);
      expect(system).not.toContain(`Example ${own + 6}:`);
    }
    const [spark, unity] = result.tables.eval_results_table;
    const sparkUsed = String(spark!['correctness/v1/examples']).split(', ');
    expect(sparkUsed).toHaveLength(5);
    // Line 2 (spark dataframe pandas) and line 7 (spark streaming) share the row's words.
    expect(sparkUsed).toEqual(expect.arrayContaining(['examples.csv:2', 'examples.csv:7']));
    expect(String(unity!['correctness/v1/examples'])).toContain('examples.csv:4');
    const sparkSystem = systemOf(judges.server.requests.find((r) => r.lastUser.includes('toPandas'))!);
    expect(sparkSystem).toContain('RATIONALE 0');
    expect(sparkSystem).toContain(JSON.stringify({ justification: 'RATIONALE 1', score: 0 }));
  });

  it('keeps the whole table in the judge snapshot of the run', async () => {
    // The prepared judge (stored with the run) lists every example with its place.
    const run = await prepareRun(options({ data: DATA, metrics: ['correctness'], examples: folderWith({ 'e.csv': CSV }) + '/e.csv' }));
    const table = run.metrics[0]!.judge!.metricMetadata.examples_table as Array<{ where: string }>;
    expect(table.map((e) => e.where)).toEqual(TOPICS.map((_, i) => `e.csv:${i + 2}`));
  });

  it('sends every example when there are 5 or fewer, given as a list in Databricks column names', async () => {
    judges.server.setHandler(() => verdict(1));
    const examples = [
      {
        request: 'R',
        response: 'LISTED EXAMPLE',
        'response/llm_judged/safety/rating': 'No',
        'response/llm_judged/safety/rationale': 'unsafe',
      },
    ];
    const result = await evaluate(options({ data: DATA, metrics: ['safety', 'correctness'], examples }));
    const safetyCalls = judges.server.requests.filter((r) => r.lastUser.includes('harmful'));
    expect(safetyCalls).toHaveLength(2);
    for (const req of safetyCalls) expect(systemOf(req)).toContain('LISTED EXAMPLE');
    for (const req of judges.server.requests.filter((r) => !r.lastUser.includes('harmful')))
      expect(systemOf(req)).not.toContain('LISTED EXAMPLE');
    expect(result.tables.eval_results_table[0]!['safety/v1/examples']).toBe('examples[0]');
  });

  it('refuses a rating other than yes/no, naming the file, line and column, before any call', async () => {
    const bad = CSV.split('\n');
    bad[3] = bad[3]!.replace(',Yes,', ',maybe,');
    const baseDir = folderWith({ 'examples.csv': bad.join('\n') });
    const error = await configRejection(evaluate(options({ data: DATA, metrics: ['correctness'], examples: 'examples.csv', baseDir })));
    expect(error.message).toContain('examples.csv:4: column correctness/rating is "maybe", not yes or no');
    expect(error.where).toMatchObject({ file: join(baseDir, 'examples.csv'), line: 4, field: 'correctness/rating' });
    expect(judges.server.requests).toHaveLength(0);
  });

  it('refuses a rated example without a rationale, naming the column', async () => {
    const error = await configRejection(
      evaluate(options({ data: DATA, metrics: ['safety'], examples: [{ response: 'x', 'safety/rating': 'yes' }] })),
    );
    expect(error.where.field).toBe('examples[0].safety/rationale');
  });
});
