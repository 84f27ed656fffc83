/**
 * Label values per output kind: reading a person's label (checked, with the field at fault), the
 * text of a label, flipping one, the score a judge would have answered for it (few-shot examples
 * and fine-tuning data), and the label as the agreement statistics compare it.
 */
import { InputError } from '../errors.js';
import type { LabelOutput } from './criterion.js';

/** A label as stored: its number, and `yes` / `no` for yes/no criteria. */
export interface LabelValue {
  label: number;
  text: string | null;
}

/**
 * Reads a person's label. Binary takes the integers 1 and 0; yes/no takes `yes` / `no` (any case)
 * or 1 / 0; a 1–5 scale takes an integer from 1 to 5. Anything else is an InputError at `field`.
 */
export function readLabel(output: LabelOutput, value: unknown, field: string): LabelValue {
  const fail = (what: string): never => {
    throw new InputError(`${field}: ${JSON.stringify(value)} is not ${what}`, { where: { field }, hint: `give ${what}` });
  };
  switch (output) {
    case 'binary':
      if (value === 1 || value === 0) return { label: value, text: null };
      return fail('a binary label (the integer 1 or 0)');
    case 'yes_no': {
      const word = typeof value === 'string' ? value.trim().toLowerCase() : value;
      if (word === 'yes' || word === 1) return { label: 1, text: 'yes' };
      if (word === 'no' || word === 0) return { label: 0, text: 'no' };
      return fail('a yes/no label ("yes", "no", 1 or 0)');
    }
    case 'scale_1_5':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) return { label: value, text: null };
      return fail('a label on the 1–5 scale (an integer from 1 to 5)');
  }
}

/** The stored form of a judge's value (1/0 for yes/no and binary, the score for scales). */
export function fromJudgeValue(output: LabelOutput, value: number): LabelValue {
  return { label: value, text: output === 'yes_no' ? (value === 1 ? 'yes' : 'no') : null };
}

/** The opposite label of a binary or yes/no label; undefined for scales, which have no opposite. */
export function flipLabel(output: LabelOutput, label: number): LabelValue | undefined {
  if (output === 'scale_1_5') return undefined;
  return fromJudgeValue(output, label === 1 ? 0 : 1);
}

/** A label for people: `1`, `yes`, `4`. */
export function showLabel(value: { label: number | null; label_text?: string | null; text?: string | null }): string {
  if (value.label === null) return '—';
  return value.label_text ?? value.text ?? String(value.label);
}

/**
 * The score a judge answers for a label: the label itself for binary and scales; for yes/no (a
 * 1–5 score above 3 being yes) 5 for yes and 1 for no, the clear ends of the scale, since a
 * person's yes/no says nothing finer.
 */
export function judgeScore(output: LabelOutput, label: number): number {
  if (output === 'yes_no') return label === 1 ? 5 : 1;
  return label;
}

/** The label as `compareLabels` reads it under the output's label scheme (0/1, `yes`/`no`, 1–5). */
export function schemeLabel(output: LabelOutput, label: number): string | number {
  if (output === 'yes_no') return label === 1 ? 'yes' : 'no';
  return label;
}
