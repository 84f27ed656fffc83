/**
 * The judges table: every judge definition ever used, once per content hash, under its name and
 * version. Definitions are parsed back into judges here (src/judges/stored.ts), so nothing outside
 * the store reads their JSON.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson, judgeHash, type Judge } from '../judges/definition.js';
import type { Database } from './schema.js';

/** The stored-judge parser, loaded when a judge is first read: commands that read none (`juror runs list`) skip its schema library. */
export const storedJudges = () => import('../judges/stored.js');

/** A stored judge definition with its id. */
export interface StoredJudge {
  id: string;
  judge: Judge;
}

/** One stored version of a judge, as listed. */
export interface JudgeVersion {
  id: string;
  version: string;
  hash: string;
  created_at: string;
  definition: Judge;
  run_count: number;
}

export class JudgeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a judge definition once per content hash and returns its id. */
  async save(judge: Judge): Promise<string> {
    const hash = judgeHash(judge);
    await this.db
      .insertInto('judges')
      .values({
        id: randomUUID(),
        name: judge.name,
        version: judge.version,
        hash,
        definition: canonicalJson(judge),
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    const row = await this.db.selectFrom('judges').select('id').where('hash', '=', hash).executeTakeFirstOrThrow();
    return row.id;
  }

  /** The judge stored under `id`; an unknown id is a bug of the caller, so it throws. */
  async get(id: string): Promise<Judge> {
    const row = await this.db.selectFrom('judges').select('definition').where('id', '=', id).executeTakeFirstOrThrow();
    return (await storedJudges()).parseStoredJudge(row.definition, id);
  }

  /** The definition stored under `name` and `version` (the newest, should several share it), or undefined. */
  async version(name: string, version: string): Promise<StoredJudge | undefined> {
    return this.newest(name, (query) => query.where('version', '=', version));
  }

  /** The definition `id` if it is stored under `name`, or undefined. */
  async definition(name: string, id: string): Promise<StoredJudge | undefined> {
    return this.newest(name, (query) => query.where('id', '=', id));
  }

  /** The newest definition stored under `name`, or undefined. */
  async latest(name: string): Promise<StoredJudge | undefined> {
    return this.newest(name, (query) => query);
  }

  /** Every definition stored under `name`: id, version and content hash, in no particular order. */
  async versions(name: string): Promise<Array<{ id: string; version: string; hash: string }>> {
    return this.db.selectFrom('judges').select(['id', 'version', 'hash']).where('name', '=', name).execute();
  }

  /** Whether any definition is stored under `name`. */
  async exists(name: string): Promise<boolean> {
    return (await this.db.selectFrom('judges').select('id').where('name', '=', name).limit(1).executeTakeFirst()) !== undefined;
  }

  /** The version names of judge ids. */
  async versionNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('judges')
      .select(['id', 'version'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.version]));
  }

  /** Every stored judge definition, grouped by name (alphabetical), versions oldest first, with how many runs used each. */
  async all(): Promise<Array<{ name: string; versions: JudgeVersion[] }>> {
    const rows = await this.db
      .selectFrom('judges')
      .leftJoin('run_judges', 'run_judges.judge_id', 'judges.id')
      .select((eb) => [
        'judges.id',
        'judges.name',
        'judges.version',
        'judges.hash',
        'judges.definition',
        'judges.created_at',
        eb.fn.count<number>('run_judges.run_id').as('run_count'),
      ])
      .groupBy(['judges.id', 'judges.name', 'judges.version', 'judges.hash', 'judges.definition', 'judges.created_at'])
      .orderBy('judges.name')
      .orderBy('judges.created_at')
      .orderBy('judges.id')
      .execute();
    const { parseStoredJudge } = await storedJudges();
    const groups = new Map<string, JudgeVersion[]>();
    for (const row of rows) {
      const versions = groups.get(row.name) ?? [];
      versions.push({
        id: row.id,
        version: row.version,
        hash: row.hash,
        created_at: row.created_at,
        definition: parseStoredJudge(row.definition, row.id),
        run_count: Number(row.run_count),
      });
      groups.set(row.name, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions }));
  }

  private async newest(
    name: string,
    narrow: (query: ReturnType<JudgeRepository['byName']>) => ReturnType<JudgeRepository['byName']>,
  ): Promise<StoredJudge | undefined> {
    const found = await narrow(this.byName(name)).orderBy('created_at', 'desc').orderBy('id').executeTakeFirst();
    return found && { id: found.id, judge: (await storedJudges()).parseStoredJudge(found.definition, found.id) };
  }

  private byName(name: string) {
    return this.db.selectFrom('judges').select(['id', 'definition']).where('name', '=', name);
  }
}

/** A distilled judge version (migration 0015): its definition (weights) and cross-validation report, as JSON text. */
export interface DistilledJudgeTable {
  id: string;
  name: string;
  version: string;
  definition: string;
  report: string;
  /** Where its labels came from: `{ label_job_id }` or `{ file, label_col }`. */
  source: string;
  created_at: string;
}

/** A stored distilled judge version, its JSON left as text for src/distill/ to parse. */
export type DistilledJudgeRecord = DistilledJudgeTable;

/**
 * Distilled judge versions. They share a name's version sequence with its LLM versions (a distilled
 * `helpful` after `helpful` v1 and v2 is v3), and are kept in their own table: nothing that reads
 * `judges` has to learn a kind that is not an LLM judge.
 */
export class DistilledJudgeRepository {
  private readonly db: Kysely<Database & { distilled_judges: DistilledJudgeTable }>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<{ distilled_judges: DistilledJudgeTable }>();
  }

  /**
   * Stores a distilled version of `name` as the next version of the name — after its LLM versions
   * and its distilled ones — made by `build(version)`; returns the stored record.
   */
  async saveNext(
    name: string,
    build: (version: string) => { definition: string; report: string; source: string },
  ): Promise<DistilledJudgeRecord> {
    for (let attempt = 0; ; attempt++) {
      const llm = await this.db.selectFrom('judges').select('version').where('name', '=', name).execute();
      const distilled = await this.db.selectFrom('distilled_judges').select('version').where('name', '=', name).execute();
      const highest = [...llm, ...distilled].reduce(
        (max, row) => Math.max(max, /^v\d+$/.test(row.version) ? Number(row.version.slice(1)) : 0),
        0,
      );
      const version = `v${highest + 1}`;
      const record: DistilledJudgeRecord = { id: randomUUID(), name, version, ...build(version), created_at: new Date().toISOString() };
      try {
        await this.db.insertInto('distilled_judges').values(record).execute();
        return record;
      } catch (error) {
        // Another process took that version between the read and the insert: take the next one.
        if (attempt >= 3) throw error;
      }
    }
  }

  /** The distilled version `version` of `name`, or undefined. */
  async get(name: string, version: string): Promise<DistilledJudgeRecord | undefined> {
    return this.db.selectFrom('distilled_judges').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
  }

  /** Every distilled version, by name then creation, without their weights (`definition` is empty). */
  async list(): Promise<DistilledJudgeRecord[]> {
    const rows = await this.db
      .selectFrom('distilled_judges')
      .select(['id', 'name', 'version', 'report', 'source', 'created_at'])
      .orderBy('name')
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({ ...row, definition: '' }));
  }
}
