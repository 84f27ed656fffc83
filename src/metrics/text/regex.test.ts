import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric, MetricOutcome } from '../metric.js';
import { regexMetric } from './regex.js';

const chatFor = () => {
  throw new Error('no judge');
};

function run(metric: Metric, prediction: unknown): Promise<MetricOutcome> | MetricOutcome {
  return metric.prepare({ columns: new Columns({ columns: ['predictions'], hasModel: false }), chatFor })({
    index: 0,
    record: { predictions: prediction },
  });
}

describe('regex', () => {
  it('is 1 when the pattern matches anywhere in the prediction', async () => {
    const metric = builtInMetric('regex', { pattern: '\\d{3}-\\d{4}' });
    expect(await run(metric, 'call 555-1234 now')).toEqual({ ok: true, value: 1 });
    expect(await run(metric, 'call me')).toEqual({ ok: true, value: 0 });
    expect(await run(metric, '')).toEqual({ ok: true, value: 0 });
  });

  it('takes flags', async () => {
    expect(await run(builtInMetric('regex', { pattern: '^yes$', flags: 'im' }), 'Well\nYES\n')).toEqual({ ok: true, value: 1 });
    expect(await run(builtInMetric('regex', { pattern: '^yes$' }), 'Well\nYES\n')).toEqual({ ok: true, value: 0 });
    expect(await run(builtInMetric('regex', { pattern: 'a.b', flags: 's' }), 'a\nb')).toEqual({ ok: true, value: 1 });
  });

  it('matches Unicode with the u flag', async () => {
    expect(await run(builtInMetric('regex', { pattern: '^\\p{Script=Han}+$', flags: 'u' }), '東京')).toEqual({ ok: true, value: 1 });
    expect(await run(builtInMetric('regex', { pattern: '^.$', flags: 'u' }), '😀')).toEqual({ ok: true, value: 1 });
  });

  it('gives every row the same answer (no g/y state carried between rows)', async () => {
    const score = regexMetric({ pattern: 'a' }).prepare({ columns: new Columns({ columns: ['predictions'], hasModel: false }), chatFor });
    for (let i = 0; i < 3; i++) expect(await score({ index: i, record: { predictions: 'aaa' } })).toEqual({ ok: true, value: 1 });
  });

  it('searches a 100k-word text', async () => {
    expect(await run(builtInMetric('regex', { pattern: 'needle' }), `${'hay '.repeat(100_000)}needle`)).toEqual({ ok: true, value: 1 });
  });

  it('makes an invalid pattern a config error naming the field, at creation', () => {
    expect(() => builtInMetric('regex', { pattern: '(unclosed' })).toThrow(ConfigError);
    try {
      builtInMetric('regex', { pattern: '(unclosed' }, 'metrics[2]');
    } catch (error) {
      expect((error as ConfigError).where.field).toBe('metrics[2].pattern');
      expect((error as ConfigError).message).toContain('invalid regex pattern');
    }
    expect(() => regexMetric({ pattern: '[' })).toThrow(ConfigError);
  });

  it('refuses stateful flags and missing patterns', () => {
    expect(() => builtInMetric('regex', { pattern: 'a', flags: 'g' })).toThrow("regex flags 'g' are not allowed");
    expect(() => builtInMetric('regex', { pattern: 'a', flags: 'x' })).toThrow(ConfigError);
    expect(() => builtInMetric('regex', {})).toThrow(ConfigError);
    expect(() => builtInMetric('regex')).toThrow(ConfigError);
  });
});
