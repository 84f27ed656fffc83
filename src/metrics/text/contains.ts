/**
 * `contains`: 1 when the prediction contains the given text — or, with a list, all of them
 * (`all: true`, the default) or any of them (`all: false`) — else 0. Case is ignored unless
 * `case_sensitive: true`; matching is by plain substring, not by word.
 */
import { z } from 'zod';
import type { Metric } from '../metric.js';
import { scored, textMetric } from './text-metric.js';

/** Options of `contains`, as the config writes them. */
export const containsOptions = z.strictObject({
  value: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  case_sensitive: z.boolean().default(false),
  all: z.boolean().default(true),
});

/** `contains` as a metric. */
export function containsMetric({ value, case_sensitive = false, all = true }: z.input<typeof containsOptions>): Metric {
  const fold = (text: string) => (case_sensitive ? text : text.toLowerCase());
  const needles = (typeof value === 'string' ? [value] : value).map(fold);
  return textMetric({
    name: 'contains',
    greaterIsBetter: true,
    values: { kind: 'binary', range: { min: 0, max: 1 } },
    compares: false,
    score: (prediction) => {
      const haystack = fold(prediction);
      const found = (needle: string) => haystack.includes(needle);
      return scored((all ? needles.every(found) : needles.some(found)) ? 1 : 0);
    },
  });
}
