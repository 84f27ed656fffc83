/**
 * Paired comparisons of two runs scored on the same rows: the difference of means with a paired
 * bootstrap interval (rows resampled with both values, as bootstrap.ts), the Wilcoxon signed-rank
 * test for scales and numbers, and McNemar's test for 1/0 values.
 *
 * Wilcoxon follows scipy.stats.wilcoxon's defaults for zeros (`zero_method='wilcox'`: zero
 * differences are dropped before ranking) and R's `wilcox.test` for the rest: the exact null
 * distribution when fewer than 50 differences remain and none of their magnitudes tie (and no zero
 * was dropped), else the normal approximation with the tie correction of the variance and a
 * continuity correction of 0.5. McNemar follows R's `mcnemar.test` (chi-square with continuity
 * correction, 1 df) and, when fewer than 25 pairs disagree, the exact binomial test (statsmodels'
 * `mcnemar(exact=True)`): two-sided p = min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½).
 */
import { bootstrapIntervals, type BootstrapOptions } from './bootstrap.js';

/** The paired difference of means, B − A, with its bootstrap interval. */
export interface PairedDifference {
  n: number;
  meanA: number;
  meanB: number;
  /** mean(B) − mean(A), which equals the mean of the per-row differences. */
  difference: number;
  /** The 95% (by default) percentile interval of the difference over resampled rows. */
  interval: [number, number];
}

/** A paired test's outcome. */
export interface PairedTest {
  test: 'wilcoxon' | 'mcnemar';
  /** Wilcoxon: min(W+, W−); McNemar: the chi-square statistic, or the smaller discordant count when exact. */
  statistic: number;
  /** Two-sided p-value; 1 when every pair is equal (nothing to test). */
  p: number;
  /** `exact` or `normal` (Wilcoxon), `exact` or `chi-square` (McNemar). */
  method: 'exact' | 'normal' | 'chi-square';
  /** Pairs that took part: Wilcoxon's non-zero differences, McNemar's discordant pairs. */
  informative: number;
}

/** Below this many non-zero differences (and without ties), Wilcoxon's p is exact (R's rule). */
const WILCOXON_EXACT_BELOW = 50;
/** Below this many discordant pairs, McNemar's p is the exact binomial one. */
const MCNEMAR_EXACT_BELOW = 25;

/**
 * The difference of means of paired values with a paired-bootstrap interval (seeded: the same seed
 * gives the same interval).
 * @example pairedDifference([3, 4, 2], [4, 4, 5], { seed: 1 }).difference // 4/3
 */
export function pairedDifference(a: readonly number[], b: readonly number[], options: BootstrapOptions = {}): PairedDifference {
  checkPairs(a, b);
  const n = a.length;
  const d = a.map((x, i) => b[i]! - x);
  const { difference } = bootstrapIntervals(
    n,
    ['difference'],
    (rows) => {
      let sum = 0;
      for (const r of rows) sum += d[r]!;
      return { difference: sum / rows.length };
    },
    options,
  );
  return { n, meanA: mean(a), meanB: mean(b), difference: mean(d), interval: difference.interval! };
}

/**
 * The Wilcoxon signed-rank test of paired values (two-sided), on the differences b − a.
 * @example wilcoxonSignedRank(a, b).p
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): PairedTest {
  checkPairs(a, b);
  return wilcoxonOfDifferences(a.map((x, i) => b[i]! - x));
}

/** {@link wilcoxonSignedRank} of differences already taken. */
export function wilcoxonOfDifferences(differences: readonly number[]): PairedTest {
  const nonZero = differences.filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return { test: 'wilcoxon', statistic: 0, p: 1, method: 'exact', informative: 0 };
  const ranks = averageRanksOf(nonZero.map(Math.abs));
  let plus = 0;
  for (let i = 0; i < n; i++) if (nonZero[i]! > 0) plus += ranks.ranks[i]!;
  const minus = (n * (n + 1)) / 2 - plus;
  const statistic = Math.min(plus, minus);
  const zerosDropped = nonZero.length !== differences.length;
  if (n < WILCOXON_EXACT_BELOW && !ranks.tied && !zerosDropped) {
    return { test: 'wilcoxon', statistic, p: Math.min(1, 2 * signedRankCdf(n, statistic)), method: 'exact', informative: n };
  }
  const expected = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - ranks.tieSum / 48;
  if (variance <= 0) return { test: 'wilcoxon', statistic, p: 1, method: 'normal', informative: n };
  const shift = plus - expected;
  const z = (shift - Math.sign(shift) * 0.5) / Math.sqrt(variance);
  return { test: 'wilcoxon', statistic, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))), method: 'normal', informative: n };
}

