/**
 * Start-up of the `juror` command, as a person feels it: each figure is the median wall time of
 * whole processes of the built CLI (`node bin/juror.js …`) on this machine, after one warm-up run.
 * - `juror --version` and `juror runs list` (a store of 20 runs): from spawn to exit.
 * - `juror eval`: from spawn to the first request reaching the scripted LLM server.
 * `npx tsx bench/startup.ts` runs it alone (build first: `npm run build`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLlmServer } from '../test/fixtures/llm-server.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'juror.js');
const RUNS = 9;

/**
 * Spawns the CLI; resolves with the milliseconds from spawn to exit — or, with `until`, to the
 * moment the promise it makes resolves, then kills the process and lets its last requests drain.
 */
function timeCli(args: string[], env: NodeJS.ProcessEnv, cwd: string, until?: () => Promise<number>): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const reached = until?.();
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: 'ignore' });
    child.on('error', reject);
    if (reached) {
      void reached.then(async (at) => {
        child.kill('SIGKILL');
        await new Promise((drained) => setTimeout(drained, 300));
        resolvePromise(at - started);
      });
    } else {
      child.on('exit', (code) =>
        code === 0 ? resolvePromise(performance.now() - started) : reject(new Error(`juror ${args.join(' ')} exited ${code}`)),
      );
    }
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(name: string, target: number, once: () => Promise<number>): Promise<void> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await once());
  const figure = median(times);
  console.log(
    `${figure <= target ? 'PASS' : 'MISS'}  ${name}: median ${figure.toFixed(0)} ms of ${RUNS} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); target <= ${target} ms`,
  );
}

/** Runs the start-up figures. */
export async function startupBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'juror-startup-'));
  let firstRequest: ((at: number) => void) | undefined;
  const server = await startLlmServer({
    record: false,
    handler: () => {
      firstRequest?.(performance.now());
      firstRequest = undefined;
      return { json: { justification: 'fine', score: 4 } };
    },
  });
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      JUROR_DB: join(dir, 'juror.db'),
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'bench',
      NO_COLOR: '1',
    };
    delete env.JUROR_DATABASE_URL;
    delete env.JUROR_JUDGE_MODEL;
    writeFileSync(join(dir, 'data.csv'), 'inputs,outputs\n' + Array.from({ length: 20 }, (_, i) => `question ${i},answer ${i}\n`).join(''));
    writeFileSync(
      join(dir, 'juror.yaml'),
      [
        'data: data.csv',
        'judge_model: openai:/gpt-test',
        'metrics:',
        '  - name: quality',
        '    definition: How good the answer is.',
        '    grading_prompt: Score 1-5.',
      ].join('\n') + '\n',
    );
    for (let i = 0; i < 20; i++) await timeCli(['eval', 'juror.yaml', '--no-cache'], env, dir);

    await measure('juror --version', 150, () => timeCli(['--version'], env, dir));
    await measure('juror runs list (20 runs)', 150, () => timeCli(['runs', 'list'], env, dir));
    await measure('juror eval, spawn to first provider call', 400, () =>
      timeCli(['eval', 'juror.yaml', '--no-cache'], env, dir, () => new Promise<number>((res) => (firstRequest = res))),
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await startupBenchmark();
