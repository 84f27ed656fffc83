/**
 * Juries and samples (issue #14 §4) end to end against the scripted server: each model of a jury
 * and each sample is answered apart, and the row's value, its spread and the run's agreement are
 * checked against values worked by hand from the scripted verdicts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { krippendorffAlpha } from '../src/agreement/krippendorff-alpha.js';
import { evaluate, importDataset, LabelJobs, makeGenaiMetricFromPrompt, Store, type PromptJudgeOptions } from '../src/index.js';
import { intervalAlpha, type Panel } from '../src/judges/jury.js';
import { judgeFromConfig } from '../src/judges/serialize.js';
import { ConfigError } from '../src/errors.js';
import { byModel, verdict, type ChatRequest, type Handler } from './fixtures/llm-server.js';
import { useJudgeServer } from './support/judge-server.js';
import { cliEnv, removeTempDirs, runCli, writeConfig } from './cli/run-cli.js';
import { startTestServer, STORES } from './server/helpers.js';
import { describeMetric } from '../src/engine/metric-info.js';
import { judgeMetric } from '../src/metrics/judge-metric.js';
import { builtInMetric } from '../src/metrics/builtin.js';

const judge = useJudgeServer();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'juror-jury-'));
});
afterAll(() => removeTempDirs());

/** Rows r0, r1, … whose response names the row, so that a handler can answer each row its own way. */
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ response: `answer of row r${i}` }));
const rowOf = (req: ChatRequest) => Number(/row r(\d+)/.exec(req.lastUser)![1]);

/** A handler giving, per row, the score scripted for it. */
const scores =
  (byRow: Array<number | string>): Handler =>
  (req) =>
    verdict(byRow[rowOf(req)]!, `row ${rowOf(req)}`);

const JURY = ['openai:/judge-a', 'openai:/judge-b', 'openai:/judge-c'];

function promptJudge(options: Partial<PromptJudgeOptions>) {
  return makeGenaiMetricFromPrompt({ name: 'correct', judgePrompt: 'Is this correct? {response}', ...options });
}

const panelOf = (result: Awaited<ReturnType<typeof evaluate>>, i: number, key = 'correct/v1') =>
  result.tables.eval_results_table[i]![`${key}/spread`];

