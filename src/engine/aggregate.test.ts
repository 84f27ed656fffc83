import { describe, expect, it } from 'vitest';
import { aggregate, headlineInterval, percentileOfSorted, Values, valuesInterval } from './aggregate.js';

describe('aggregate', () => {
  it('computes the mean', () => {
    // (1+2+3+4+5)/5 = 15/5 = 3
    expect(aggregate([1, 2, 3, 4, 5], ['mean'])).toEqual({ mean: 3 });
  });

  it('computes the population variance (divides by n, as numpy)', () => {
    // mean 3; squared deviations 4+1+0+1+4 = 10; 10/5 = 2 (the sample variance would be 10/4 = 2.5)
    expect(aggregate([1, 2, 3, 4, 5], ['variance'])).toEqual({ variance: 2 });
  });

  it('computes p90 by linear interpolation', () => {
    // rank 0.9*(5-1) = 3.6 → sorted[3] + 0.6*(sorted[4]-sorted[3]) = 4 + 0.6*1 = 4.6
    expect(aggregate([1, 2, 3, 4, 5], ['p90']).p90).toBeCloseTo(4.6, 12);
  });

  it('sorts before taking percentiles', () => {
    // sorted [1,2,3,4,5] as above
    expect(aggregate([5, 1, 4, 2, 3], ['p90']).p90).toBeCloseTo(4.6, 12);
  });

  it('sorts numerically, not as text', () => {
    // sorted [2, 10, 100]: rank 0.5*2 = 1 → median 10 (text order would give "100")
    expect(aggregate([100, 10, 2], ['median'])).toEqual({ median: 10 });
  });

  it('matches a hand-worked example of four scores', () => {
    // mean (3+4+5+3)/4 = 15/4 = 3.75
    // variance: deviations -0.75, 0.25, 1.25, -0.75 → 0.5625+0.0625+1.5625+0.5625 = 2.75; 2.75/4 = 0.6875
    // p90: sorted [3,3,4,5], rank 0.9*3 = 2.7 → 4 + 0.7*(5-4) = 4.7
    const result = aggregate([3, 4, 5, 3], ['mean', 'variance', 'p90']);
    expect(result.mean).toBe(3.75);
    expect(result.variance).toBe(0.6875);
    expect(result.p90).toBeCloseTo(4.7, 12);
    expect(Object.keys(result)).toEqual(['mean', 'variance', 'p90']);
  });

  it('gives a single value as every statistic, with no variance', () => {
    expect(aggregate([4], ['mean', 'variance', 'p90', 'median', 'min', 'max', 'sum'])).toEqual({
      mean: 4,
      variance: 0,
      p90: 4,
      median: 4,
      min: 4,
      max: 4,
      sum: 4,
    });
  });

  it('computes ratio as the share of values of 1', () => {
    // three 1s out of five
    expect(aggregate([1, 0, 1, 1, 0], ['ratio'])).toEqual({ ratio: 0.6 });
  });

  it('gives ratio 0 when every value is 0, and 1 when every value is 1', () => {
    expect(aggregate([0, 0], ['ratio'])).toEqual({ ratio: 0 });
    expect(aggregate([1, 1], ['ratio'])).toEqual({ ratio: 1 });
  });

  it('counts ratio from a threshold, inclusive, for probabilities (toxicity at 0.5)', () => {
    expect(aggregate([0.1, 0.5, 0.9, 0.3], ['ratio'], 0.5)).toEqual({ ratio: 0.5 });
  });

  it('gives no aggregation at all for an empty list, never NaN', () => {
    expect(aggregate([], ['mean', 'variance', 'p90', 'ratio', 'min', 'max', 'median', 'sum'])).toEqual({});
  });

  it('computes the median of an even count as the midpoint', () => {
    // sorted [1,2,3,4]: rank 0.5*3 = 1.5 → 2 + 0.5*(3-2) = 2.5
    expect(aggregate([4, 1, 3, 2], ['median'])).toEqual({ median: 2.5 });
  });

  it('computes the median of an odd count as the middle value', () => {
    expect(aggregate([9, 1, 5], ['median'])).toEqual({ median: 5 });
  });

  it('computes min, max and sum', () => {
    expect(aggregate([3, -2, 7, 0], ['min', 'max', 'sum'])).toEqual({ min: -2, max: 7, sum: 8 });
  });

  it('computes only the aggregations asked for', () => {
    expect(aggregate([1, 2, 3], [])).toEqual({});
    expect(Object.keys(aggregate([1, 2, 3], ['sum', 'mean']))).toEqual(['sum', 'mean']);
  });

  it('does not reorder the values it was given', () => {
    const values = [3, 1, 2];
    aggregate(values, ['p90', 'median']);
    expect(values).toEqual([3, 1, 2]);
  });

  it('accepts a Float64Array', () => {
    expect(aggregate(Float64Array.from([2, 4]), ['mean', 'sum'])).toEqual({ mean: 3, sum: 6 });
  });
});

