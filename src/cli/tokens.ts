/** `juror tokens create|list|revoke`: the API tokens of `juror serve`, kept hashed in the store. */
import Table from 'cli-table3';
import { ApiTokenRepository } from '../store/api-tokens.js';
import { serverDb } from '../store/server-tables.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { InputError } from '../errors.js';
import { formatDate } from './format.js';
import { EXIT, reportError } from './exit.js';

/** Flags of `juror tokens …`. */
export interface TokensFlags {
  db?: string;
  name?: string;
  /** `ingest`: the token reaches only the ingest routes. */
  scope?: string;
  json?: boolean;
}

async function withTokens(flags: TokensFlags, fn: (tokens: ApiTokenRepository, store: Store) => Promise<number>): Promise<number> {
  try {
    const store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    try {
      return await fn(new ApiTokenRepository(serverDb(store)), store);
    } finally {
      await store.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

/** Creates a token and prints it once (on stdout, alone, so it can be captured). */
export function tokensCreateCommand(flags: TokensFlags): Promise<number> {
  return withTokens(flags, async (tokens, store) => {
    if (flags.scope !== undefined && flags.scope !== 'ingest') {
      throw new InputError(`--scope ${flags.scope} is not a scope`, {
        where: { field: '--scope' },
        hint: 'use --scope ingest (only the ingest routes), or no --scope for every route',
      });
    }
    const created = await tokens.create(flags.name, flags.scope);
    if (flags.json)
      process.stdout.write(
        JSON.stringify({ id: created.id, name: created.name, scope: created.scope, created_at: created.created_at, token: created.token }) +
          '\n',
      );
    else {
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(
        `juror: token '${created.name}' created in ${store.where}. It is shown this once; keep it secret.\n  use it as: Authorization: Bearer <token>; revoke it with: juror tokens revoke ${created.name}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** Lists tokens: name, id, created, last used — never the token. */
export function tokensListCommand(flags: TokensFlags): Promise<number> {
  return withTokens(flags, async (tokens, store) => {
    const list = await tokens.list();
    if (flags.json) {
      process.stdout.write(JSON.stringify(list) + '\n');
      return EXIT.ok;
    }
    if (list.length === 0) {
      process.stdout.write(`no API tokens in ${store.where}; create one with \`juror tokens create\`\n`);
      return EXIT.ok;
    }
    const table = new Table({ head: ['name', 'id', 'scope', 'created', 'last used'], style: { head: [], border: [] } });
    for (const t of list)
      table.push([t.name, t.id, t.scope ?? 'all', formatDate(t.created_at), t.last_used_at ? formatDate(t.last_used_at) : 'never']);
    process.stdout.write(table.toString() + '\n');
    return EXIT.ok;
  });
}

/** Revokes a token by name or id: requests with it get 401 from then on. */
export function tokensRevokeCommand(nameOrId: string, flags: TokensFlags): Promise<number> {
  return withTokens(flags, async (tokens, store) => {
    const revoked = await tokens.revoke(nameOrId);
    if (!revoked)
      throw new InputError(`no token named '${nameOrId}' (or with that id) in ${store.where}`, {
        hint: 'list tokens with `juror tokens list`',
      });
    process.stdout.write(`revoked token '${revoked.name}' (${revoked.id})\n`);
    return EXIT.ok;
  });
}
