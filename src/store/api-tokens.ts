/**
 * API tokens of `juror serve`. A token is shown once when created; the store keeps only its
 * SHA-256, so a leaked database does not leak working tokens.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { InputError } from '../errors.js';
import type { ApiTokenTable, ServerDatabase, TokenScope } from './server-tables.js';

/** A token's record: never the token itself. */
export type ApiTokenRecord = Omit<Selectable<ApiTokenTable>, 'hash'>;

/** A token's record as read: everything but its hash. */
const COLUMNS = ['id', 'name', 'created_at', 'last_used_at', 'scope'] as const;

/** How often `last_used_at` is written for one token, at most. */
const TOUCH_INTERVAL_MS = 60_000;

/** The SHA-256 of a token, as stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ApiTokenRepository {
  private readonly touched = new Map<string, number>();

  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /** Creates a token (for every route, or only those of `scope`) and returns it with its record; the token cannot be read again later. */
  async create(name?: string, scope?: TokenScope): Promise<ApiTokenRecord & { token: string }> {
    const token = `juror_${randomBytes(32).toString('base64url')}`;
    const record: Selectable<ApiTokenTable> = {
      id: randomUUID().replaceAll('-', '').slice(0, 16),
      name: name ?? `token-${randomBytes(3).toString('hex')}`,
      hash: hashToken(token),
      created_at: new Date().toISOString(),
      last_used_at: null,
      scope: scope ?? null,
    };
    if (!/^[\w.@-]{1,64}$/.test(record.name)) {
      throw new InputError(`token name '${record.name}' is not allowed`, {
        where: { field: '--name' },
        hint: 'use 1 to 64 letters, digits, _ . @ or -',
      });
    }
    const taken = await this.db.selectFrom('api_tokens').select('id').where('name', '=', record.name).executeTakeFirst();
    if (taken)
      throw new InputError(`a token named '${record.name}' exists already`, {
        where: { field: '--name' },
        hint: 'choose another name, or revoke the old token first',
      });
    await this.db.insertInto('api_tokens').values(record).execute();
    const { hash: _hash, ...rest } = record;
    return { ...rest, token };
  }

  /** Every token's name and dates, oldest first. */
  async list(): Promise<ApiTokenRecord[]> {
    return this.db.selectFrom('api_tokens').select(COLUMNS).orderBy('created_at').orderBy('name').execute();
  }

  /** Deletes the token with this name or id; returns its record, or undefined when there is none. */
  async revoke(nameOrId: string): Promise<ApiTokenRecord | undefined> {
    const found = await this.db
      .selectFrom('api_tokens')
      .select(COLUMNS)
      .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
      .executeTakeFirst();
    if (!found) return undefined;
    await this.db.deleteFrom('api_tokens').where('id', '=', found.id).execute();
    this.touched.delete(found.id);
    return found;
  }

  /** The token's record when the token is valid (and notes its use), else undefined. */
  async verify(token: string): Promise<ApiTokenRecord | undefined> {
    const found = await this.db.selectFrom('api_tokens').select(COLUMNS).where('hash', '=', hashToken(token)).executeTakeFirst();
    if (!found) return undefined;
    const now = Date.now();
    if (now - (this.touched.get(found.id) ?? 0) >= TOUCH_INTERVAL_MS) {
      this.touched.set(found.id, now);
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: new Date(now).toISOString() })
        .where('id', '=', found.id)
        .execute();
    }
    return found;
  }

  /** How many tokens exist. */
  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
