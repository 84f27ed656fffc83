/**
 * Reading labels into a scheme: a human label cell (text from CSV, any JSON type from JSON/JSONL,
 * bigint from Parquet), and a judge's per-row value from the results table.
 */
import type { LabelScheme } from './compare.js';

/** A label read from a cell: the scheme's label, missing (an empty cell), or why it cannot be read. */
export type ReadLabel = { label: string | number } | { missing: true } | { error: string };

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'pass']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'fail']);

/**
 * Reads a human label. Empty cells (null, undefined, blank text) are missing. Binary and yes/no
 * read 1/0, yes/no, true/false and pass/fail (any case) as 1/0; scales read integers within the
 * scale (`4` or `"4"`, `"4.0"`); categories read a label's name (any case) or its score when exactly
 * one label has it.
 */
export function readHumanLabel(scheme: LabelScheme, cell: unknown): ReadLabel {
  if (cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '')) return { missing: true };
  const value = typeof cell === 'bigint' ? Number(cell) : cell;
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  if (text === undefined) return { error: `${JSON.stringify(cell) ?? String(cell)} is not a label` };
  const word = text.toLowerCase();
  switch (scheme.kind) {
    case 'binary':
    case 'yes_no': {
      const numeric = Number(text);
      const yes = TRUE_WORDS.has(word) || (text !== '' && numeric === 1);
      const no = FALSE_WORDS.has(word) || (text !== '' && numeric === 0);
      if (!yes && !no)
        return {
          error: `${JSON.stringify(text)} is not a ${scheme.kind === 'binary' ? '1/0' : 'yes/no'} label (use 1/0, yes/no, true/false or pass/fail)`,
        };
      return { label: scheme.kind === 'binary' ? (yes ? 1 : 0) : yes ? 'yes' : 'no' };
    }
    case 'scale': {
      const numeric = Number(text);
      const min = scheme.labels[0] as number;
      const max = scheme.labels[scheme.labels.length - 1] as number;
      if (!Number.isInteger(numeric) || numeric < min || numeric > max)
        return { error: `${JSON.stringify(text)} is not an integer from ${min} to ${max}` };
      return { label: numeric };
    }
    case 'categories': {
      const byName = scheme.labels.find((l) => String(l).toLowerCase() === word);
      if (byName !== undefined) return { label: byName };
      const numeric = Number(text);
      const byScore = scheme.labels.filter((_, i) => scheme.values[i] === numeric);
      if (Number.isFinite(numeric) && byScore.length === 1) return { label: byScore[0]! };
      return { error: `${JSON.stringify(text)} is not one of the categories ${scheme.labels.map((l) => JSON.stringify(l)).join(', ')}` };
    }
  }
}

/**
 * The judge's label for a row from its results-table cells: `value` (`<name>/<version>/score`, null
 * on an error row) and, for categories, `label` (`<name>/<version>/label`). Missing on an error row.
 */
export function judgeLabel(scheme: LabelScheme, value: unknown, label: unknown): ReadLabel {
  if (value === null || value === undefined) return { missing: true };
  switch (scheme.kind) {
    case 'binary':
      return value === 0 || value === 1 ? { label: value } : { error: `judge value ${JSON.stringify(value)} is not 1/0` };
    case 'yes_no':
      return value === 0 || value === 1
        ? { label: value === 1 ? 'yes' : 'no' }
        : { error: `judge value ${JSON.stringify(value)} is not 1/0` };
    case 'scale':
      return typeof value === 'number' && scheme.labels.includes(value)
        ? { label: value }
        : { error: `judge value ${JSON.stringify(value)} is not on the scale` };
    case 'categories': {
      const match = scheme.labels.find((l) => l === label);
      return match !== undefined ? { label: match } : { error: `judge label ${JSON.stringify(label)} is not one of the categories` };
    }
  }
}
