/**
 * README.md's table of built-in metrics is the registry's (scripts/metrics-table.ts): `npm test`
 * fails when a metric is added or changed without `npm run readme:metrics`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricsTable, withTable } from '../scripts/metrics-table.js';
import { builtInMetricNames } from '../src/metrics/builtin.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe("README's metrics table", () => {
  it('is current: `npm run check:readme` exits 0', () => {
    const check = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/metrics-table.ts', '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('has a row for every built-in metric in one unbroken table (no blank line splits it)', () => {
    const start = readme.indexOf('<!-- metrics-table:start');
    const block = readme
      .slice(readme.indexOf('\n', start) + 1, readme.indexOf('<!-- metrics-table:end -->'))
      .trimEnd()
      .split('\n');
    expect(block.every((line) => line.startsWith('|'))).toBe(true);
    const named = block.slice(2).map((line) => /^\| `([^`]+)`/.exec(line)?.[1]);
    expect(named).toEqual(builtInMetricNames());
    expect(named).toEqual(expect.arrayContaining(['toxicity', 'profanity', 'code']));
  });

  it('says what the engine says of a metric: toxicity is lower-is-better on 0–1, profanity headlines its ratio', () => {
    const rowOf = (name: string) =>
      metricsTable()
        .split('\n')
        .find((line) => line.startsWith(`| \`${name}\` |`))!
        .split(' | ');
    expect(rowOf('toxicity').slice(1, 6)).toEqual(['0–1 score', '0–1', 'lower', '`mean`', 'predictions']);
    expect(rowOf('profanity').slice(1, 5)).toEqual(['1/0', '0–1', 'lower', '`ratio`']);
    expect(rowOf('token_count')[3]).toBe('neither');
  });

  it('finds a stale table, and a README without the markers', () => {
    const stale = readme.replace('| `exact_match` | 1/0 |', '| `exact_match` | number |');
    expect(stale).not.toBe(readme);
    expect(withTable(stale, metricsTable())).toBe(readme);
    expect(() => withTable('# no table here\n', metricsTable())).toThrow(/metrics table markers/);
  });
});