describe('percentileOfSorted', () => {
  it('interpolates between the two nearest ranks', () => {
    // rank 0.25*(4-1) = 0.75 → 10 + 0.75*(20-10) = 17.5
    expect(percentileOfSorted([10, 20, 30, 40], 25)).toBe(17.5);
  });

  it('gives the ends at 0 and 100', () => {
    expect(percentileOfSorted([10, 20, 30, 40], 0)).toBe(10);
    expect(percentileOfSorted([10, 20, 30, 40], 100)).toBe(40);
  });
});

describe('Values', () => {
  it('starts empty', () => {
    const values = new Values();
    expect(values.length).toBe(0);
    expect(values.view()).toHaveLength(0);
  });

  it('keeps the values pushed, in order', () => {
    const values = new Values();
    values.push(3);
    values.push(1.5);
    values.push(-2);
    expect(values.length).toBe(3);
    expect([...values.view()]).toEqual([3, 1.5, -2]);
  });

  it('grows past its first 1024 values without losing any', () => {
    const values = new Values();
    for (let i = 0; i < 2500; i++) values.push(i);
    expect(values.length).toBe(2500);
    const view = values.view();
    expect(view).toHaveLength(2500);
    expect(view[0]).toBe(0);
    expect(view[1023]).toBe(1023);
    expect(view[1024]).toBe(1024);
    expect(view[2499]).toBe(2499);
    expect(view.every((v, i) => v === i)).toBe(true);
  });

  it('aggregates over its view', () => {
    const values = new Values();
    for (let i = 1; i <= 2000; i++) values.push(i);
    // 1+…+2000 = 2000*2001/2 = 2001000; mean 2001000/2000 = 1000.5
    expect(aggregate(values.view(), ['sum', 'mean', 'min', 'max'])).toEqual({ sum: 2001000, mean: 1000.5, min: 1, max: 2000 });
  });
});

describe('headline confidence interval (95%)', () => {
  it("is Wilson's score interval for a ratio: 16 yes of 20 → 0.584–0.919 (Newcombe 1998, method 3)", () => {
    // z² = 3.8415; centre (0.8 + 3.8415/40) / (1 + 3.8415/20) = 0.7517;
    // half 1.96·√(0.8·0.2/20 + 3.8415/1600) / 1.1921 = 0.1677
    const ci = headlineInterval({ n: 20, ratio: 0.8 }, 'ratio')!;
    expect(ci.low).toBeCloseTo(0.584, 3);
    expect(ci.high).toBeCloseTo(0.9193, 3);
    expect(ci.level).toBe(0.95);
  });

  it('stays inside 0–1 when every row is yes (the normal interval would have width 0)', () => {
    // Wilson 10/10: low = 10 / (10 + 3.8415) = 0.7225, high 1
    const ci = valuesInterval(Array(10).fill(1), 'ratio')!;
    expect(ci.low).toBeCloseTo(0.7225, 4);
    expect(ci.high).toBeCloseTo(1, 12);
  });

  it('treats the mean of 1/0 values as a share', () => {
    expect(valuesInterval([1, 1, 0, 1], 'mean', { shareOfOnes: true })).toEqual(headlineInterval({ n: 4, ratio: 0.75 }, 'ratio'));
  });

  it('is mean ± 1.96·s/√n with the sample variance otherwise: [3,4,5,3] → 2.812–4.688', () => {
    // sample variance 2.75/3 = 0.9167; s/√n = √(0.9167/4) = 0.4787; half 1.96·0.4787 = 0.9383
    const ci = valuesInterval([3, 4, 5, 3], 'mean')!;
    expect(ci.low).toBeCloseTo(2.8117, 3);
    expect(ci.high).toBeCloseTo(4.6883, 3);
  });

  it('gives the same interval from stored aggregates (population variance) as from the values', () => {
    expect(headlineInterval({ n: 4, mean: 3.75, variance: 0.6875 }, 'mean')).toEqual(valuesInterval([3, 4, 5, 3], 'mean'));
  });

  it('is clipped to the range of the scale', () => {
    expect(valuesInterval([5, 5, 5, 4], 'mean', { range: { min: 1, max: 5 } })!.high).toBe(5);
  });

  it('is null with too few rows, no variance, or a headline that is not a mean or a ratio', () => {
    expect(valuesInterval([4], 'mean')).toBeNull();
    expect(valuesInterval([], 'ratio')).toBeNull();
    expect(headlineInterval({ n: 10, mean: 3 }, 'mean')).toBeNull();
    expect(valuesInterval([1, 2, 3], 'median')).toBeNull();
  });
});