describe('a jury of three models', () => {
  it('takes the majority of 1/0 votes per row, keeps each spread, and reports α across the models', async () => {
    // r0: 1 1 1 · r1: 1 0 1 · r2: 0 0 0 · r3: 0 1 1
    judge.server.setHandler(byModel({ 'judge-a': scores([1, 1, 0, 0]), 'judge-b': scores([1, 0, 0, 1]), 'judge-c': scores([1, 1, 0, 1]) }));
    const result = await evaluate(
      judge.options({
        data: rows(4),
        metrics: [promptJudge({ models: JURY, output: { type: 'binary' } })],
        thresholds: { 'correct/v1/jury_alpha': '>= 0.5', 'correct/v1/jury_disagreement': '<= 0.5' },
      }),
    );
    expect(judge.server.requests).toHaveLength(12);
    expect(result.thresholds.map((t) => [t.key, t.passed])).toEqual([
      ['correct/v1/jury_alpha', false],
      ['correct/v1/jury_disagreement', true],
    ]);
    expect(new Set(judge.server.requests.map((r) => r.model))).toEqual(new Set(['judge-a', 'judge-b', 'judge-c']));
    const table = result.tables.eval_results_table;
    expect(table.map((r) => r['correct/v1/score'])).toEqual([1, 1, 0, 1]);
    // Share of the three verdicts that differ from the majority.
    expect(table.map((_, i) => panelOf(result, i))).toEqual([0, 1 / 3, 0, 1 / 3]);
    expect(result.metrics['correct/v1/mean']).toBe(0.75);
    expect(result.metrics['correct/v1/ratio']).toBe(0.75);
    // Coincidences (each unit of 3 adds 1/2 per ordered pair): o00 = 3, o01 = o10 = 2, o11 = 5; n0 = 5,
    // n1 = 7, n = 12; α = 1 − (n − 1)(o01 + o10) / (2 n0 n1) = 1 − 11 · 4 / 70 = 13/35.
    expect(result.metrics['correct/v1/jury_alpha']).toBeCloseTo(13 / 35, 12);
    expect(result.metrics['correct/v1/jury_disagreement']).toBe(0.5);
    expect(table[1]!['correct/v1/justification']).toContain('openai:/judge-b: 0 — row 1');
  });

  it('takes the mean or the median of scale scores, with their standard deviation as the spread', async () => {
    // r0: 5 4 1 · r1: 2 2 5
    judge.server.setHandler(byModel({ 'judge-a': scores([5, 2]), 'judge-b': scores([4, 2]), 'judge-c': scores([1, 5]) }));
    const mean = promptJudge({ models: JURY });
    const median = promptJudge({ name: 'correct_median', models: JURY, aggregate: 'median' });
    const result = await evaluate(judge.options({ data: rows(2), metrics: [mean, median] }));
    const table = result.tables.eval_results_table;
    expect(table[0]!['correct/v1/score']).toBeCloseTo(10 / 3, 12);
    expect(table[1]!['correct/v1/score']).toBe(3);
    expect(table[0]!['correct_median/v1/score']).toBe(4);
    expect(table[1]!['correct_median/v1/score']).toBe(2);
    // r0: deviations from 10/3 are 5/3, 2/3, −7/3: variance 78/27.
    expect(panelOf(result, 0)).toBeCloseTo(Math.sqrt(78 / 27), 12);
    // Interval α: n = 6, Σv = 19, Σv² = 75, D_e ∝ 2(6·75 − 19²) = 178; within units 26 + 18 = 44;
    // α = 1 − 5 · 44 / 178.
    expect(result.metrics['correct/v1/jury_alpha']).toBeCloseTo(1 - 220 / 178, 12);
    expect(result.metrics['correct/v1/jury_disagreement']).toBe(1);
  });

  it('makes a tied vote an error row naming the split, with the verdicts kept', async () => {
    judge.server.setHandler(byModel({ 'judge-a': () => verdict(1), 'judge-b': () => verdict(0) }));
    const result = await evaluate(
      judge.options({
        data: rows(1),
        metrics: [promptJudge({ models: ['openai:/judge-a', 'openai:/judge-b'], output: { type: 'binary' } })],
      }),
    );
    expect(result.errors['correct/v1']).toBe(1);
    expect(result.tables.eval_results_table[0]!['correct/v1/error']).toBe(
      'no majority: 1 said 1, 1 said 0 (use an odd number of models or samples)',
    );
  });

  it('makes a row whose member gave no usable answer an error row naming the member', async () => {
    judge.server.setHandler(byModel({ 'judge-a': () => verdict(1), 'judge-b': () => ({ text: 'no idea' }), 'judge-c': () => verdict(1) }));
    const result = await evaluate(judge.options({ data: rows(1), metrics: [promptJudge({ models: JURY, output: { type: 'binary' } })] }));
    expect(result.tables.eval_results_table[0]!['correct/v1/error']).toMatch(/^openai:\/judge-b: unusable answer after a re-ask/);
  });

  it('stores each verdict with the row, and a resumed run counts them in α again', async () => {
    judge.server.setHandler(byModel({ 'judge-a': scores([1, 1, 0, 0]), 'judge-b': scores([1, 0, 0, 1]), 'judge-c': scores([1, 1, 0, 1]) }));
    const store = await Store.open({ path: join(dir, 'jury.db') });
    try {
      const metrics = [promptJudge({ models: JURY, output: { type: 'binary' } })];
      const first = await evaluate(judge.options({ data: rows(4), metrics, store }));
      const results = await store.results(first.runId, { from: 1, to: 1 });
      const panel = JSON.parse(results[0]!.panel!) as Panel;
      expect(panel).toMatchObject({ kind: 'jury', aggregate: 'majority', level: 'nominal', spread: 1 / 3 });
      expect(panel.members).toEqual([
        { name: 'openai:/judge-a', value: 1 },
        { name: 'openai:/judge-b', value: 0 },
        { name: 'openai:/judge-c', value: 1 },
      ]);
      expect(panel.verdicts.map((v) => [v.model, v.value, v.justification])).toEqual([
        ['openai:/judge-a', 1, 'row 1'],
        ['openai:/judge-b', 0, 'row 1'],
        ['openai:/judge-c', 1, 'row 1'],
      ]);
      const resumed = await evaluate(judge.options({ data: rows(4), metrics, store, resume: first.runId }));
      expect(resumed.metrics['correct/v1/jury_alpha']).toBeCloseTo(13 / 35, 12);
      // The table read back from the store has the spread too.
      expect(resumed.tables.eval_results_table.map((r) => r['correct/v1/spread'])).toEqual([0, 1 / 3, 0, 1 / 3]);
    } finally {
      await store.close();
    }
  });
});

