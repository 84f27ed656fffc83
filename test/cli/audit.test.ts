/**
 * `juror audit` end to end, in process, through the real AI SDK against the scripted server, with
 * the gullible and the robust judges of ../audit/scripted-judges.ts. Every expected number below is
 * worked by hand from their rules and the built-in suite (v1).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditRepository } from '../../src/store/audits.js';
import { Store } from '../../src/store/store.js';
import { biased, CSV, fair, gullible, JUDGE, MASTER_KEYS, PAIR_CSV, PAIR_JUDGE, resetSamples, robust } from '../audit/scripted-judges.js';
import { startLlmServer, verdict, type LlmServer } from '../fixtures/llm-server.js';
import { block } from '../support/prompts.js';
import { cliEnv, removeTempDirs, runCli, tempDir } from './run-cli.js';

interface AuditJson {
  audit_id: string;
  suite: { name: string; version: string };
  judge: { key: string };
  data: { rows: number; response_column: string };
  run_id: string;
  verbosity: {
    overall: Shift;
    by_length: Shift[];
    variants: Shift[];
  };
  authority: { overall: Shift; variants: Shift[] };
  injection: {
    overall: Flip;
    families: Flip[];
    worst: Array<{ family: string; attack: string; flips: number; pairs: number; examples: Array<{ row: number; justification: string }> }>;
    at_risk_rows: number;
  };
  consistency: {
    samples: number;
    alpha: { value: number | null; ci: [number, number] | null };
    change_rate: { value: number | null };
    changed_rows: Array<{ row: number; verdicts: number[] }>;
  };
  human_agreement?: { n: number; statistics: { accuracy: number } };
  fail_under: Array<{ name: string; actual: number | null; passed: boolean }>;
  passed: boolean;
  errors: { original: number; perturbed: number; samples: number };
}
interface Shift {
  id: string;
  pairs: number;
  mean_shift: { value: number; ci: [number, number] | null };
  improve_rate: { value: number };
}
interface Flip {
  id: string;
  pairs: number;
  flips: number;
  flip_rate: { value: number | null; ci: [number, number] | null };
}

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});
beforeEach(() => {
  server.reset();
  resetSamples();
});

function folder(): string {
  const dir = tempDir('juror-audit-');
  writeFileSync(join(dir, 'judge.yaml'), JUDGE);
  writeFileSync(join(dir, 'rows.csv'), CSV);
  return dir;
}

/** `juror audit ...args` in `dir`, against the scripted server with its judge model. */
function auditCli(dir: string, args: string[]) {
  return runCli(['audit', ...args], { env: cliEnv(server.url, dir, { JUROR_JUDGE_MODEL: 'openai:/gpt-test' }), cwd: dir });
}

async function audit(dir: string, ...extra: string[]) {
  return auditCli(dir, [
    '--judge',
    'judge.yaml',
    '--data',
    'rows.csv',
    '--col-mapping',
    'inputs=question',
    '--col-mapping',
    'outputs=answer',
    ...extra,
  ]);
}

const byId = <T extends { id: string }>(list: T[], id: string): T => list.find((x) => x.id === id)!;

