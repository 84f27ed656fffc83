/**
 * Helpers for the CLI tests: run `juror` — in this process through `main(argv)` by default (the
 * same code the binary runs, without a Node start-up per call), or as the built binary in a child
 * process where a test needs a real process (piped stdin, signals, `spawn: true`) — and lay out
 * configs and data files in a temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

/** The package root, and the built CLI inside it. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'juror.js');

export interface CliResult {
  /** The exit code (null only if the process was killed by a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How to run the command: its environment and folder, optional piped stdin, and whether to spawn it. */
export interface CliOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** For a spawned run: killed after this long (default 25 s). */
  timeoutMs?: number;
  /** Written to stdin (then closed), as piped answers; implies a child process. */
  input?: string;
  /** Run the built binary in a child process rather than `main(argv)` in this one. */
  spawn?: boolean;
}

/** Runs `juror ...args` and resolves with its exit code and output, whatever the code. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return options.spawn || options.input !== undefined ? spawnCli(args, options) : runInProcess(args, options);
}

/**
 * Runs `main(['node', 'juror', ...args])` in this process with `options.env` as process.env, in
 * `options.cwd`, its stdout and stderr captured; everything is put back afterwards. Test files run
 * their tests one at a time, so nothing else sees the borrowed environment.
 */
async function runInProcess(args: string[], options: CliOptions): Promise<CliResult> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  let stdout = '';
  let stderr = '';
  const capture = (append: (text: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  replaceEnv(options.env);
  process.chdir(options.cwd);
  process.stdout.write = capture((text) => (stdout += text));
  process.stderr.write = capture((text) => (stderr += text));
  try {
    const code = await main(['node', 'juror', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.chdir(savedCwd);
    replaceEnv(savedEnv);
  }
}

/** Makes process.env hold exactly `env` (process.env itself cannot be swapped for another object). */
function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

/** Runs `node bin/juror.js ...args` (asynchronously, so the scripted server in this process keeps answering). */
function spawnCli(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: options.env, cwd: options.cwd, timeout: options.timeoutMs ?? 25_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // Killed by the timeout or a signal, or could not start: report it with the output so far.
          if (error.killed || error.signal) {
            resolvePromise({ code: null, stdout, stderr: `${stderr}\n[killed: ${error.signal ?? 'timeout'}]` });
            return;
          }
          reject(error);
          return;
        }
        resolvePromise({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

const created: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'juror-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir} in this test file (call it in afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes `juror.yaml` (from `yamlText`) and the given data files into `dir` (a new temporary folder
 * when omitted) and returns the folder and the config's path.
 */
export function writeConfig(
  dir: string | undefined,
  yamlText: string,
  files: Record<string, string | Uint8Array> = {},
): { dir: string; config: string } {
  const folder = dir ?? tempDir();
  for (const [name, content] of Object.entries(files)) {
    const file = join(folder, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const config = join(folder, 'juror.yaml');
  writeFileSync(config, yamlText);
  return { dir: folder, config };
}

/**
 * The environment for a CLI run against the scripted server: its URL as OPENAI_BASE_URL, a dummy
 * key, a store inside `dir`, and no judge model or database URL inherited from the caller.
 */
export function cliEnv(serverUrl: string | undefined, dir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.JUROR_JUDGE_MODEL;
  delete env.JUROR_DATABASE_URL;
  delete env.JUROR_DB;
  delete env.OPENAI_BASE_URL;
  delete env.OPENAI_API_KEY;
  // Colour codes from a TTY-detecting library would make the output harder to match.
  env.NO_COLOR = '1';
  if (serverUrl !== undefined) {
    env.OPENAI_BASE_URL = serverUrl;
    env.OPENAI_API_KEY = 'test';
  }
  env.JUROR_DB = join(dir, 'juror.db');
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
