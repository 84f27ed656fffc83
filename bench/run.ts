/**
 * `npm run bench`: Juror's engine against the scripted server in a separate process, on this
 * machine. Prints each scenario's figures against its target. Scenario names select a subset:
 * `npm run bench -- concurrency cache`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { evaluate, makeGenaiMetric, type EvaluateOptions } from '../src/index.js';
import { distillBenchmark } from './distill.js';
import { ingestBenchmark } from './ingest.js';
import { monitorBenchmark } from './monitor.js';
import { startupBenchmark } from './startup.js';
import { workersBenchmark } from './workers.js';

const ROOT = resolve(import.meta.dirname, '..');
const judge = makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5.' });

interface Server {
  url: string;
  stats(): Promise<{ received: number; answered: number; rateLimited: number; maxInFlight: number }>;
  close(): void;
}

async function startServer(options: Record<string, unknown>): Promise<Server> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/server.ts'), JSON.stringify(options)],
    { cwd: ROOT },
  );
  const lines = createInterface({ input: child.stdout });
  const queue: Array<(line: string) => void> = [];
  lines.on('line', (line) => queue.shift()?.(line));
  const next = () => new Promise<string>((res) => queue.push(res));
  const url = await next();
  return {
    url,
    stats: async () => {
      child.stdin.write('stats\n');
      return JSON.parse(await next());
    },
    close: () => child.stdin.end(),
  };
}

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({ inputs: `question ${i % 97}`, outputs: `answer ${i}` }));
}

function judgeRun(server: Server, extra: Partial<EvaluateOptions>): EvaluateOptions {
  return {
    data: rows(5000),
    metrics: [judge],
    judgeModel: 'openai:/gpt-bench',
    env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'bench' },
    collectTable: false,
    rowConcurrency: 256,
    ...extra,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

function line(name: string, figure: string, target: string, ok: boolean) {
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name.padEnd(46)} ${figure.padEnd(44)} target ${target}`);
}

const scenarios: Record<string, () => Promise<void>> = {
  async concurrency() {
    const server = await startServer({ latencyMs: 200, maxConcurrent: 64 });
    const dir = mkdtempSync(join(tmpdir(), 'juror-bench-'));
    try {
      const limit = (5000 * 0.2) / 64;
      for (const max of [64, 96]) {
        const run = await timed(() =>
          evaluate(judgeRun(server, { store: { path: join(dir, `c${max}.db`) }, providers: { openai: { maxConcurrency: max } } })),
        );
        const stats = await server.stats();
        const ratio = run.seconds / limit;
        line(
          `5,000 calls, 200 ms, cap 64, max_concurrency ${max}`,
          `${run.seconds.toFixed(2)} s = ${ratio.toFixed(3)}× N·L/C, ${stats.rateLimited} × 429`,
          '≤ 1.10×',
          ratio <= 1.1,
        );
        if (max === 64) {
          const cached = await timed(() =>
            evaluate(judgeRun(server, { store: { path: join(dir, `c${max}.db`) }, providers: { openai: { maxConcurrency: max } } })),
          );
          const after = await server.stats();
          line(
            'the same again, from the cache',
            `${after.received - stats.received} provider calls, ${cached.seconds.toFixed(2)} s`,
            '0 calls',
            after.received === stats.received,
          );
        }
      }
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async rate() {
    const server = await startServer({ latencyMs: 200, requestsPerSecond: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'juror-bench-'));
    try {
      const run = await timed(() =>
        evaluate(judgeRun(server, { store: { path: join(dir, 'r.db') }, providers: { openai: { maxConcurrency: 64 } } })),
      );
      const stats = await server.stats();
      const ratio = run.seconds / 50;
      line(
        '5,000 calls, server limit 100 requests/s',
        `${run.seconds.toFixed(2)} s = ${ratio.toFixed(3)}× N/R, ${stats.rateLimited} × 429`,
        '≤ 1.10×',
        ratio <= 1.1,
      );
      const paced = await timed(() =>
        evaluate(
          judgeRun(server, { store: { path: join(dir, 'r2.db') }, cache: false, providers: { openai: { maxConcurrency: 64, rpm: 6000 } } }),
        ),
      );
      const after = await server.stats();
      line(
        'the same with rpm: 6000 configured',
        `${paced.seconds.toFixed(2)} s = ${(paced.seconds / 50).toFixed(3)}× N/R, ${after.rateLimited - stats.rateLimited} × 429`,
        '≤ 1.10×',
        paced.seconds / 50 <= 1.1,
      );
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async capped() {
    // Issue #10: a provider that takes 16 calls at a time, asked for 64; 429s with Retry-After 1 s, then without one.
    for (const [variant, concurrencyRetryAfterMs] of [
      ['Retry-After 1 s', 1000],
      ['no Retry-After', null],
    ] as const) {
      const server = await startServer({ latencyMs: 50, maxConcurrent: 16, concurrencyRetryAfterMs });
      const dir = mkdtempSync(join(tmpdir(), 'juror-bench-'));
      try {
        const run = await timed(() =>
          evaluate(
            judgeRun(server, { data: rows(2000), store: { path: join(dir, 'k.db') }, providers: { openai: { maxConcurrency: 64 } } }),
          ),
        );
        const stats = await server.stats();
        const ratio = run.seconds / ((2000 * 0.05) / 16);
        const errors = run.value.errors['quality/v1'] ?? 0;
        line(
          `2,000 calls, 50 ms, cap 16, max_concurrency 64, ${variant}`,
          `${run.seconds.toFixed(2)} s = ${ratio.toFixed(3)}× N·L/cap, ${stats.rateLimited} × 429, ${errors} errors`,
          '≤ 1.25×, 0 errors',
          ratio <= 1.25 && errors === 0,
        );
      } finally {
        server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  },

  async throughput() {
    const server = await startServer({ latencyMs: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'juror-bench-'));
    try {
      const run = await timed(() =>
        evaluate(
          judgeRun(server, { data: rows(10000), store: { path: join(dir, 't.db') }, providers: { openai: { maxConcurrency: 64 } } }),
        ),
      );
      const perSecond = 10000 / run.seconds;
      line(
        'zero-latency server, 10,000 calls',
        `${perSecond.toFixed(0)} calls/s, ${(run.cpuMs / 10000).toFixed(3)} CPU ms/call`,
        '≥ 2,000/s',
        perSecond >= 2000,
      );
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async million() {
    const dir = mkdtempSync(join(tmpdir(), 'juror-bench-'));
    try {
      const data = join(dir, 'million.jsonl');
      const out = createWriteStream(data);
      for (let i = 0; i < 1_000_000; i++) out.write(`{"question":"q${i}","answer":"a${i % 3}","expected":"a${i % 2}"}\n`);
      await new Promise((res) => out.end(res));
      writeFileSync(
        join(dir, 'juror.yaml'),
        'data: million.jsonl\ncol_mapping: { predictions: answer, targets: expected }\nmetrics: [exact_match]\n',
      );
      const started = performance.now();
      const child = spawn(
        '/usr/bin/time',
        ['-f', '%M', process.execPath, join(ROOT, 'bin/juror.js'), 'eval', join(dir, 'juror.yaml'), '--db', join(dir, 'juror.db')],
        { cwd: dir },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((res) => child.on('close', res));
      const seconds = (performance.now() - started) / 1000;
      const peakMb = Number(stderr.trim().split('\n').at(-1)) / 1024;
      line(
        '1,000,000 rows, exact_match, to SQLite',
        `${seconds.toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB, exit ${code}`,
        '≤ 500 MB',
        peakMb <= 500 && code === 0,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  /** `juror --version`, `juror runs list` and `juror eval` to its first call, as whole processes. */
  startup: startupBenchmark,
  /** Sustained OTLP/HTTP protobuf batches of 100 spans into SQLite (issue #13). */
  ingest: () => ingestBenchmark(),
  /** `juror worker` processes over Postgres and Redis (issue #12 §4). */
  workers: () => workersBenchmark(startServer, line),
  /** Training a distilled judge on 10,000 rows, and scoring with it in a run (issue #15 §4). */
  distill: () => distillBenchmark(line),
  /** A monitor judging sustained OTLP ingest, and draining a backlog of 100,000 interactions (issue #13 §5). */
  monitor: () => monitorBenchmark(startServer, line),
};

const chosen = process.argv.slice(2).filter((a) => a in scenarios);
for (const name of chosen.length ? chosen : Object.keys(scenarios)) await scenarios[name]!();
