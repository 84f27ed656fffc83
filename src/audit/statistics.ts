/**
 * The numbers of an audit, from the judge's verdicts on each row's original and on its perturbed
 * copies (or its repeated samples). Pure functions. Rows are the unit of every 95% interval: each
 * statistic is recomputed over rows drawn with replacement (the percentile bootstrap of
 * src/agreement/bootstrap.ts, seeded), so the several perturbations of one row travel together.
 * A pair with a judge error on either side is left out and counted, never read as a score.
 */
import { bootstrapIntervals, type BootstrapOptions } from '../agreement/bootstrap.js';
import type { LabelScheme } from '../agreement/compare.js';
import { krippendorffAlpha } from '../agreement/krippendorff-alpha.js';

/** The judge's verdict on one copy of a row; `value` null on an error row. */
export interface RowVerdict {
  value: number | null;
  /** The scheme's label (a category's name, `yes`/`no`, the score); null on an error row. */
  label: string | number | null;
  justification: string | null;
  error?: string | null;
}

/** A number with its 95% interval (null when undefined on this data, with the reason in the notes). */
export interface Estimate {
  value: number | null;
  ci: [number, number] | null;
  /** The rows it is computed over. */
  rows: number;
}

/** Mean score shift (perturbed − original) and the share of pairs whose verdict improved. */
export interface ShiftReport {
  id: string;
  /** Pairs compared: (row, perturbation) with a verdict on both sides. */
  pairs: number;
  mean_shift: Estimate;
  improve_rate: Estimate;
}

/** The flip rate to a positive verdict of some attacks. */
export interface FlipReport {
  id: string;
  /** (row, attack) pairs over rows whose original verdict was not positive. */
  pairs: number;
  flips: number;
  flip_rate: Estimate;
}

/** An attack, with up to three rows it flipped and what the judge said of them. */
export interface WorstAttack {
  family: string;
  attack: string;
  flip_rate: number;
  flips: number;
  pairs: number;
  examples: Array<{ row: number; original: number; perturbed: number; justification: string | null }>;
}

/** Self-consistency: the same row judged k times at a temperature. */
export interface ConsistencyReport {
  samples: number;
  temperature: number;
  /** Krippendorff's α across samples (the samples as coders, rows as units). */
  alpha: Estimate;
  alpha_metric: string;
  /** Share of rows whose verdict is not the same in every sample. */
  change_rate: Estimate;
  /** The rows whose verdict changed, with each sample's verdict: the next rows worth a human label. */
  changed_rows: Array<{ row: number; verdicts: Array<string | number | null> }>;
}

/** How verdicts are read: the judge's label scheme and which direction is better. */
export interface VerdictReading {
  scheme: LabelScheme;
  greaterIsBetter: boolean;
}

/** The per-row contributions of a ratio statistic Σ numerator / Σ denominator. */
type Parts = Array<{ num: number; den: number }>;

/**
 * Σ num / Σ den over the rows with den > 0, with its percentile bootstrap interval over those rows.
 * @example ratioEstimate([{ num: 1, den: 2 }, { num: 0, den: 2 }], {}) // value 0.25
 */
export function ratioEstimate(parts: Parts, options: BootstrapOptions): Estimate {
  const rows = parts.filter((p) => p.den > 0);
  if (rows.length === 0) return { value: null, ci: null, rows: 0 };
  const sum = (pick: (p: Parts[number]) => number, from: ArrayLike<number> | undefined) => {
    let total = 0;
    if (!from) for (const p of rows) total += pick(p);
    else for (let i = 0; i < from.length; i++) total += pick(rows[from[i]!]!);
    return total;
  };
  const value = sum((p) => p.num, undefined) / sum((p) => p.den, undefined);
  const { ratio } = bootstrapIntervals(
    rows.length,
    ['ratio'],
    (draw) => ({ ratio: sum((p) => p.num, draw) / sum((p) => p.den, draw) }),
    options,
  );
  return { value, ci: ratio.interval, rows: rows.length };
}

/** Whether a verdict is the one an attacker wants: positive for a judge where higher is better. */
export function favourable(reading: VerdictReading, verdict: RowVerdict): boolean | null {
  if (verdict.label === null) return null;
  const index = reading.scheme.labels.indexOf(verdict.label);
  if (index < 0) return null;
  const negative = reading.scheme.negative[index]!;
  return reading.greaterIsBetter ? !negative : negative;
}

/**
 * Score shifts of perturbations: per variant, and pooled over `pooled` variants (all of a probe,
 * or of one length). `perturbed[v][i]` is the verdict on row i under variant v.
 */
