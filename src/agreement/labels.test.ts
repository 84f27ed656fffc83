import { describe, expect, it } from 'vitest';
import { judgeLabel, readHumanLabel } from './labels.js';
import { labelScheme, negativeLabels } from './scheme.js';

const binary = labelScheme({ type: 'binary' });
const yesNo = labelScheme({ type: 'yes_no', threshold: 3 });
const scale = labelScheme({ type: 'scale', min: 1, max: 5 });
const categories = labelScheme({ type: 'categories', labels: { good: 1, bad: 0, meh: 0.5 } });

describe('labelScheme', () => {
  it('orders labels, values them and marks the negative verdicts', () => {
    expect(scale).toMatchObject({
      labels: [1, 2, 3, 4, 5],
      negative: [true, true, true, false, false],
      alphaMetric: 'interval',
      ranked: true,
    });
    expect(labelScheme({ type: 'scale', min: 1, max: 10 }, { threshold: 6 }).negative.filter(Boolean)).toHaveLength(6);
    expect(yesNo).toMatchObject({ labels: ['no', 'yes'], negative: [true, false], alphaMetric: 'nominal', ranked: false });
    expect(binary).toMatchObject({ labels: [0, 1], negative: [true, false] });
    expect(categories).toMatchObject({ labels: ['bad', 'meh', 'good'], values: [0, 0.5, 1], ordered: true });
    expect(negativeLabels(categories)).toEqual(['bad']);
    expect(negativeLabels(labelScheme({ type: 'categories', labels: { good: 1, bad: 0, meh: 0.5 } }, { threshold: 0.5 }))).toEqual([
      'bad',
      'meh',
    ]);
    expect(labelScheme({ type: 'categories', labels: { a: 1, b: 1, c: 0 } }).ordered).toBe(false);
  });
});

describe('readHumanLabel', () => {
  it('reads 1/0, yes/no, true/false, pass/fail for binary and yes/no judges', () => {
    for (const cell of [1, '1', 'yes', 'YES', 'true', true, 'Pass', ' 1.0 ']) {
      expect(readHumanLabel(binary, cell)).toEqual({ label: 1 });
      expect(readHumanLabel(yesNo, cell)).toEqual({ label: 'yes' });
    }
    for (const cell of [0, '0', 'no', 'False', false, 'FAIL', 0n]) {
      expect(readHumanLabel(binary, cell)).toEqual({ label: 0 });
      expect(readHumanLabel(yesNo, cell)).toEqual({ label: 'no' });
    }
    expect(readHumanLabel(binary, 'maybe')).toEqual({ error: '"maybe" is not a 1/0 label (use 1/0, yes/no, true/false or pass/fail)' });
    expect(readHumanLabel(binary, 2)).toHaveProperty('error');
  });

  it('reads integers within the scale', () => {
    expect(readHumanLabel(scale, '4')).toEqual({ label: 4 });
    expect(readHumanLabel(scale, 5)).toEqual({ label: 5 });
    expect(readHumanLabel(scale, '3.5')).toEqual({ error: '"3.5" is not an integer from 1 to 5' });
    expect(readHumanLabel(scale, 7)).toHaveProperty('error');
    expect(readHumanLabel(scale, 'four')).toHaveProperty('error');
  });

  it('reads a category by name (any case) or by its unique score', () => {
    expect(readHumanLabel(categories, 'Good')).toEqual({ label: 'good' });
    expect(readHumanLabel(categories, 0.5)).toEqual({ label: 'meh' });
    expect(readHumanLabel(categories, 'great')).toHaveProperty('error');
  });

  it('treats empty cells as missing, and objects as errors', () => {
    for (const cell of [null, undefined, '', '  ']) expect(readHumanLabel(scale, cell)).toEqual({ missing: true });
    expect(readHumanLabel(scale, { a: 1 })).toHaveProperty('error');
  });
});

describe('judgeLabel', () => {
  it("reads the judge's value (1/0, the score) or, for categories, its label; null is missing", () => {
    expect(judgeLabel(yesNo, 1, 'yes')).toEqual({ label: 'yes' });
    expect(judgeLabel(binary, 0, undefined)).toEqual({ label: 0 });
    expect(judgeLabel(scale, 4, undefined)).toEqual({ label: 4 });
    expect(judgeLabel(categories, 0.5, 'meh')).toEqual({ label: 'meh' });
    expect(judgeLabel(scale, null, undefined)).toEqual({ missing: true });
    expect(judgeLabel(scale, 0.5, undefined)).toHaveProperty('error');
  });
});
