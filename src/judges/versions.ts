/**
 * Judge versions of a name: v1, v2, … in the order definitions first appear. A definition already
 * stored under the name (whatever its version) keeps that version; any edit — a revised prompt,
 * another example — is the next version. The judges table keeps each definition once by content hash.
 */
import type { JudgeRepository } from '../store/judges.js';
import { judgeHash, type Judge } from './definition.js';

/** A stored judge version. */
export interface StoredVersion {
  judge: Judge;
  judgeId: string;
  version: string;
}

/**
 * Stores the definition `build(version)` makes under `name`: the existing version when the same
 * definition is already stored under some version, else the next `vN`.
 */
export async function storeVersion(judges: JudgeRepository, name: string, build: (version: string) => Judge): Promise<StoredVersion> {
  const existing = await judges.versions(name);
  for (const row of existing) {
    const judge = build(row.version);
    if (judgeHash(judge) === row.hash) return { judge, judgeId: row.id, version: row.version };
  }
  const highest = existing.reduce((max, row) => Math.max(max, versionNumber(row.version) ?? 0), 0);
  const version = `v${highest + 1}`;
  const judge = build(version);
  return { judge, judgeId: await judges.save(judge), version };
}

/** Sorts versions as people count them: v2 before v10, names that are not `vN` last. */
export function versionOrder(a: string, b: string): number {
  return (versionNumber(a) ?? Number.MAX_SAFE_INTEGER) - (versionNumber(b) ?? Number.MAX_SAFE_INTEGER);
}

function versionNumber(version: string): number | undefined {
  return /^v\d+$/.test(version) ? Number(version.slice(1)) : undefined;
}