/**
 * McNemar's test of paired 1/0 values: does the share of 1s differ between A and B?
 * @example mcnemar([1, 1, 0], [0, 1, 1]).p
 */
export function mcnemar(a: readonly number[], b: readonly number[]): PairedTest {
  checkPairs(a, b);
  let onlyA = 0;
  let onlyB = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    if ((x !== 0 && x !== 1) || (y !== 0 && y !== 1)) throw new RangeError(`McNemar's test needs 1/0 values; row ${i} has ${x} and ${y}`);
    if (x === 1 && y === 0) onlyA++;
    if (x === 0 && y === 1) onlyB++;
  });
  return mcnemarOfCounts(onlyA, onlyB);
}

/** McNemar's test from the discordant counts: `b` pairs with A = 1, B = 0, and `c` with A = 0, B = 1. */
export function mcnemarOfCounts(b: number, c: number): PairedTest {
  const informative = b + c;
  if (informative === 0) return { test: 'mcnemar', statistic: 0, p: 1, method: 'exact', informative };
  if (informative < MCNEMAR_EXACT_BELOW) {
    const k = Math.min(b, c);
    return { test: 'mcnemar', statistic: k, p: Math.min(1, 2 * binomialHalfCdf(informative, k)), method: 'exact', informative };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / informative;
  // A chi-square with 1 df is the square of a standard normal: P(χ² > x) = 2·P(Z > √x).
  return { test: 'mcnemar', statistic, p: Math.min(1, 2 * normalUpperTail(Math.sqrt(statistic))), method: 'chi-square', informative };
}

/**
 * P(W ≤ w) for the signed-rank statistic of n untied ranks under the null hypothesis: each of the
 * 2^n sign assignments is equally likely; counts of each rank sum by dynamic programming.
 */
function signedRankCdf(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s]! += counts[s - k]!;
  }
  let below = 0;
  for (let s = 0; s <= Math.floor(w); s++) below += counts[s]!;
  return below / 2 ** n;
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 2 ** -n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/**
 * P(Z > x) for a standard normal Z, x ≥ 0: Hart's (1968) double-precision rational approximation
 * as given by G. West, "Better approximations to cumulative normal functions" (2005), with a
 * continued fraction in the far tail (beyond 7.07); relative error below 1e-8.
 */
export function normalUpperTail(x: number): number {
  if (x < 0) return 1 - normalUpperTail(-x);
  if (x > 37) return 0;
  const e = Math.exp((-x * x) / 2);
  if (x < 7.07106781186547) {
    let num = 3.52624965998911e-2 * x + 0.700383064443688;
    num = num * x + 6.37396220353165;
    num = num * x + 33.912866078383;
    num = num * x + 112.079291497871;
    num = num * x + 221.213596169931;
    num = num * x + 220.206867912376;
    let den = 8.83883476483184e-2 * x + 1.75566716318264;
    den = den * x + 16.064177579207;
    den = den * x + 86.7807322029461;
    den = den * x + 296.564248779674;
    den = den * x + 637.333633378831;
    den = den * x + 793.826512519948;
    den = den * x + 440.413735824752;
    return (e * num) / den;
  }
  let b = x + 0.65;
  b = x + 4 / b;
  b = x + 3 / b;
  b = x + 2 / b;
  b = x + 1 / b;
  return e / b / 2.506628274631;
}

/** Average ranks (1-based) of values, whether any tie, and Σ(t³ − t) over tie groups. */
function averageRanksOf(values: readonly number[]): { ranks: number[]; tied: boolean; tieSum: number } {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  let tieSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++;
    const t = end - start + 1;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]![1]] = rank;
    if (t > 1) tieSum += t ** 3 - t;
    start = end + 1;
  }
  return { ranks, tied: tieSum > 0, tieSum };
}

function checkPairs(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`paired values need as many A as B values, not ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('no pairs to compare');
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
