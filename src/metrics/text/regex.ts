/**
 * `regex`: 1 when the prediction matches a regular expression (JavaScript syntax, searched
 * anywhere in the text unless anchored), else 0. The pattern is compiled when the metric is
 * created, so a bad one is a config error before any row is read.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { Metric } from '../metric.js';
import { scored, textMetric } from './text-metric.js';

/** Flags that keep `test()` stateless: `g` and `y` would make each row start where the last match ended. */
const FLAGS = /^[dimsuv]*$/;

/** Compiles the pattern, or throws a ConfigError saying what is wrong with it. */
export function compileRegex(pattern: string, flags = ''): RegExp {
  if (!FLAGS.test(flags)) {
    throw new ConfigError(`regex flags '${flags}' are not allowed`, {
      where: { field: 'flags' },
      hint: 'use any of d, i, m, s, u, v; g and y make matching depend on the previous row',
    });
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new ConfigError(`invalid regex pattern: ${(error as Error).message}`, {
      where: { field: 'pattern' },
      hint: 'write the pattern in JavaScript regular-expression syntax',
    });
  }
}

/** Options of `regex`, as the config writes them; the pattern is checked here too, so a bad one names its field. */
export const regexOptions = z
  .strictObject({
    pattern: z.string().min(1),
    flags: z.string().default(''),
  })
  .superRefine(({ pattern, flags }, context) => {
    try {
      compileRegex(pattern, flags);
    } catch (error) {
      const field = (error as ConfigError).where.field!;
      context.addIssue({ code: 'custom', path: [field], message: (error as ConfigError).message });
    }
  });

/** `regex` as a metric. */
export function regexMetric({ pattern, flags = '' }: z.input<typeof regexOptions>): Metric {
  const compiled = compileRegex(pattern, flags);
  return textMetric({
    name: 'regex',
    greaterIsBetter: true,
    values: { kind: 'binary', range: { min: 0, max: 1 } },
    compares: false,
    score: (prediction) => scored(compiled.test(prediction) ? 1 : 0),
  });
}
