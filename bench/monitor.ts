/**
 * `npm run bench -- monitor` (issue #13 §5): a monitor under load, with `juror serve` on SQLite in a
 * process of its own (its memory is its own) and the scripted LLM server in another (run.ts's).
 * - Sustained OTLP/HTTP protobuf ingest (bench/ingest.ts's spans, 100 a batch, paced at a rate) with a
 *   monitor sampling 10%, judged at 100 ms latency: the lag (arrival → scored) per 5 s of arrival must
 *   stay bounded, not grow. At the target 5,000 interactions/s, and at a rate the monitor's provider
 *   limit can judge (the engine's default of 16 calls in flight: 160 calls/s at 100 ms).
 * - A backlog of 100,000 interactions stored before a monitor judging all of them starts: the server's
 *   RSS and heap while it drains must stay bounded.
 * Run with `npm run bench -- monitor`; `npx tsx bench/monitor.ts serve <db>` is the server process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { sampled } from '../src/monitoring/monitor-spec.js';
import { startServer } from '../src/server/app.js';
import { encodedBatches } from './ingest.js';

const ROOT = resolve(import.meta.dirname, '..');
const SPANS_PER_BATCH = 100;
const IN_FLIGHT = 4;
const SAMPLE = 0.1;
const BUCKET_S = 5;
const BACKLOG = 100_000;

/** The scripted LLM server of run.ts, in its own process. */
export interface BenchLlm {
  url: string;
  close(): void;
}

type Line = (name: string, figure: string, target: string, ok: boolean) => void;

/** Runs the scenarios with `startLlm` (run.ts's server process) and prints with `line`. */
export async function monitorBenchmark(startLlm: (options: Record<string, unknown>) => Promise<BenchLlm>, line: Line): Promise<void> {
  const slow = await startLlm({ latencyMs: 100 });
  try {
    for (const rate of [5000, 1000]) await sustained(slow.url, rate, 30, line);
  } finally {
    slow.close();
  }
  const fast = await startLlm({ latencyMs: 0 });
  try {
    await backlog(fast.url, line);
  } finally {
    fast.close();
  }
}

/** Ingest paced at `rate` interactions/s for `seconds`, a monitor sampling 10%: the lag per 5 s of arrival. */
async function sustained(llmUrl: string, rate: number, seconds: number, line: Line): Promise<void> {
  const bodies = encodedBatches(Math.round((rate * seconds) / SPANS_PER_BATCH));
  const server = await juror(llmUrl);
  try {
    const monitorId = await createMonitor(server.url, SAMPLE);
    const started = performance.now();
    await send(server.url, bodies, rate);
    const sentS = (performance.now() - started) / 1000;
    const expected = sampledCount(server.db);
    const drained = await judgedBy(server.url, monitorId, expected, 120_000);
    const buckets = lagBuckets(server.db);
    const firstMax = Math.max(...buckets.slice(0, 2).map((b) => b.maxS));
    const lastMax = Math.max(...buckets.slice(-2).map((b) => b.maxS));
    const ok = drained && lastMax <= 2 * firstMax + 1;
    line(
      `ingest ${rate}/s for ${seconds} s, monitor 10% at 100 ms`,
      `${Math.round((bodies.length * SPANS_PER_BATCH) / sentS)} interactions/s sent, ${expected} judged${drained ? '' : ' (not all within 2 min)'}, lag max ${firstMax.toFixed(1)} s → ${lastMax.toFixed(1)} s`,
      'lag not growing',
      ok,
    );
    console.log(`      lag per ${BUCKET_S} s of arrival (max): ${buckets.map((b) => `${b.fromS}s ${b.maxS.toFixed(1)}`).join(' | ')}`);
  } finally {
    await server.close();
  }
}

/** 100,000 interactions stored, then a monitor judging every one: the server's memory while it drains. */
async function backlog(llmUrl: string, line: Line): Promise<void> {
  const server = await juror(llmUrl);
  try {
    await send(server.url, encodedBatches(BACKLOG / SPANS_PER_BATCH), Infinity);
    const before = await server.memory();
    const started = performance.now();
    const monitorId = await createMonitor(server.url, 1);
    const samples: Array<{ judged: number; rss: number; heap: number }> = [];
    let judged = 0;
    while (judged < BACKLOG && performance.now() - started < 900_000) {
      await new Promise((r) => setTimeout(r, 1000));
      judged = (await monitor(server.url, monitorId)).judged;
      const memory = await server.memory();
      samples.push({ judged, rss: memory.rss, heap: memory.heapUsed });
    }
    const seconds = (performance.now() - started) / 1000;
    const mb = (bytes: number) => bytes / 2 ** 20;
    const peakRss = Math.max(...samples.map((s) => s.rss));
    const peakHeap = Math.max(...samples.map((s) => s.heap));
    // Bounded: the second half of the drain needs no more memory than the first.
    const half = samples.filter((s) => s.judged <= BACKLOG / 2);
    const firstHalfRss = Math.max(...half.map((s) => s.rss));
    const ok = judged >= BACKLOG && peakRss <= firstHalfRss * 1.25 && mb(peakRss) <= 500;
    line(
      `backlog of ${BACKLOG.toLocaleString('en')} drains (monitor 100%, 0 ms)`,
      `${seconds.toFixed(0)} s, ${judged} judged, RSS ${mb(before.rss).toFixed(0)} → peak ${mb(peakRss).toFixed(0)} MB (1st half ${mb(firstHalfRss).toFixed(0)}), heap peak ${mb(peakHeap).toFixed(0)} MB`,
      '≤ 500 MB, 2nd half ≤ 1.25× 1st',
      ok,
    );
  } finally {
    await server.close();
  }
}