describe('samples', () => {
  /** Answers the n-th call for a row with the n-th scripted score of that row (calls of a row arrive in any order). */
  function sequences(byRow: Array<Array<number>>): Handler {
    const calls = new Map<number, number>();
    return (req) => {
      const row = rowOf(req);
      const n = calls.get(row) ?? 0;
      calls.set(row, n + 1);
      return verdict(byRow[row]![n]!, `row ${row} call ${n}`);
    };
  }

  it('k=5 on a scale: the mean per row, the standard deviation as spread, α across samples', async () => {
    judge.server.setHandler(
      sequences([
        [5, 4, 4, 3, 4],
        [2, 2, 3, 2, 1],
      ]),
    );
    const result = await evaluate(
      judge.options({ data: rows(2), metrics: [promptJudge({ samples: 5, parameters: { temperature: 0.7 } })] }),
    );
    expect(judge.server.requests).toHaveLength(10);
    expect(judge.server.requests.every((r) => r.body.temperature === 0.7)).toBe(true);
    const table = result.tables.eval_results_table;
    expect(table.map((r) => r['correct/v1/score'])).toEqual([4, 2]);
    // Both rows: squared deviations 1 + 0 + 0 + 1 + 0 over 5.
    expect(panelOf(result, 0)).toBeCloseTo(Math.sqrt(0.4), 12);
    expect(panelOf(result, 1)).toBeCloseTo(Math.sqrt(0.4), 12);
    // α depends on each row's values only: n = 10, Σv = 30, Σv² = 104, D_e ∝ 2(1040 − 900) = 280;
    // within rows 2(5·82 − 400)/4 + 2(5·22 − 100)/4 = 10; α = 1 − 9 · 10 / 280.
    expect(result.metrics['correct/v1/samples_alpha']).toBeCloseTo(1 - 90 / 280, 12);
    expect(result.metrics['correct/v1/samples_disagreement']).toBe(1);
  });

  it('k=5 on 1/0: the majority per row and the share of samples disagreeing', async () => {
    judge.server.setHandler(
      sequences([
        [1, 1, 0, 1, 0],
        [0, 0, 0, 0, 0],
      ]),
    );
    const result = await evaluate(
      judge.options({
        data: rows(2),
        metrics: [promptJudge({ samples: 5, parameters: { temperature: 1 }, output: { type: 'binary' } })],
      }),
    );
    const table = result.tables.eval_results_table;
    expect(table.map((r) => r['correct/v1/score'])).toEqual([1, 0]);
    expect(table.map((_, i) => panelOf(result, i))).toEqual([0.4, 0]);
    expect(result.metrics['correct/v1/samples_disagreement']).toBe(0.5);
  });

  it('asks each sample apart from the cache: a second run replays the five, not one answer five times', async () => {
    judge.server.setHandler(sequences([[5, 4, 4, 3, 4, 1, 1, 1, 1, 1]]));
    const store = await Store.open({ path: join(dir, 'samples.db') });
    try {
      const metrics = [promptJudge({ samples: 5, parameters: { temperature: 0.7 } })];
      const first = await evaluate(judge.options({ data: rows(1), metrics, store }));
      const second = await evaluate(judge.options({ data: rows(1), metrics, store }));
      expect(judge.server.requests).toHaveLength(5);
      expect(second.calls.cached).toBe(5);
      expect(second.metrics['correct/v1/mean']).toBe(first.metrics['correct/v1/mean']);
      expect(first.metrics['correct/v1/mean']).toBe(4);
      // Samples are named after the run's judge model, which the judge uses.
      const panel = JSON.parse((await store.results(first.runId, { from: 0, to: 0 }))[0]!.panel!) as Panel;
      expect(panel.members.map((m) => m.name)).toEqual([1, 2, 3, 4, 5].map((s) => `openai:/gpt-test sample ${s}`));
    } finally {
      await store.close();
    }
  });

  it('refuses samples at temperature 0 before any call: exit 2 at the line of the field, with the fix', async () => {
    const { dir: folder, config } = writeConfig(
      undefined,
      [
        'data: rows.csv',
        'judge_model: openai:/gpt-test',
        'metrics:',
        '  - name: correct',
        '    judge_prompt: "Is this correct? {response}"',
        '    samples: 3',
        '',
      ].join('\n'),
      { 'rows.csv': 'response\nfine\n' },
    );
    const cli = await runCli(['eval', config], { env: cliEnv(judge.server.url, folder), cwd: folder });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('samples: 3 at temperature 0 would ask for the same answer 3 times');
    expect(cli.stderr).toMatch(/juror\.yaml:6/);
    expect(cli.stderr).toContain('set parameters.temperature above 0');
    expect(judge.server.requests).toHaveLength(0);
  });
});

