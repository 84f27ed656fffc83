/**
 * Judge versions of a criterion name: v1, v2, … in the order definitions first appear. A
 * definition already stored under the name (whatever its version) keeps that version; any edit —
 * a revised prompt, another example — is the next version. The judges table keeps each definition
 * once by content hash.
 */
import type { Kysely } from 'kysely';
import { judgeHash, type Judge } from '../judges/definition.js';
import type { LabelDatabase } from '../store/label-tables.js';
import type { Store } from '../store/store.js';

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
export async function storeVersion(store: Store, db: Kysely<LabelDatabase>, name: string, build: (version: string) => Judge): Promise<StoredVersion> {
  const existing = await db.selectFrom('judges').select(['id', 'version', 'hash']).where('name', '=', name).execute();
  for (const row of existing) {
    const judge = build(row.version);
    if (judgeHash(judge) === row.hash) return { judge, judgeId: row.id, version: row.version };
  }
  const highest = existing.reduce((max, row) => Math.max(max, /^v(\d+)$/.exec(row.version) ? Number(row.version.slice(1)) : 0), 0);
  const version = `v${highest + 1}`;
  const judge = build(version);
  return { judge, judgeId: await store.saveJudge(judge), version };
}

/** A stored judge definition by id. */
export async function loadJudge(db: Kysely<LabelDatabase>, judgeId: string): Promise<Judge> {
  const row = await db.selectFrom('judges').select('definition').where('id', '=', judgeId).executeTakeFirstOrThrow();
  return JSON.parse(row.definition) as Judge;
}

/** The version names of judge ids. */
export async function versionNames(db: Kysely<LabelDatabase>, judgeIds: string[]): Promise<Map<string, string>> {
  if (judgeIds.length === 0) return new Map();
  const rows = await db.selectFrom('judges').select(['id', 'version']).where('id', 'in', [...new Set(judgeIds)]).execute();
  return new Map(rows.map((r) => [r.id, r.version]));
}
