import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import { latency } from './latency.js';

const chatFor = () => {
  throw new Error('no judge');
};

describe('latency', () => {
  it("is the model under test's answer time in seconds", async () => {
    const score = latency.prepare({ columns: new Columns({ columns: ['question'], hasModel: true }), chatFor });
    expect(await score({ index: 0, record: { question: 'q' }, outputs: 'a', latencyMs: 1500 })).toEqual({ ok: true, value: 1.5 });
    expect(await score({ index: 1, record: { question: 'q' }, outputs: 'a', latencyMs: 0 })).toEqual({ ok: true, value: 0 });
  });

  it('is an error for a row whose latency was not recorded', async () => {
    const score = latency.prepare({ columns: new Columns({ columns: ['question'], hasModel: true }), chatFor });
    expect(await score({ index: 0, record: { question: 'q' }, outputs: 'a' })).toEqual({
      ok: false,
      error: 'no latency was recorded for this row',
    });
  });

  it('is a config error without a model under test, even when the data has predictions', () => {
    const columns = new Columns({ columns: ['predictions'], hasModel: false });
    expect(() => latency.prepare({ columns, chatFor })).toThrow(ConfigError);
    expect(() => latency.prepare({ columns, chatFor })).toThrow('latency needs a model under test');
  });

  it('is registered, lower is better, and takes no options', () => {
    expect(builtInMetric('latency')).toMatchObject({ name: 'latency', version: 'v1', greaterIsBetter: false });
    expect(() => builtInMetric('latency', { unit: 'ms' })).toThrow("metric 'latency' takes no options");
  });
});
