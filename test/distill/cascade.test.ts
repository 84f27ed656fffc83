/**
 * A distilled judge in use: stored by `juror distill`, scored as a metric identically after the
 * store is reopened, and first in a cascade whose unsure rows go to the (scripted) LLM judge —
 * counted at the server — in a run and in a monitor.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { distillJudge } from '../../src/distill/index.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { builtInMetric } from '../../src/metrics/builtin.js';
import { runCli } from '../cli/run-cli.js';
import { verdict } from '../fixtures/llm-server.js';
import { block, startTestServer, type TestServer } from '../server/helpers.js';
import { useJudgeServer } from '../support/judge-server.js';
import { generateRows, ruleOf } from './generated.js';

const llm = useJudgeServer();
let dir: string;
let dbPath: string;

const csv = (rows: Array<Record<string, string | number>>) =>
  [Object.keys(rows[0]!).join(','), ...rows.map((r) => Object.values(r).join(','))].join('\n') + '\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'juror-distill-'));
  dbPath = join(dir, 'juror.db');
  // A fifth of the rows name a topic of each kind and are labelled by a coin flip: the rows a
  // distilled judge should be unsure of. The rest follow the rule.
  const rows = generateRows({ rows: 1500, ambiguous: 0.2, seed: 3 }).map((r) => ({
    question: r.question,
    answer: r.answer,
    label: r.label,
  }));
  writeFileSync(join(dir, 'labelled.csv'), csv(rows));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The scripted LLM judge follows the rule, without noise, on the answer it is shown. */
const ruleJudge = () =>
  llm.server.setHandler((req) => {
    const rule = ruleOf(block(req.lastUser, 'answer') ?? '');
    return verdict(rule ?? 0, `rule says ${rule}`);
  });

const supportedJudge = {
  name: 'supported',
  judge_prompt: 'Does the answer {answer} name a supported topic? 1 if it does, 0 if not.',
  output: 'binary',
};