/** `juror serve` on a fresh SQLite store in its own process; its database is read here once judged. */
async function juror(llmUrl: string): Promise<{
  url: string;
  db: Database.Database;
  memory(): Promise<{ rss: number; heapUsed: number }>;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'juror-bench-monitor-'));
  const path = join(dir, 'juror.db');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/monitor.ts'), 'serve', path], {
    cwd: ROOT,
    env: { ...process.env, OPENAI_BASE_URL: llmUrl, OPENAI_API_KEY: 'bench' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<string>((res) => waiting.push(res));
  const url = await next();
  const db = new Database(path, { readonly: true });
  return {
    url,
    db,
    memory: async () => {
      child.stdin!.write('memory\n');
      return JSON.parse(await next()) as { rss: number; heapUsed: number };
    },
    close: async () => {
      db.close();
      const exited = new Promise((res) => child.once('exit', res));
      child.stdin!.end();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createMonitor(url: string, sampleRate: number): Promise<string> {
  const response = await fetch(`${url}/api/monitors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench',
      app: 'bench-app',
      sample_rate: sampleRate,
      metrics: [{ name: 'helpful', definition: 'How helpful the answer is.', grading_prompt: 'Score 1-5.' }],
      judge_model: 'openai:/gpt-bench',
      window: '1m',
    }),
  });
  if (response.status !== 201) throw new Error(`monitor refused: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

async function monitor(url: string, id: string): Promise<{ judged: number }> {
  return (await (await fetch(`${url}/api/monitors/${id}`)).json()) as { judged: number };
}

/** POSTs `bodies`, IN_FLIGHT at a time, batch i not before i / (rate / 100) s from the start. */
async function send(url: string, bodies: Uint8Array[], rate: number): Promise<void> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const due = started + (i * SPANS_PER_BATCH * 1000) / rate;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        const response = await fetch(`${url}/api/otlp/v1/traces`, {
          method: 'POST',
          body: bodies[i]!,
          headers: { 'content-type': 'application/x-protobuf' },
        });
        if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
}

/** How many stored interactions a 10% sample keeps (sampling is a function of the id). */
function sampledCount(db: Database.Database): number {
  const ids = db.prepare('select id from interactions').pluck().all() as string[];
  return ids.filter((id) => sampled(id, SAMPLE)).length;
}

async function judgedBy(url: string, id: string, expected: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await monitor(url, id)).judged >= expected) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** The largest lag (arrival → scored) of the interactions arrived in each BUCKET_S seconds. */
function lagBuckets(db: Database.Database): Array<{ fromS: number; maxS: number }> {
  const rows = db
    .prepare('select i.received_at as at, s.lag_ms as lag from monitor_scores s join interactions i on i.id = s.interaction_id')
    .all() as Array<{ at: string; lag: number }>;
  const start = Math.min(...rows.map((r) => Date.parse(r.at)));
  const buckets = new Map<number, number>();
  for (const row of rows) {
    const bucket = Math.floor((Date.parse(row.at) - start) / 1000 / BUCKET_S);
    buckets.set(bucket, Math.max(buckets.get(bucket) ?? 0, row.lag / 1000));
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, maxS]) => ({ fromS: bucket * BUCKET_S, maxS }));
}

/** The server process: `juror serve`'s server on the SQLite file argv[3], answering `memory` on stdin with its memory use. */
async function serve(path: string): Promise<void> {
  const server = await startServer({ store: { path }, port: 0, webDir: false, dataDir: join(path, '..', 'data') });
  process.stdout.write(`${server.url}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l === 'memory') process.stdout.write(JSON.stringify(process.memoryUsage()) + '\n');
  });
  lines.on('close', () => void server.close().then(() => process.exit(0)));
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'serve') await serve(process.argv[3]!);
