/**
 * Precision, recall and F1 of the judge against the human labels, with the NEGATIVE verdict ("no",
 * 0, a low score) as the positive class: an evaluation judge is there to find bad outputs, so
 * "precision" is the share of the judge's flags that the human also flagged, and "recall" the share
 * of the human's flags the judge caught.
 */
import { ratio, type Statistic } from './statistic.js';
import { requirePairs, type ContingencyTable } from './table.js';

/** The 2 × 2 counts of "flagged as negative" by the human (truth) and the judge (prediction). */
export interface FlagCounts {
  /** Both flagged the row. */
  truePositive: number;
  /** The judge flagged a row the human did not. */
  falsePositive: number;
  /** The human flagged a row the judge did not. */
  falseNegative: number;
  /** Neither flagged the row. */
  trueNegative: number;
}

/** Collapses a table to flag counts; `negative[i]` says whether label i is a negative verdict. */
export function flagCounts(table: ContingencyTable, negative: readonly boolean[]): FlagCounts {
  requirePairs(table);
  const counts: FlagCounts = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
  table.counts.forEach((row, i) =>
    row.forEach((count, j) => {
      const human = negative[i]!;
      const judge = negative[j]!;
      if (human && judge) counts.truePositive += count;
      else if (judge) counts.falsePositive += count;
      else if (human) counts.falseNegative += count;
      else counts.trueNegative += count;
    }),
  );
  return counts;
}

/**
 * Precision = TP / (TP + FP). Undefined (null) when the judge flagged nothing (scikit-learn's
 * `zero_division=np.nan`; its default reports 0 with a warning, which would read as "every flag
 * wrong").
 */
export function precision(c: FlagCounts): Statistic {
  return ratio(c.truePositive, c.truePositive + c.falsePositive, 'the judge gave no negative verdict, so precision is 0/0');
}

/** Recall = TP / (TP + FN). Undefined (null) when the human flagged nothing. */
export function recall(c: FlagCounts): Statistic {
  return ratio(c.truePositive, c.truePositive + c.falseNegative, 'the human labels have no negative verdict, so recall is 0/0');
}

/**
 * F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall written without them, so
 * it is defined (0) when one of them is 0/0 but the other side flagged something. Undefined (null)
 * only when neither rater flagged any row (TP + FP + FN = 0): the formula and the case are
 * scikit-learn's `f1_score` since 1.4 (scikit-learn#27577), which reports 0.0 there by default.
 */
export function f1(c: FlagCounts): Statistic {
  return ratio(
    2 * c.truePositive,
    2 * c.truePositive + c.falsePositive + c.falseNegative,
    'neither the human nor the judge gave a negative verdict, so F1 is 0/0',
  );
}