describe('judge fields in YAML form', () => {
  const base = { name: 'correct', judge_prompt: 'Is this correct? {response}' };
  const fieldOf = (entry: Record<string, unknown>) => {
    try {
      judgeFromConfig({ ...base, ...entry }, 'metrics[0]');
    } catch (error) {
      if (error instanceof ConfigError) return { field: error.where.field, message: error.message, hint: error.hint };
      throw error;
    }
    return undefined;
  };

  it('round-trips models, aggregate, samples and scoring', () => {
    const made = judgeFromConfig({ ...base, models: JURY, aggregate: 'median', output: 'scale' });
    expect(made).toMatchObject({ models: JURY, aggregate: 'median' });
    const sampled = judgeFromConfig({ ...base, samples: 5, parameters: { temperature: 0.7 } });
    expect(sampled).toMatchObject({ samples: 5, aggregate: 'mean' });
    const scored = judgeFromConfig({ ...base, scoring: 'logprobs' });
    expect(scored.scoring).toBe('logprobs');
    expect(scored.aggregate).toBeUndefined();
  });

  it('names the field of each mistake', () => {
    expect(fieldOf({ model: 'openai:/a', models: JURY })).toMatchObject({ field: 'metrics[0].models', hint: /not both/ });
    expect(fieldOf({ models: ['openai:/a'] })).toMatchObject({ field: 'metrics[0].models', hint: /model:/ });
    expect(fieldOf({ models: ['openai:/a', 'openai:/a'] })).toMatchObject({ field: 'metrics[0].models' });
    expect(fieldOf({ models: JURY, output: 'binary', aggregate: 'mean' })).toMatchObject({
      field: 'metrics[0].aggregate',
      hint: 'use aggregate: majority',
    });
    expect(fieldOf({ aggregate: 'mean' })).toMatchObject({ field: 'metrics[0].aggregate' });
    expect(fieldOf({ models: JURY, scoring: 'logprobs', aggregate: 'majority' })).toMatchObject({
      field: 'metrics[0].aggregate',
      hint: 'use aggregate: mean or median',
    });
    expect(fieldOf({ samples: 5 })).toMatchObject({ field: 'metrics[0].samples', hint: /temperature above 0/ });
    expect(fieldOf({ samples: 0 })).toMatchObject({ field: 'metrics[0].samples' });
    expect(fieldOf({ scoring: 'logprobs', output: { categories: { good: 1, bad: 0 } } })).toMatchObject({ field: 'metrics[0].scoring' });
    expect(fieldOf({ scoring: 'logprobs', samples: 3, parameters: { temperature: 1 } })).toMatchObject({
      field: 'metrics[0].scoring',
      hint: /choose one/,
    });
    expect(fieldOf({ scoring: 'logprobs', output: { scale: [0, 100] } })).toMatchObject({ field: 'metrics[0].scoring' });
    expect(fieldOf({ scoring: 'probabilities' })).toMatchObject({ field: 'metrics[0].scoring' });
  });
});