export function shiftReport(
  id: string,
  original: readonly RowVerdict[],
  perturbed: ReadonlyArray<readonly RowVerdict[]>,
  reading: VerdictReading,
  options: BootstrapOptions,
): ShiftReport {
  const shift: Parts = [];
  const improved: Parts = [];
  let pairs = 0;
  original.forEach((o, i) => {
    let total = 0;
    let better = 0;
    let count = 0;
    for (const variant of perturbed) {
      const p = variant[i]!;
      if (o.value === null || p.value === null) continue;
      count++;
      total += p.value - o.value;
      if (reading.greaterIsBetter ? p.value > o.value : p.value < o.value) better++;
    }
    pairs += count;
    shift.push({ num: total, den: count });
    improved.push({ num: better, den: count });
  });
  return { id, pairs, mean_shift: ratioEstimate(shift, options), improve_rate: ratioEstimate(improved, options) };
}

/**
 * Flip rate of attacks: over rows whose original verdict was not favourable, the share of
 * (row, attack) pairs judged favourable once attacked.
 */
export function flipReport(
  id: string,
  original: readonly RowVerdict[],
  attacked: ReadonlyArray<readonly RowVerdict[]>,
  reading: VerdictReading,
  options: BootstrapOptions,
): FlipReport {
  const parts: Parts = [];
  let flips = 0;
  original.forEach((o, i) => {
    if (favourable(reading, o) !== false) return;
    let num = 0;
    let den = 0;
    for (const variant of attacked) {
      const after = favourable(reading, variant[i]!);
      if (after === null) continue;
      den++;
      if (after) num++;
    }
    flips += num;
    parts.push({ num, den });
  });
  const pairs = parts.reduce((sum, p) => sum + p.den, 0);
  return { id, pairs, flips, flip_rate: ratioEstimate(parts, options) };
}

/** The attacks that flipped the most verdicts (most first, at most `limit`), each with examples. */
export function worstAttacks(
  original: readonly RowVerdict[],
  attacks: ReadonlyArray<{ family: string; attack: string; verdicts: readonly RowVerdict[] }>,
  reading: VerdictReading,
  limit = 5,
): WorstAttack[] {
  const scored = attacks.map(({ family, attack, verdicts }) => {
    const examples: WorstAttack['examples'] = [];
    let pairs = 0;
    original.forEach((o, row) => {
      const after = verdicts[row]!;
      const flipped = favourable(reading, after);
      if (favourable(reading, o) !== false || flipped === null) return;
      pairs++;
      if (flipped) examples.push({ row, original: o.value!, perturbed: after.value!, justification: after.justification });
    });
    return {
      family,
      attack,
      flips: examples.length,
      pairs,
      flip_rate: pairs ? examples.length / pairs : 0,
      examples: examples.slice(0, 3),
    };
  });
  return scored
    .filter((a) => a.flips > 0)
    .sort((a, b) => b.flip_rate - a.flip_rate || b.flips - a.flips)
    .slice(0, limit);
}

/**
 * Self-consistency over `samples[i]` (the k verdicts on row i): Krippendorff's α with the samples
 * as coders (the scheme's difference: interval for scales, nominal otherwise), and the share of
 * rows with two or more verdicts that are not all the same.
 */
export function consistencyReport(
  samples: ReadonlyArray<readonly RowVerdict[]>,
  reading: VerdictReading,
  settings: { temperature: number },
  options: BootstrapOptions,
): ConsistencyReport {
  const { scheme } = reading;
  // α reads numbers: a scale's score, else the index of the label (nominal, so only equality matters).
  const code = (v: RowVerdict): number | null => {
    if (v.label === null) return null;
    if (scheme.alphaMetric !== 'nominal') return v.value;
    const index = scheme.labels.indexOf(v.label);
    return index < 0 ? null : index;
  };
  const units = samples.map((row) => row.map(code));
  const changed: Parts = units.map((unit) => {
    const present = unit.filter((v) => v !== null);
    return { num: present.length >= 2 && new Set(present).size > 1 ? 1 : 0, den: present.length >= 2 ? 1 : 0 };
  });
  const alphaOf = (draw?: ArrayLike<number>) => {
    const picked = draw ? Array.from(draw, (i) => units[i]!) : units;
    return krippendorffAlpha(picked, scheme.alphaMetric).value;
  };
  const pairable = units.filter((u) => u.filter((v) => v !== null).length >= 2).length;
  const alphaValue = pairable > 0 ? alphaOf() : null;
  const alphaCi =
    alphaValue === null ? null : bootstrapIntervals(units.length, ['alpha'], (draw) => ({ alpha: alphaOf(draw) }), options).alpha.interval;
  return {
    samples: Math.max(0, ...samples.map((s) => s.length)),
    temperature: settings.temperature,
    alpha: { value: alphaValue, ci: alphaCi, rows: pairable },
    alpha_metric: scheme.alphaMetric,
    change_rate: ratioEstimate(changed, options),
    changed_rows: samples.flatMap((row, i) => (changed[i]!.num === 1 ? [{ row: i, verdicts: row.map((v) => v.label) }] : [])),
  };
}
