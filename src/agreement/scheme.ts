/**
 * The label scheme of a judge's output kind: which labels its verdicts take, in what order, what
 * each is worth, and which are negative verdicts (the positive class of precision/recall/F1).
 */
import type { OutputKind } from '../judges/definition.js';
import type { LabelScheme } from './compare.js';

/** The default threshold for scales: a score ≤ 3 is a negative verdict. */
export const DEFAULT_NEGATIVE_THRESHOLD = 3;

/**
 * The scheme of an output kind:
 * - `scale` (min..max): the integers in order; negative when ≤ `threshold` (default 3); Spearman,
 *   Kendall and weighted κ apply; Krippendorff's α uses the interval difference (c − k)², the usual
 *   choice for rating scales treated as equally spaced (ordinal α is also implemented).
 * - `yes_no`: labels `no`, `yes` (the judge's value 0/1); negative `no`; α nominal.
 * - `binary`: labels 0, 1; negative 0; α nominal.
 * - `categories`: the labels in ascending order of their scores; negative the lowest-scored
 *   label(s), or those scored ≤ `threshold` when one is given; α nominal; weighted κ only when the
 *   scores are distinct (they then order the labels).
 */
export function labelScheme(output: OutputKind, options: { threshold?: number } = {}): LabelScheme {
  switch (output.type) {
    case 'scale': {
      const threshold = options.threshold ?? DEFAULT_NEGATIVE_THRESHOLD;
      const labels = Array.from({ length: output.max - output.min + 1 }, (_, i) => output.min + i);
      return {
        kind: 'scale',
        labels,
        values: labels,
        negative: labels.map((v) => v <= threshold),
        ordered: true,
        ranked: true,
        alphaMetric: 'interval',
      };
    }
    case 'yes_no':
      return {
        kind: 'yes_no',
        labels: ['no', 'yes'],
        values: [0, 1],
        negative: [true, false],
        ordered: true,
        ranked: false,
        alphaMetric: 'nominal',
      };
    case 'binary':
      return {
        kind: 'binary',
        labels: [0, 1],
        values: [0, 1],
        negative: [true, false],
        ordered: true,
        ranked: false,
        alphaMetric: 'nominal',
      };
    case 'categories': {
      const entries = Object.entries(output.labels).sort((a, b) => a[1] - b[1]);
      const values = entries.map(([, v]) => v);
      const lowest = values[0]!;
      const threshold = options.threshold;
      return {
        kind: 'categories',
        labels: entries.map(([label]) => label),
        values,
        negative: values.map((v) => (threshold === undefined ? v === lowest : v <= threshold)),
        ordered: new Set(values).size === values.length,
        ranked: false,
        alphaMetric: 'nominal',
      };
    }
  }
}

/** The negative labels of a scheme, for reports. */
export function negativeLabels(scheme: LabelScheme): Array<string | number> {
  return scheme.labels.filter((_, i) => scheme.negative[i]);
}