describe('interval α in one pass', () => {
  it('equals the coincidence-matrix α on small data, with missing values', () => {
    const units = [
      [5, 4, 1],
      [2, 2, 5],
      [3, null, 3],
      [1, 2, null],
      [4, 4, 4],
    ];
    expect(intervalAlpha(units)).toBeCloseTo(krippendorffAlpha(units, 'interval').value!, 12);
    expect(
      intervalAlpha([
        [2, 2],
        [2, 2],
      ]),
    ).toBeNull();
  });
});

describe.each(STORES.map(([name]) => name))('the results API over %s', (storeKind) => {
  it("serves a row's panel: each model's verdict, the members α compares, the spread", async () => {
    judge.server.setHandler(byModel({ 'judge-a': scores([1, 1]), 'judge-b': scores([1, 0]), 'judge-c': scores([1, 1]) }));
    const server = await startTestServer({ storeKind });
    try {
      const run = await evaluate(
        judge.options({ data: rows(2), metrics: [promptJudge({ models: JURY, output: { type: 'binary' } })], store: server.store }),
      );
      const { status, body } = await server.call('GET', `/api/runs/${run.runId}/results/1`);
      expect(status, JSON.stringify(body)).toBe(200);
      const result = body.results.find((r: { metric: string }) => r.metric === 'correct/v1');
      expect(result).toMatchObject({ value: 1, panel: { kind: 'jury', aggregate: 'majority', level: 'nominal', spread: 1 / 3 } });
      expect(result.panel.verdicts.map((v: { model: string; value: number }) => [v.model, v.value])).toEqual([
        ['openai:/judge-a', 1],
        ['openai:/judge-b', 0],
        ['openai:/judge-c', 1],
      ]);
      const { body: run0 } = await server.call('GET', `/api/runs/${run.runId}`);
      expect(JSON.stringify(run0)).toContain('correct/v1/jury_disagreement');
    } finally {
      await server.stop();
    }
  });
});

describe('metric info of panels', () => {
  it('has no discrete values for a mean of scores, and a logprob yes/no judge is a share', () => {
    expect(describeMetric(judgeMetric(promptJudge({}))).discrete).toEqual([1, 2, 3, 4, 5]);
    expect(describeMetric(judgeMetric(promptJudge({ models: JURY }))).discrete).toBeNull();
    expect(describeMetric(judgeMetric(promptJudge({ models: JURY, aggregate: 'majority' }))).discrete).toEqual([1, 2, 3, 4, 5]);
    const yesNo = describeMetric(judgeMetric(promptJudge({ scoring: 'logprobs', metricMetadata: { score_threshold: 3 } })));
    expect(yesNo).toMatchObject({ kind: 'share', discrete: null, range: { min: 0, max: 1 } });
  });
});