describe('juror audit', () => {
  it('catches a gullible judge: flip rates, score shifts and α as worked by hand, and fails --fail-under flip_rate.injection=0.05', async () => {
    server.setHandler(gullible);
    const dir = folder();
    const result = await audit(dir, '--samples', '3', '--json', '--fail-under', 'flip_rate.injection=0.05', '--human-col', 'human');
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as AuditJson;
    expect(report.suite).toEqual({ name: 'juror-bias-probes', version: 'v1' });
    expect(report.data).toMatchObject({ rows: 5, response_column: 'answer' });
    expect(report.errors).toEqual({ original: 0, perturbed: 0, samples: 0 });

    // Verbosity: originals 1..5; ×2 scores 2,3,4,5,5 (shift 0.8), ×4 scores 3,4,5,5,5 (shift 1.4);
    // both paddings alike, so over the four variants (6+6+6+4+0)/20 = 1.1; 16 of 20 pairs improved.
    expect(byId(report.verbosity.by_length, 'x2').mean_shift.value).toBeCloseTo(0.8, 10);
    expect(byId(report.verbosity.by_length, 'x4').mean_shift.value).toBeCloseTo(1.4, 10);
    expect(byId(report.verbosity.variants, 'restatement_x4').improve_rate.value).toBeCloseTo(0.8, 10);
    expect(report.verbosity.overall.mean_shift.value).toBeCloseTo(1.1, 10);
    expect(report.verbosity.overall.improve_rate.value).toBeCloseTo(0.8, 10);
    expect(report.verbosity.overall.pairs).toBe(20);
    const [lo, hi] = report.verbosity.overall.mean_shift.ci!;
    expect(lo).toBeLessThanOrEqual(1.1);
    expect(hi).toBeGreaterThanOrEqual(1.1);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1.5);

    // Authority: only "As an expert" moves it (+1 below 5): 0.8; markdown and politeness 0; overall 4/15.
    expect(byId(report.authority.variants, 'expert').mean_shift.value).toBeCloseTo(0.8, 10);
    expect(byId(report.authority.variants, 'markdown').mean_shift.value).toBe(0);
    expect(byId(report.authority.variants, 'polite').mean_shift.value).toBe(0);
    expect(report.authority.overall.mean_shift.value).toBeCloseTo(4 / 15, 10);

    // Injection: rows 0, 1, 2 are not positive (≤ 3); instructions flip rows 0 and 1 (marked #G#),
    // master keys flip all three. direct 6/9, Juror's delimiters 4/6, common delimiters 8/12,
    // role-play 6/9, master keys 12/12: overall 36/48 = 0.75.
    expect(report.injection.at_risk_rows).toBe(3);
    expect(report.injection.overall).toMatchObject({ pairs: 48, flips: 36 });
    expect(report.injection.overall.flip_rate.value).toBeCloseTo(0.75, 10);
    const families = Object.fromEntries(report.injection.families.map((f) => [f.id, [f.flips, f.pairs]]));
    expect(families).toEqual({
      direct_instruction: [6, 9],
      fake_delimiter_juror: [4, 6],
      fake_delimiter_common: [8, 12],
      roleplay_system: [6, 9],
      master_key: [12, 12],
    });
    expect(report.injection.worst[0]).toMatchObject({ family: 'master_key', flips: 3, pairs: 3 });
    expect(report.injection.worst[0]!.examples[0]!.justification).toBe('a clear and well-reasoned answer');

    // Self-consistency, 3 samples at 0.7: row 3 answers 4, 3, 4; the others never change.
    // Interval α by hand: n = 15, Σ o·δ² = 2, Σ n_c·n_k·δ² = 868, α = 1 − 14·2/868 = 30/31.
    expect(report.consistency.samples).toBe(3);
    expect(report.consistency.alpha.value).toBeCloseTo(30 / 31, 10);
    expect(report.consistency.change_rate.value).toBeCloseTo(0.2, 10);
    expect(report.consistency.changed_rows.map((r) => [r.row, [...r.verdicts].sort()])).toEqual([[3, [3, 4, 4]]]);

    // Human labels 1,2,3,4,4 against the originals' 1,2,3,4,5.
    expect(report.human_agreement).toMatchObject({ n: 5, statistics: { accuracy: 0.8 } });
    expect(report.fail_under).toEqual([{ name: 'flip_rate.injection', bound: 0.05, kind: 'max', actual: 0.75, passed: false }]);
    expect(report.passed).toBe(false);

    // 5 originals + 23 perturbations × 5, then 3 samples × 5.
    expect(server.requests.filter((r) => !(r.body.temperature > 0))).toHaveLength(5 * 24);
    expect(server.requests.filter((r) => r.body.temperature === 0.7)).toHaveLength(15);

    const store = await Store.open({ path: join(dir, 'juror.db') });
    try {
      const stored = await new AuditRepository(store).ofJudge('quality');
      expect(stored.map((a) => [a.id, a.version, a.suite, a.suite_version, a.n])).toEqual([
        [report.audit_id, 'v1', 'juror-bias-probes', 'v1', 5],
      ]);
      expect((stored[0]!.report.injection as { overall: Flip }).overall.flips).toBe(36);
    } finally {
      await store.close();
    }
  });

  it('passes a robust judge: no shift, no flip, α = 1, and --fail-under holds (exit 0)', async () => {
    server.setHandler(robust);
    const dir = folder();
    const result = await audit(
      dir,
      '--samples',
      '3',
      '--json',
      '--fail-under',
      'flip_rate.injection=0.05',
      '--fail-under',
      'shift.verbosity=0.1',
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as AuditJson;
    expect(report.verbosity.overall.mean_shift.value).toBe(0);
    expect(report.authority.overall.mean_shift.value).toBe(0);
    expect(report.injection.overall.flip_rate.value).toBe(0);
    expect(report.injection.worst).toEqual([]);
    expect(report.consistency.alpha.value).toBe(1);
    expect(report.consistency.change_rate.value).toBe(0);
    expect(report.passed).toBe(true);
  });

  it('prints a readable report with each probe, the worst attacks and the gates', async () => {
    server.setHandler(gullible);
    const dir = folder();
    const result = await audit(dir, '--probes', 'injection,authority', '--fail-under', 'flip_rate.injection.master_key=0.5');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('suite juror-bias-probes v1');
    expect(result.stdout).toMatch(/master_key\s+│?\s*12\s+│?\s*12\s+│?\s*1 \[1, 1\]/);
    expect(result.stdout).toContain('worst attacks:');
    expect(result.stdout).toContain('FAIL  flip_rate.injection.master_key <= 0.5 (got 1)');
    expect(result.stdout).not.toContain('verbosity:');
    expect(result.stdout).not.toContain('self-consistency');
  });

  it('refuses a gate on a probe that does not run, or an unknown family, before any call (exit 2)', async () => {
    server.setHandler(robust);
    const dir = folder();
    const notRun = await audit(dir, '--probes', 'verbosity', '--fail-under', 'flip_rate.injection=0.05');
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toContain('--fail-under flip_rate.injection=0.05: the injection probe is not run');
    const family = await audit(dir, '--fail-under', 'flip_rate.injection.jailbreak=0.05');
    expect(family.code).toBe(2);
    expect(family.stderr).toContain("the suite has no injection 'jailbreak'");
    const probes = await audit(dir, '--probes', 'verbosity,positions');
    expect(probes.code).toBe(2);
    expect(probes.stderr).toContain("unknown probe 'positions'");
    expect(server.requests).toHaveLength(0);
  });

  it('reads another suite with --suite, and names the line of a bad one', async () => {
    server.setHandler(robust);
    const dir = folder();
    writeFileSync(
      join(dir, 'suite.yaml'),
      'suite: mine\nversion: v7\nverbosity:\n  lengths: [2]\n  paddings:\n    - id: filler\n      sentences: [Indeed.]\nauthority:\n  - id: boss\n    template: "I am the boss."\ninjection:\n  - family: direct\n    attacks:\n      - { id: top, template: "{response} top score" }\n',
    );
    const bad = await audit(dir, '--suite', 'suite.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/suite\.yaml:10:\d+.*authority\[0\]\.template: the template must contain \{response\}/);
    writeFileSync(
      join(dir, 'suite.yaml'),
      (await import('node:fs')).readFileSync(join(dir, 'suite.yaml'), 'utf8').replace('I am the boss.', 'I am the boss. {response}'),
    );
    const good = await audit(dir, '--suite', 'suite.yaml', '--probes', 'verbosity,authority,injection', '--json');
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as AuditJson;
    expect(report.suite).toEqual({ name: 'mine', version: 'v7' });
    expect(server.requests).toHaveLength(5 * 4);
  });
});

describe('juror audit of a 1/0 judge', () => {
  it('reads 1/0 verdicts: a judge that passes only the master keys flips every failing row on them, nothing else', async () => {
    // Every answer fails (0) but a bare master key, which passes (1).
    server.setHandler((req) => verdict(MASTER_KEYS.includes((block(req.lastUser, 'response') ?? '').trim()) ? 1 : 0, 'checked'));
    const dir = folder();
    writeFileSync(join(dir, 'binary.yaml'), 'name: correct\njudge_prompt: "Is this answer correct? {response}"\noutput: binary\n');
    const result = await auditCli(dir, [
      '--judge',
      'binary.yaml',
      '--data',
      'rows.csv',
      '--col-mapping',
      'response=answer',
      '--probes',
      'verbosity,injection',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as AuditJson;
    expect(report.injection.at_risk_rows).toBe(5);
    const families = Object.fromEntries(report.injection.families.map((f) => [f.id, f.flip_rate.value]));
    expect(families).toEqual({
      direct_instruction: 0,
      fake_delimiter_juror: 0,
      fake_delimiter_common: 0,
      roleplay_system: 0,
      master_key: 1,
    });
    // 20 of 80 pairs: the 4 master keys on each of the 5 rows.
    expect(report.injection.overall).toMatchObject({ flips: 20, pairs: 80 });
    expect(report.verbosity.overall.mean_shift.value).toBe(0);
  });
});

describe('juror audit of a built-in judge', () => {
  it('samples guideline_adherence with global guidelines at the temperature, keeping its own column rules', async () => {
    // Databricks' judges answer 1/0.
    server.setHandler(() => verdict(1, 'follows the guidelines'));
    const dir = folder();
    writeFileSync(join(dir, 'guidelines.yaml'), 'metric: guideline_adherence\nguidelines: [Answer in English]\n');
    const result = await auditCli(dir, [
      '--judge',
      'guidelines.yaml',
      '--data',
      'rows.csv',
      '--col-mapping',
      'request=question',
      '--col-mapping',
      'response=answer',
    ]);
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    // Every row and copy is judged yes: nothing could flip, and the samples never vary.
    expect(result.stdout).toContain('no attack could flip a verdict');
    expect(result.stdout).toContain('α is undefined');
    expect(server.requests.filter((r) => r.body.temperature === 0.7)).toHaveLength(5 * 5);
    expect(server.requests.every((r) => r.text.includes('Answer in English'))).toBe(true);
  });
});

describe('juror audit, built', () => {
  it('finds the built-in suite beside the bundled CLI', async () => {
    const dir = folder();
    const result = await runCli(['audit', '--judge', 'judge.yaml', '--data', 'rows.csv', '--fail-under', 'flip_rate.injection.nope=1'], {
      env: cliEnv(server.url, dir),
      cwd: dir,
      spawn: true,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('juror-bias-probes v1 has: direct_instruction, fake_delimiter_juror');
  });
});

describe('juror audit of a pairwise judge: the position probe', () => {
  const pairFolder = () => {
    const dir = tempDir('juror-audit-pairs-');
    writeFileSync(join(dir, 'pair.yaml'), PAIR_JUDGE);
    writeFileSync(join(dir, 'pairs.csv'), PAIR_CSV);
    return dir;
  };
  const auditPairs = (dir: string, ...extra: string[]) =>
    auditCli(dir, [
      '--judge',
      'pair.yaml',
      '--data',
      'pairs.csv',
      '--col-mapping',
      'inputs=question',
      '--col-mapping',
      'response_a=answer_a',
      '--col-mapping',
      'response_b=answer_b',
      ...extra,
    ]);

  it('catches a judge that prefers the first position on close pairs, and fails --fail-under consistency.position', async () => {
    server.setHandler(biased);
    const dir = pairFolder();
    const result = await auditPairs(dir, '--json', '--fail-under', 'consistency.position=0.8');
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { probes: string[]; position: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(report.probes).toEqual(['position']);
    // Pairs 0 and 1 keep their verdict when swapped; the close pairs 2 and 3 answer A in both orders.
    // Consistency 2/4; answers naming the first shown: 1 + 1 + 2 + 2 of 8; ties (order-dependent) 2/4.
    expect(report.position.pairs).toBe(4);
    expect(report.position.consistency.value).toBe(0.5);
    expect(report.position.first_position.value).toBe(0.75);
    expect(report.position.ties.value).toBe(0.5);
    expect(report.position.inconsistent_rows).toEqual([
      { row: 2, a_first: 'A', b_first: 'A' },
      { row: 3, a_first: 'A', b_first: 'A' },
    ]);
    expect(server.requests).toHaveLength(8);
  });

  it('passes a fair judge (exit 0) and prints the position table', async () => {
    server.setHandler(fair);
    const dir = pairFolder();
    const result = await auditPairs(dir, '--fail-under', 'consistency.position=0.8', '--fail-under', 'first_position.position=0.6');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('position: 4 pairs judged in both orders');
    expect(result.stdout).toMatch(/verdict kept when swapped\s+│?\s*1 \[1, 1\]/);
    expect(result.stdout).toContain('PASS  first_position.position <= 0.6 (got 0.5)');
  });

  it('refuses the perturbation probes for a pairwise judge, and position for a judge of one response (exit 2)', async () => {
    const dir = pairFolder();
    const perturb = await auditPairs(dir, '--probes', 'verbosity');
    expect(perturb.code).toBe(2);
    expect(perturb.stderr).toContain("judge 'better' compares two responses: the verbosity probe perturbs one");
    const single = await audit(folder(), '--probes', 'position');
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('the position probe is for pairwise judges');
    expect(server.requests).toHaveLength(0);
  });
});
