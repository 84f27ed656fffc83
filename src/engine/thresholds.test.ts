import { describe, expect, it } from 'vitest';
import { checkThresholds, parseThreshold } from './thresholds.js';
import { configError } from '../../test/support/errors.js';

const key = 'cultural_sensitivity/v1/mean';

describe('parseThreshold', () => {
  it.each([
    ['>= 3.5', '>=', 3.5],
    ['> 3', '>', 3],
    ['<= 0.1', '<=', 0.1],
    ['<0.1', '<', 0.1],
    ['== 1', '==', 1],
    ['!= 0', '!=', 0],
    ['  >=4  ', '>=', 4],
    ['>= -1', '>=', -1],
  ] as const)('parses %j', (spec, op, value) => {
    expect(parseThreshold(key, spec)).toEqual({ key, op, value });
  });

  it('reads a bare number string as "at least"', () => {
    expect(parseThreshold(key, '4')).toEqual({ key, op: '>=', value: 4 });
  });

  it('reads a number as "at least"', () => {
    expect(parseThreshold(key, 4)).toEqual({ key, op: '>=', value: 4 });
  });

  it.each(['about 3', '>>3', '=> 3', '>= three', '', '>=', '3 or more'])(
    'rejects %j with a ConfigError naming thresholds.<key>',
    (spec) => {
      const error = configError(() => parseThreshold(key, spec));
      expect(error.where.field).toBe(`thresholds.${key}`);
      expect(error.hint).toMatch(/e\.g\. ">= 3\.5".* or a bare number/);
    },
  );

  it('names the field given instead of thresholds.<key>', () => {
    expect(configError(() => parseThreshold(key, 'about 3', 'gate')).where.field).toBe('gate');
  });
});

describe('checkThresholds', () => {
  it('passes a metric that meets its threshold', () => {
    const [result] = checkThresholds([parseThreshold(key, '>= 3.5')], { [key]: 3.75 });
    expect(result).toEqual({ key, op: '>=', value: 3.5, actual: 3.75, passed: true });
  });

  it('passes a metric exactly at an inclusive threshold', () => {
    expect(checkThresholds([parseThreshold(key, '>= 3.5')], { [key]: 3.5 })[0]!.passed).toBe(true);
  });

  it('fails a metric exactly at a strict threshold', () => {
    expect(checkThresholds([parseThreshold(key, '> 3.5')], { [key]: 3.5 })[0]!.passed).toBe(false);
  });

  it('fails a metric below its threshold', () => {
    expect(checkThresholds([parseThreshold(key, '>= 3.5')], { [key]: 3.25 })[0]).toEqual({
      key,
      op: '>=',
      value: 3.5,
      actual: 3.25,
      passed: false,
    });
  });

  it.each([
    ['<= 0.1', 0.1, true],
    ['<= 0.1', 0.2, false],
    ['< 0.1', 0.05, true],
    ['< 0.1', 0.1, false],
    ['== 1', 1, true],
    ['== 1', 0.9, false],
    ['!= 0', 0.5, true],
    ['!= 0', 0, false],
  ] as const)('checks %j against %d → passed %s', (spec, actual, passed) => {
    expect(checkThresholds([parseThreshold('toxicity/v1/ratio', spec)], { 'toxicity/v1/ratio': actual })[0]!.passed).toBe(passed);
  });

  it('fails a threshold whose metric has no value (every row failed)', () => {
    const [result] = checkThresholds([parseThreshold(key, '>= 1')], { 'other/v1/mean': 5 });
    expect(result).toEqual({ key, op: '>=', value: 1, actual: undefined, passed: false });
  });

  it('fails "!=" too when the metric has no value', () => {
    expect(checkThresholds([parseThreshold(key, '!= 0')], {})[0]!.passed).toBe(false);
  });

  it('checks each threshold on its own, in order', () => {
    const results = checkThresholds([parseThreshold('a/v1/mean', '>= 3'), parseThreshold('b/v1/ratio', '< 0.1')], {
      'a/v1/mean': 4,
      'b/v1/ratio': 0.5,
    });
    expect(results.map((r) => [r.key, r.passed])).toEqual([
      ['a/v1/mean', true],
      ['b/v1/ratio', false],
    ]);
  });
});