describe("a label job's least sure rows", () => {
  it('are, for a jury, the rows its models disagree on, each with what every model said', async () => {
    const store = await Store.open({ path: join(dir, 'label.db') });
    const engine = new LabelJobs({
      store,
      dataDir: join(dir, 'datasets'),
      env: { OPENAI_BASE_URL: judge.server.url, OPENAI_API_KEY: 'test' },
    });
    try {
      const file = join(dir, 'answers.csv');
      writeFileSync(file, 'response\n' + Array.from({ length: 8 }, (_, i) => `answer of row r${i}`).join('\n') + '\n');
      const dataset = await importDataset(engine.datasets, file, engine.dataDir);
      // judge-b says 0 on odd rows, where judge-a and judge-c say 1.
      const odd = (req: ChatRequest) => verdict(1 - (rowOf(req) % 2), `row ${rowOf(req)}`);
      judge.server.setHandler(() => verdict(1));
      const job = await engine.create({
        datasetId: dataset.id,
        prompt: 'Is this right? {response}',
        output: 'binary',
        model: 'openai:/gpt-test',
        sampleSize: 2,
        name: 'right',
        review: true,
      });
      expect((await engine.wait(job.id)).status).toBe('awaiting_review');
      const single = await store.judges.get((await engine.get(job.id)).judge_id!);
      const { model: _model, ...rest } = single;
      const juryId = await store.judges.save({ ...rest, version: 'v1-jury', models: JURY, aggregate: 'majority' });
      await engine.jobs.update(job.id, { judge_id: juryId });
      judge.server.reset();
      judge.server.setHandler(byModel({ 'judge-a': () => verdict(1), 'judge-b': odd, 'judge-c': () => verdict(1) }));

      const report = await engine.uncertain(job.id);
      const candidates = Array.from({ length: 8 }, (_, i) => i).filter((row) => !job.sample.includes(row));
      expect(report).toMatchObject({ candidates: candidates.length, k: 3, calls: candidates.length * 3 });
      expect(new Set(judge.server.requests.map((r) => r.model))).toEqual(new Set(['judge-a', 'judge-b', 'judge-c']));
      expect(report.rows.map((r) => r.row)).toEqual(candidates.filter((row) => row % 2 === 1));
      expect(report.rows[0]).toMatchObject({
        reason: 'openai:/judge-a said 1, openai:/judge-b said 0, openai:/judge-c said 1',
        disagreement: 1 / 3,
      });
    } finally {
      await engine.shutdown();
      await store.close();
    }
  });
});

describe('built-in judges', () => {
  it('take models, aggregate, samples and scoring as any judge does', async () => {
    judge.server.setHandler(byModel({ 'judge-a': () => verdict(5), 'judge-b': () => verdict(4), 'judge-c': () => verdict(3) }));
    const relevance = builtInMetric('answer_relevance', { models: JURY }, 'metrics[0]');
    const result = await evaluate(judge.options({ data: [{ inputs: 'What is 2+2?', outputs: '4' }], metrics: [relevance] }));
    expect(result.tables.eval_results_table[0]!['answer_relevance/v1/score']).toBe(4);
    expect(result.metrics['answer_relevance/v1/jury_disagreement']).toBe(1);
    expect(() => builtInMetric('answer_relevance', { samples: 3 }, 'metrics[0]')).toThrow(/temperature 0/);
  });
});

