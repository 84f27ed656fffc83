/** Seeded, reproducible choice of rows: the same seed over the same rows picks the same ones. */
import { mulberry32 } from '../agreement/prng.js';

/** The largest seed (seeds are stored as 32-bit signed integers). */
export const MAX_SEED = 2_147_483_647;

/**
 * `size` distinct items of `items` chosen uniformly with a seeded partial Fisher–Yates shuffle,
 * returned in their original order (all of them when there are no more).
 */
export function seededChoice(items: readonly number[], size: number, seed: number): number[] {
  if (size >= items.length) return [...items];
  const pool = [...items];
  const random = mulberry32(seed);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const chosen = pool.slice(0, size);
  const order = new Map(items.map((item, i) => [item, i]));
  return chosen.sort((a, b) => order.get(a)! - order.get(b)!);
}

/** The sample of a label job: `size` of the row indexes 0..rowCount-1, ascending. */
export function sampleRows(rowCount: number, size: number, seed: number): number[] {
  if (size >= rowCount) return Array.from({ length: rowCount }, (_, i) => i);
  // The same shuffle as seededChoice over 0..rowCount-1, with only the swapped places kept.
  const random = mulberry32(seed);
  const swapped = new Map<number, number>();
  const at = (i: number) => swapped.get(i) ?? i;
  const chosen: number[] = [];
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (rowCount - i));
    const picked = at(j);
    swapped.set(j, at(i));
    chosen.push(picked);
  }
  return chosen.sort((a, b) => a - b);
}
