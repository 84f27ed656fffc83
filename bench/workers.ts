/**
 * The distributed backend (issue #12 §4): `juror worker` processes (the built CLI) judge one run of
 * 20,000 rows enqueued by the server over Postgres and Redis, against the scripted LLM server in its
 * own process.
 * - 100 ms latency, the server capped at 64 in flight, `max_concurrency: 64`: 1, 2 and 4 workers each
 *   within 1.15× N·L/C, the server's observed maximum in flight ≤ 64, and no 429 storm.
 * - Zero latency, 1 and 4 workers: calls per second, with the CPU the workers used.
 * Run with `npm run bench -- workers` (it builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startServer } from '../src/server/app.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'juror.js');
const REDIS = process.env.JUROR_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES = process.env.JUROR_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = 20_000;
const LATENCY_S = 0.1;
const CAP = 64;

/** The scripted LLM server of run.ts, in its own process. */
export interface BenchLlm {
  url: string;
  stats(): Promise<{ received: number; answered: number; rateLimited: number; maxInFlight: number }>;
  close(): void;
}

type Line = (name: string, figure: string, target: string, ok: boolean) => void;

/** Runs the scenario with `startLlm` (run.ts's server process) and prints with `line`. */
export async function workersBenchmark(startLlm: (options: Record<string, unknown>) => Promise<BenchLlm>, line: Line): Promise<void> {
  const limit = (ROWS * LATENCY_S) / CAP;
  const slow = await startLlm({ latencyMs: LATENCY_S * 1000, maxConcurrent: CAP });
  try {
    for (const workers of [1, 2, 4]) {
      const before = await slow.stats();
      const run = await distributedRun(slow.url, workers);
      const stats = await slow.stats();
      const ratio = run.seconds / limit;
      const limited = stats.rateLimited - before.rateLimited;
      line(
        `20,000 calls, 100 ms, cap 64, ${workers} worker${workers > 1 ? 's' : ''}`,
        `${run.seconds.toFixed(2)} s = ${ratio.toFixed(3)}× N·L/C, max ${stats.maxInFlight} in flight, ${limited} × 429, workers' CPU ${run.workerCpuS.toFixed(0)} s`,
        '≤ 1.15×, ≤ 64',
        ratio <= 1.15 && stats.maxInFlight <= CAP && limited < ROWS / 100,
      );
    }
  } finally {
    slow.close();
  }
  const fast = await startLlm({ latencyMs: 0 });
  try {
    const one = await distributedRun(fast.url, 1);
    const four = await distributedRun(fast.url, 4);
    const rate = (r: { seconds: number }) => ROWS / r.seconds;
    line(
      '20,000 calls, zero latency, 1 worker',
      `${rate(one).toFixed(0)} calls/s, workers' CPU ${one.workerCpuS.toFixed(1)} s`,
      'report',
      true,
    );
    line(
      '20,000 calls, zero latency, 4 workers',
      `${rate(four).toFixed(0)} calls/s = ${(rate(four) / rate(one)).toFixed(2)}× 1 worker, workers' CPU ${four.workerCpuS.toFixed(1)} s`,
      'report',
      true,
    );
  } finally {
    fast.close();
  }
}

/** One run of ROWS rows through `workers` worker processes, from the request to the job's end. */
async function distributedRun(llmUrl: string, workers: number): Promise<{ seconds: number; workerCpuS: number }> {
  const schema = `juror_bench_${process.pid}_${Date.now()}`;
  await sql(`create schema ${schema}`);
  const storeUrl = `${POSTGRES}?options=-c%20search_path%3D${schema}`;
  const queue = schema.replaceAll('_', '-');
  const server = await startServer({
    store: { url: storeUrl },
    port: 0,
    webDir: false,
    dataDir: join(ROOT, '.juror', schema),
    queue: { redisUrl: REDIS, queue },
  });
  const children: ChildProcess[] = [];
  try {
    const env = {
      ...process.env,
      JUROR_DATABASE_URL: storeUrl,
      JUROR_REDIS_URL: REDIS,
      JUROR_QUEUE: queue,
      OPENAI_BASE_URL: llmUrl,
      OPENAI_API_KEY: 'bench',
    };
    for (let i = 0; i < workers; i++) children.push(await worker(env, server.dataDir));
    const csv = 'question,answer\n' + Array.from({ length: ROWS }, (_, i) => `question ${i % 97},answer ${i}`).join('\n') + '\n';
    const form = new FormData();
    form.append('file', new Blob([csv]), 'bench.csv');
    const dataset = (await (await fetch(`${server.url}/api/datasets`, { method: 'POST', body: form })).json()) as { id: string };
    const config = {
      judge_model: 'openai:/gpt-bench',
      col_mapping: { inputs: 'question', predictions: 'answer' },
      providers: { openai: { max_concurrency: CAP } },
      metrics: [{ name: `quality_${schema}`, definition: 'How good the answer is.', grading_prompt: 'Score 1-5.' }],
    };
    const started = performance.now();
    const response = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset_id: dataset.id, config }),
    });
    const { job_id: jobId } = (await response.json()) as { job_id: string };
    for (;;) {
      const job = (await (await fetch(`${server.url}/api/jobs/${jobId}`)).json()) as { status: string; error?: string };
      if (job.status === 'completed') break;
      if (job.status !== 'queued' && job.status !== 'running') throw new Error(`bench job ended ${job.status}: ${job.error}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, workerCpuS: children.reduce((sum, child) => sum + cpuSeconds(child.pid!), 0) };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await server.close();
    await sql(`drop schema ${schema} cascade`);
  }
}

/** A `juror worker` process, resolved once it takes jobs. */
async function worker(env: NodeJS.ProcessEnv, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '2', '--data-dir', dataDir], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((res, rej) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (stderr.includes('taking jobs')) res();
    });
    child.once('exit', () => rej(new Error(`juror worker exited: ${stderr}`)));
  });
  return child;
}

/** User + system CPU seconds a live process has used (Linux /proc; clock ticks of 100 Hz). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function sql(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}
