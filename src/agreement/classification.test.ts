import { describe, expect, it } from 'vitest';
import { f1, flagCounts, precision, recall } from './classification.js';
import type { ContingencyTable } from './table.js';

// Labels [0, 1]; 0 is the negative verdict, the positive class here. Rows human, columns judge.
const NEGATIVE = [true, false];

describe('precision, recall and F1 with the negative verdict as the positive class', () => {
  it('work on a tiny confusion matrix by hand', () => {
    // human 0 / judge 0: 3 (TP), human 0 / judge 1: 2 (FN), human 1 / judge 0: 1 (FP), human 1 / judge 1: 4 (TN).
    // precision = 3/(3+1) = 0.75, recall = 3/(3+2) = 0.6, F1 = 2·3/(6+1+2) = 2/3 (= 2·0.75·0.6/1.35).
    const t: ContingencyTable = {
      counts: [
        [3, 2],
        [1, 4],
      ],
      n: 10,
    };
    const c = flagCounts(t, NEGATIVE);
    expect(c).toEqual({ truePositive: 3, falseNegative: 2, falsePositive: 1, trueNegative: 4 });
    expect(precision(c).value).toBe(0.75);
    expect(recall(c).value).toBe(0.6);
    expect(f1(c).value).toBeCloseTo(2 / 3, 14);
  });

  it('collapse a scale by the negative mask (scores ≤ 3 negative)', () => {
    // 1–5 labels; human 2 / judge 4 is a miss (FN), human 5 / judge 1 a false flag (FP).
    const counts = [1, 2, 3, 4, 5].map(() => [0, 0, 0, 0, 0]);
    counts[1]![3] = 1;
    counts[4]![0] = 1;
    counts[0]![0] = 2;
    const c = flagCounts({ counts, n: 4 }, [true, true, true, false, false]);
    expect(c).toEqual({ truePositive: 2, falseNegative: 1, falsePositive: 1, trueNegative: 0 });
  });

  it('precision is null when the judge flags nothing; F1 is then 0 if the human flagged something', () => {
    const c = flagCounts(
      {
        counts: [
          [0, 3],
          [0, 5],
        ],
        n: 8,
      },
      NEGATIVE,
    );
    expect(precision(c).value).toBeNull();
    expect(precision(c).reason).toMatch(/judge gave no negative/);
    expect(recall(c).value).toBe(0);
    expect(f1(c).value).toBe(0);
  });

  it('recall is null when the human flags nothing; F1 is null when nobody flags anything', () => {
    const none = flagCounts(
      {
        counts: [
          [0, 0],
          [0, 5],
        ],
        n: 5,
      },
      NEGATIVE,
    );
    expect(recall(none).value).toBeNull();
    expect(f1(none).value).toBeNull();
    expect(f1(none).reason).toMatch(/neither/);
  });
});
