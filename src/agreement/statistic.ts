/**
 * A statistic's value, or why it has none. Agreement statistics are ratios that can be 0/0 on
 * degenerate data (one label throughout, a constant rater); such a value is `null` with a reason
 * for the report, never a silent NaN.
 */
export type Statistic = { value: number; reason?: undefined } | { value: null; reason: string };

/** A defined value. */
export function valueOf(value: number): Statistic {
  return { value };
}

/** No value, and why. */
export function undefinedBecause(reason: string): Statistic {
  return { value: null, reason };
}

/** `numerator / denominator`, or no value (with `reason`) when the denominator is 0. */
export function ratio(numerator: number, denominator: number, reason: string): Statistic {
  return denominator === 0 ? undefinedBecause(reason) : valueOf(numerator / denominator);
}
