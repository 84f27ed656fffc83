import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric, MetricOutcome } from '../metric.js';

const chatFor = () => {
  throw new Error('no judge');
};

function run(metric: Metric, prediction: unknown): Promise<MetricOutcome> | MetricOutcome {
  return metric.prepare({ columns: new Columns({ columns: ['predictions'], hasModel: false }), chatFor })({
    index: 0,
    record: { predictions: prediction },
  });
}

describe('contains', () => {
  it('ignores case by default', async () => {
    const metric = builtInMetric('contains', { value: 'Paris' });
    expect(await run(metric, 'The capital is PARIS.')).toEqual({ ok: true, value: 1 });
    expect(await run(metric, 'The capital is Lyon.')).toEqual({ ok: true, value: 0 });
    expect(await run(metric, '')).toEqual({ ok: true, value: 0 });
  });

  it('respects case when asked', async () => {
    const metric = builtInMetric('contains', { value: 'Paris', case_sensitive: true });
    expect(await run(metric, 'paris')).toEqual({ ok: true, value: 0 });
    expect(await run(metric, 'Paris')).toEqual({ ok: true, value: 1 });
  });

  it('needs all of a list by default, any of it with all: false', async () => {
    const all = builtInMetric('contains', { value: ['red', 'blue'] });
    const any = builtInMetric('contains', { value: ['red', 'blue'], all: false });
    expect(await run(all, 'red and blue')).toEqual({ ok: true, value: 1 });
    expect(await run(all, 'only red')).toEqual({ ok: true, value: 0 });
    expect(await run(any, 'only red')).toEqual({ ok: true, value: 1 });
    expect(await run(any, 'green')).toEqual({ ok: true, value: 0 });
  });

  it('matches substrings, punctuation, newlines and Unicode', async () => {
    expect(await run(builtInMetric('contains', { value: 'cat' }), 'concatenate')).toEqual({ ok: true, value: 1 });
    expect(await run(builtInMetric('contains', { value: '?!' }), 'what?!')).toEqual({ ok: true, value: 1 });
    expect(await run(builtInMetric('contains', { value: 'a\nb' }), 'xa\nby')).toEqual({ ok: true, value: 1 });
    expect(await run(builtInMetric('contains', { value: 'CAFÉ' }), 'un café')).toEqual({ ok: true, value: 1 });
    expect(await run(builtInMetric('contains', { value: '東京' }), '東京都')).toEqual({ ok: true, value: 1 });
  });

  it('finds a value at the end of a 100k-word text', async () => {
    expect(await run(builtInMetric('contains', { value: 'needle' }), `${'hay '.repeat(100_000)}Needle`)).toEqual({ ok: true, value: 1 });
  });

  it('needs a non-empty value', () => {
    expect(() => builtInMetric('contains', {})).toThrow(ConfigError);
    expect(() => builtInMetric('contains', { value: '' })).toThrow(ConfigError);
    expect(() => builtInMetric('contains', { value: [] })).toThrow(ConfigError);
    expect(() => builtInMetric('contains', { value: 'a', any: true })).toThrow(ConfigError);
  });
});
