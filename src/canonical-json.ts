/** Canonical JSON: equal values encode to equal text, so they hash equally (datasets, judges, cache keys). */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so records that differ only in key order hash
 * alike. As in JSON.stringify, `toJSON` is honoured and undefined object values are dropped;
 * bigints are written as integers.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const members = Object.keys(object)
    .sort()
    .filter((key) => object[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
  return `{${members.join(',')}}`;
}

/** `sha256:<hex>` of a value's canonical JSON. */
export function contentHash(value: unknown): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(value)).digest('hex');
}
