/**
 * The `juror` command. Exit codes: 0 ok; 1 a threshold missed or a metric wholly failed; 2 bad
 * config or input (or a provider refusing the run: bad key, unknown model); 3 an unexpected error.
 */
import { Command, CommanderError } from 'commander';
import { JurorError } from '../errors.js';
import { addAlignCommand } from './align.js';
import { evalCommand } from './eval.js';
import { addExportCommand } from './export.js';
import { addLabelCommand } from './label.js';
import { serveCommand, type ServeFlags } from './serve.js';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand, type TokensFlags } from './tokens.js';
import { cacheClearCommand, cacheStatsCommand, runsListCommand, runsShowCommand } from './runs.js';

export const EXIT = { ok: 0, failed: 1, badInput: 2, internal: 3 } as const;

/** Runs the CLI on `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('juror')
    .description('Juror: LLM-as-a-judge evaluation — judges, metrics, tracked runs, CI gates')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let code: number = EXIT.ok;
  const setCode = (c: number) => {
    code = c;
  };

  program
    .command('eval')
    .description('run the metrics and judges of a config over its dataset, store the run, print the results')
    .argument('<config>', 'the config file (YAML)')
    .option('--json', 'print one JSON object on stdout instead of the summary table')
    .option('--out <file>', 'write the results table to a .json, .jsonl or .csv file')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .option('--experiment <name>', "override the config's experiment")
    .option('--run-name <name>', "override the config's run_name")
    .option('--no-cache', 'call the providers even for prompts answered before')
    .option('--resume <run-id>', 'finish a stopped run: rows already scored are not called again')
    .option('--dry-run', 'count calls, tokens and cost and show one rendered prompt, without calling anything')
    .option('--max-cost <usd>', 'stop (resumably) before the run would cost more than this many US dollars')
    .action(async (config: string, opts: EvalFlags) => setCode(await evalCommand(config, opts)));

  const runs = program.command('runs').description('list and show stored runs');
  runs
    .command('list')
    .description('runs, newest first, with their headline metrics')
    .option('--experiment <name>', 'only this experiment')
    .option('--status <status>', 'only runs with this status (running, finished, failed, interrupted)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(async (opts: RunsListFlags) => setCode(await runsListCommand(opts)));
  runs
    .command('show')
    .description("a run's metrics, counts and first rows")
    .argument('<run-id>', 'the run id, or a unique prefix of it')
    .option('--rows <n>', 'how many rows to show', '10')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(async (id: string, opts: RunsShowFlags) => setCode(await runsShowCommand(id, opts)));

  addAlignCommand(program, setCode);
  addLabelCommand(program, setCode);
  addExportCommand(program, setCode);

  program
    .command('serve')
    .description('serve the REST API (under /api, OpenAPI at /api/openapi.json) and the web UI at /')
    .option('--port <n>', 'port (0 picks a free one)', '4173')
    .option('--host <host>', 'interface to bind; anything but loopback requires API tokens', '127.0.0.1')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .option('--auth', 'require an API token on /api even on loopback')
    .option('--data-dir <dir>', 'where uploaded datasets are kept (default: datasets/ next to the SQLite store)')
    .option('--max-upload-mb <n>', 'largest dataset upload accepted', '100')
    .option('--allow-config-endpoints', "let configs sent over the API declare endpoints (they could send the server's keys elsewhere)")
    .action(async (opts: ServeFlags) => setCode(await serveCommand(opts)));

  const tokens = program.command('tokens').description('API tokens of `juror serve` (stored hashed)');
  tokens
    .command('create')
    .description('create a token and print it once')
    .option('--name <name>', 'a name to list and revoke it by')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(async (opts: TokensFlags) => setCode(await tokensCreateCommand(opts)));
  tokens
    .command('list')
    .description('tokens: name, id, created, last used (never the token)')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(async (opts: TokensFlags) => setCode(await tokensListCommand(opts)));
  tokens
    .command('revoke')
    .description('revoke a token by name or id')
    .argument('<name-or-id>')
    .option('--db <path>', 'the SQLite store')
    .action(async (nameOrId: string, opts: TokensFlags) => setCode(await tokensRevokeCommand(nameOrId, opts)));

  const cache = program.command('cache').description('the answer cache kept in the store');
  cache
    .command('stats')
    .description('cached answers per model')
    .option('--db <path>', 'the SQLite store')
    .option('--json', 'print JSON')
    .action(async (opts: CacheFlags) => setCode(await cacheStatsCommand(opts)));
  cache
    .command('clear')
    .description("empty the cache (or one model's part of it)")
    .option('--model <uri>', 'only this model')
    .option('--db <path>', 'the SQLite store')
    .action(async (opts: CacheFlags) => setCode(await cacheClearCommand(opts)));

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    return reportError(error);
  }
}

export interface EvalFlags {
  json?: boolean;
  cache?: boolean;
  resume?: string;
  dryRun?: boolean;
  maxCost?: string;
  out?: string;
  db?: string;
  experiment?: string;
  runName?: string;
}
export interface RunsListFlags {
  experiment?: string;
  status?: string;
  limit: string;
  json?: boolean;
  db?: string;
}
export interface CacheFlags {
  db?: string;
  json?: boolean;
  model?: string;
}
export interface RunsShowFlags {
  rows: string;
  json?: boolean;
  db?: string;
}

/** Prints an error for a person and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof JurorError) {
    process.stderr.write(`juror: ${error.kind} error: ${error.describe()}\n`);
    return EXIT.badInput;
  }
  process.stderr.write(`juror: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT.internal;
}