describe('juror distill', () => {
  it('stores a distilled version with its cross-validated report, and a second one as the next version', async () => {
    const args = [
      'distill',
      '--data',
      join(dir, 'labelled.csv'),
      '--label-col',
      'label',
      '--text-cols',
      'answer',
      '--name',
      'supported',
      '--db',
      dbPath,
    ];
    const first = await runCli([...args, '--json'], { env: {}, cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const stored = JSON.parse(first.stdout);
    expect(stored).toMatchObject({ name: 'supported', version: 'v1', kind: 'distilled' });
    expect(stored.definition.classes).toEqual([0, 1]);
    expect(stored.report.rows).toBe(1500);
    expect(stored.report.folds).toBe(5);
    // 80% of rows follow the rule, 20% are coin flips: about 90% is the most any judge can reach.
    expect(stored.report.accuracy).toBeGreaterThan(0.85);
    expect(stored.report.agreement.labels.ci.accuracy).toHaveLength(2);

    const second = await runCli(args, { env: {}, cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('distilled judge supported v2 stored (1500 rows');
    expect(second.stdout).toContain('use it: - { metric: distilled, judge: supported, version: v2 }');
  }, 120_000);

  it('names the missing column, and refuses labels it cannot read', async () => {
    const missing = await runCli(
      ['distill', '--data', join(dir, 'labelled.csv'), '--label-col', 'verdict', '--name', 'x', '--db', dbPath],
      {
        env: {},
        cwd: dir,
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("has no column 'verdict'");
    writeFileSync(join(dir, 'bad.csv'), 'answer,label\nrefund ok,1\nlottery,maybe\n');
    const bad = await runCli(['distill', '--data', join(dir, 'bad.csv'), '--label-col', 'label', '--name', 'x', '--db', dbPath], {
      env: {},
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.csv');
    expect(bad.stderr).toContain('"maybe" is not a label');
  });
});

describe('the distilled metric', () => {
  it('scores identically after the store is closed and opened again, without a provider', async () => {
    const rows = generateRows({ rows: 300, seed: 99 }).map((r) => ({ answer: r.answer }));
    const run = async () => {
      const result = await evaluate({
        data: rows,
        metrics: [builtInMetric('distilled', { judge: 'supported', version: 'v1' })],
        store: { path: dbPath },
        env: {},
      });
      return result.tables.eval_results_table.map((row) => [row['supported/v1/score'], row['supported/v1/justification']]);
    };
    const before = await run();
    const after = await run();
    expect(after).toEqual(before);
    expect(before.every(([value]) => value === 0 || value === 1)).toBe(true);
    expect(llm.server.requests).toHaveLength(0);
  });

  it('is a config error naming the versions that exist when the version is not stored', async () => {
    await expect(
      evaluate({
        data: [{ answer: 'x' }],
        metrics: [builtInMetric('distilled', { judge: 'supported', version: 'v9' })],
        store: { path: dbPath },
        env: {},
      }),
    ).rejects.toThrow(/no distilled judge supported v9.*|distilled versions of supported: v1, v2/);
  });
});

describe('the cascade', () => {
  it('sends only unsure rows to the LLM judge, says who decided each row, and reports what it saved', async () => {
    ruleJudge();
    const test = generateRows({ rows: 400, ambiguous: 0.2, seed: 1234 });
    const result = await evaluate(
      llm.options({
        data: test.map((r) => ({ answer: r.answer })),
        metrics: [
          builtInMetric('cascade', { first: { distilled: 'supported', version: 'v1' }, then: supportedJudge, min_confidence: 0.9 }),
        ],
        store: { path: dbPath },
        cache: false,
      }),
    );
    const table = result.tables.eval_results_table;
    const escalated = table.filter((row) => row['cascade/v1/decided_by'] === 'llm');
    const kept = table.filter((row) => row['cascade/v1/decided_by'] === 'distilled');
    expect(escalated.length + kept.length).toBe(400);
    // Exactly the unsure rows reached the server: one request each, and none for a kept row.
    expect(llm.server.requests).toHaveLength(escalated.length);
    const asked = new Set(llm.server.requests.map((req) => block(req.lastUser, 'answer')));
    for (const row of kept) expect(asked.has(String(test[table.indexOf(row)]!.answer))).toBe(false);
    // A minority escalates: the ambiguous fifth and a few more.
    expect(escalated.length / 400).toBeGreaterThan(0.1);
    expect(escalated.length / 400).toBeLessThan(0.5);
    // On the rows it kept, the distilled judge agrees with the (noiseless) LLM judge's rule.
    const agree = kept.filter((row) => row['cascade/v1/score'] === test[table.indexOf(row)]!.rule).length;
    expect(agree / kept.length).toBeGreaterThanOrEqual(0.95);
    expect(String(kept[0]!['cascade/v1/justification'])).toMatch(/^decided by the distilled judge supported v1: [01] with confidence 0\.9/);
    expect(String(escalated[0]!['cascade/v1/justification'])).toMatch(/^decided by the LLM judge \(the distilled judge supported v1 said/);
    expect(result.metrics['cascade/v1/escalated']).toBe(escalated.length);
    expect(result.metrics['cascade/v1/escalated_share']).toBeCloseTo(escalated.length / 400, 10);
    expect(result.metrics['cascade/v1/llm_calls_saved']).toBe(kept.length);
    const llmCost = result.metrics['cascade/v1/llm_cost_usd']!;
    expect(result.metrics['cascade/v1/cost_saved_usd']).toBeCloseTo((kept.length * llmCost) / escalated.length, 10);
    // An escalated row's value is the LLM judge's; its justification quotes the distilled judge's verdict.
    const bothAgree = escalated.filter((row) =>
      String(row['cascade/v1/justification']).includes(`said ${row['cascade/v1/score']} with`),
    ).length;
    expect(result.metrics['cascade/v1/agreement_escalated']).toBeCloseTo(bothAgree / escalated.length, 10);
  }, 60_000);

  it('places an error in the LLM judge `then` at its line in juror.yaml', async () => {
    const file = join(dir, 'bad-cascade.yaml');
    writeFileSync(
      file,
      [
        'data: labelled.csv',
        'metrics:',
        '  - exact_match',
        '  - metric: cascade',
        '    first: { distilled: supported, version: v1 }',
        '    then:',
        '      name: supported',
        '      definition: Is the answer on a supported topic?',
        '',
      ].join('\n'),
    );
    await expect(loadConfig(file)).rejects.toMatchObject({ kind: 'config', where: { field: 'metrics[1].then.grading_prompt', line: 7 } });
  });

  it('at min_confidence 0 never calls the LLM judge, and at 1 always does', async () => {
    ruleJudge();
    const data = generateRows({ rows: 40, seed: 5 }).map((r) => ({ answer: r.answer }));
    const cascade = (min_confidence: number) =>
      builtInMetric('cascade', { first: { distilled: 'supported', version: 'v1' }, then: supportedJudge, min_confidence });
    await evaluate(llm.options({ data, metrics: [cascade(0)], store: { path: dbPath }, cache: false }));
    expect(llm.server.requests).toHaveLength(0);
    await evaluate(llm.options({ data, metrics: [cascade(1)], store: { path: dbPath }, cache: false }));
    expect(llm.server.requests).toHaveLength(40);
  });
});

describe('a monitor with a cascade', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ llm: llm.server });
    // The monitor's interactions carry the answer as `response`: distil on that column.
    const rows = generateRows({ rows: 1000, ambiguous: 0.2, seed: 8 }).map((r) => ({ response: r.answer, label: r.label }));
    writeFileSync(join(dir, 'responses.csv'), csv(rows));
    await distillJudge(server.store, { file: join(dir, 'responses.csv'), labelCol: 'label' }, { name: 'on-topic' });
  }, 60_000);
  afterAll(() => server.stop());

  it('scores every interaction, escalating the unsure ones to the LLM judge', async () => {
    llm.server.setHandler((req) => verdict(ruleOf(block(req.lastUser, 'response') ?? '') ?? 0));
    const created = await server.call('POST', '/api/monitors', {
      body: {
        name: 'on-topic',
        app: 'shop',
        sample_rate: 1,
        judge_model: 'openai:/gpt-test',
        window: '1h',
        metrics: [
          {
            metric: 'cascade',
            first: { distilled: 'on-topic', version: 'v1' },
            then: { name: 'on-topic-llm', judge_prompt: 'Is {response} on a supported topic? 1 or 0.', output: 'binary' },
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    const traffic = generateRows({ rows: 60, ambiguous: 0.2, seed: 77 });
    const ingest = await server.call('POST', '/api/interactions', {
      body: {
        interactions: traffic.map((r, i) => ({
          id: `i${i}`,
          app: 'shop',
          timestamp: '2026-01-01T10:00:00Z',
          request: r.question,
          response: r.answer,
        })),
      },
    });
    expect(ingest.status).toBe(202);
    const id = created.body.id as string;
    const deadline = Date.now() + 30_000;
    while ((await server.call('GET', `/api/monitors/${id}`)).body.judged < 60) {
      if (Date.now() > deadline) throw new Error('the monitor did not judge the 60 interactions');
      await new Promise((r) => setTimeout(r, 100));
    }
    const series = await server.call(
      'GET',
      `/api/monitors/${id}/series?metric=cascade/v1&from=2026-01-01T09:00:00Z&to=2026-01-01T12:00:00Z`,
    );
    expect(series.body.points).toEqual([expect.objectContaining({ count: 60, errors: 0 })]);
    // Some interactions went to the LLM judge, most did not.
    expect(llm.server.requests.length).toBeGreaterThan(0);
    expect(llm.server.requests.length).toBeLessThan(30);
  }, 60_000);
});