describe('a jury from juror.yaml', () => {
  it('runs from the CLI, whose summary prints the jury’s agreement, and a dry run counts every call', async () => {
    const correct = byModel({ 'judge-a': scores([1, 1, 0]), 'judge-b': scores([1, 0, 0]), 'judge-c': scores([1, 1, 1]) });
    const helpful = byModel({ 'judge-a': scores([5, 4, 3]), 'judge-b': scores([4, 4, 4]) });
    judge.server.setHandler((req) => (req.lastUser.startsWith('How helpful') ? helpful(req) : correct(req)));
    const { dir: folder, config } = writeConfig(
      undefined,
      [
        'data: rows.csv',
        'metrics:',
        '  - name: correct',
        '    judge_prompt: "Is this correct? {response}"',
        '    output: binary',
        `    models: [${JURY.join(', ')}]`,
        '  - name: helpful',
        '    judge_prompt: "How helpful is {response}?"',
        '    models: [openai:/judge-a, openai:/judge-b]',
        '    samples: 2',
        '    parameters: { temperature: 0.5 }',
        '',
      ].join('\n'),
      { 'rows.csv': 'response\n' + [0, 1, 2].map((i) => `answer of row r${i}`).join('\n') + '\n' },
    );
    const env = cliEnv(judge.server.url, folder);
    const dry = await runCli(['eval', config, '--dry-run', '--json'], { env, cwd: folder });
    expect(dry.code, dry.stderr).toBe(0);
    // 3 rows × (3 models + 2 models × 2 samples).
    const estimates = (JSON.parse(dry.stdout) as { estimates: Array<{ name: string; calls: number }> }).estimates;
    expect(estimates.map((e) => [e.name, e.calls])).toEqual([
      ['correct/v1', 9],
      ['helpful/v1', 12],
    ]);
    expect(judge.server.requests).toHaveLength(0);
    const cli = await runCli(['eval', config], { env, cwd: folder });
    expect(cli.code, cli.stderr).toBe(0);
    expect(judge.server.requests).toHaveLength(21);
    expect(cli.stdout).toMatch(/│ jury_alpha │ jury_disagreement │/);
    // correct: units (1,1,1), (1,0,1), (0,0,1): o00 = 1, o01 = o10 = 2, o11 = 4, n0 = 3, n1 = 6: α = 1 − 8·4/36 = 1/9.
    expect(cli.stdout).toMatch(/│ correct\/v1 │.*│ 0\.1111 +│ 0\.6667 +│/);
    // helpful: each model's value is its two samples' mean, (5,4), (4,4), (3,4): α = 1 − 5·4/24 = 1/6.
    expect(cli.stdout).toMatch(/│ helpful\/v1 │.*│ 0\.1667 +│ 0\.6667 +│/);
  });
});

describe('a RETRIEVAL jury', () => {
  it("averages each model's precision over the chunks, keeping every model's per-chunk verdicts", async () => {
    // judge-a finds both chunks relevant (precision 1), judge-b the first only (precision 0.5).
    const relevant = (yes: (chunk: string) => boolean) => (req: ChatRequest) => verdict(yes(req.lastUser) ? 5 : 1);
    judge.server.setHandler(byModel({ 'judge-a': relevant(() => true), 'judge-b': relevant((text) => text.includes('chunk one')) }));
    const store = await Store.open({ path: join(dir, 'retrieval.db') });
    try {
      const result = await evaluate(
        judge.options({
          data: [{ request: 'q', retrieved_context: JSON.stringify(['chunk one', 'chunk two']) }],
          metrics: [
            promptJudge({
              judgePrompt: 'Is {retrieved_context} relevant to {request}?',
              metricMetadata: { assessment_type: 'RETRIEVAL' },
              models: ['openai:/judge-a', 'openai:/judge-b'],
            }),
          ],
          store,
        }),
      );
      expect(judge.server.requests).toHaveLength(4);
      expect(result.tables.eval_results_table[0]!['correct/v1/score']).toBe(0.75);
      const panel = JSON.parse((await store.results(result.runId, { from: 0, to: 0 }))[0]!.panel!) as Panel;
      expect(panel).toMatchObject({ kind: 'jury', aggregate: 'mean', level: 'interval', spread: 0.25 });
      expect(panel.verdicts.map((v) => [v.model, v.score, v.chunks?.map((c) => c.value)])).toEqual([
        ['openai:/judge-a', '2/2', [1, 1]],
        ['openai:/judge-b', '1/2', [1, 0]],
      ]);
    } finally {
      await store.close();
    }
  });
});
