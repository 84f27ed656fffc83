/** Number formatting for terminal tables. */

/** Up to four significant decimals, no trailing zeros: 3.75, 0.6667, 12. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(Math.abs(value) >= 100 ? 2 : 4)));
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC). */
export function formatDate(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '';
}
