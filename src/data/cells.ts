/**
 * Helpers for cell values whose type depends on the source format.
 */

/**
 * Reads a list-valued cell: an array is returned as is, a string holding a JSON array (as a CSV
 * cell must) is parsed, anything else gives undefined.
 */
export function parseListCell(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string' || !value.trimStart().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
