/**
 * Test helpers for the API: a Juror server started in-process on port 0 over a fresh SQLite
 * store in a temp dir, with the scripted LLM server as its OpenAI endpoint, and a tiny JSON
 * client that returns status and body without throwing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { judgeSystemPrompt } from '../../src/judges/prompt.js';
import { startServer, type JurorServer, type ServerOptions } from '../../src/server/app.js';
import type { StoreLocation } from '../../src/store/store.js';
import type { LlmServer } from '../fixtures/llm-server.js';

export interface TestServer extends JurorServer {
  dir: string;
  /** Sends a request to the server; `body` objects are sent as JSON. Bodies are untyped: tests check their shape. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call<T = any>(
    method: string,
    path: string,
    init?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Closes the server and removes its temp dir. */
  stop(): Promise<void>;
}

/** The stores the SQL-heavy tests run against: SQLite in the temp dir, and Postgres on 127.0.0.1:5432 (database `test`, a fresh schema). */
export const STORES: Array<[name: string, location: (dir: string) => Promise<{ store: StoreLocation; drop(): Promise<void> }>]> = [
  ['SQLite', async (dir) => ({ store: { path: join(dir, 'juror.db') }, drop: async () => undefined })],
  [
    'Postgres',
    async () => {
      const schema = `juror_server_${process.pid}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = 'postgres://postgres@127.0.0.1:5432/test';
      const run = async (query: string) => {
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        try {
          await client.query(query);
        } finally {
          await client.end();
        }
      };
      await run(`create schema ${schema}`);
      return { store: { url: `${admin}?options=-c%20search_path%3D${schema}` }, drop: () => run(`drop schema ${schema} cascade`) };
    },
  ],
];

/** Starts a server on 127.0.0.1:0 with responses checked against their schemas (SQLite in a temp dir unless `storeKind` says Postgres). */
export async function startTestServer(options: Partial<ServerOptions> & { llm?: LlmServer; storeKind?: string } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'juror-server-'));
  const { llm, storeKind, ...rest } = options;
  const location = await STORES.find(([name]) => name === (storeKind ?? 'SQLite'))![1](dir);
  const server = await startServer({
    store: location.store,
    dataDir: join(dir, 'datasets'),
    port: 0,
    webDir: false,
    checkResponses: true,
    env: llm ? { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test' } : {},
    ...rest,
  });
  return {
    ...server,
    dir,
    close: () => server.close(),
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: RequestInit['body'];
      if (init.body instanceof FormData || typeof init.body === 'string') body = init.body;
      else if (init.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.body);
      }
      const response = await fetch(server.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    async stop() {
      await server.close();
      await location.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A multipart form with one file. */
export function fileForm(name: string, content: string | Uint8Array, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([content]), name);
  return form;
}

/** Polls a job until it leaves queued/running. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function waitForJob(server: TestServer, jobId: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await server.call('GET', `/api/jobs/${jobId}`);
    if (!['queued', 'running'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The text between the opening and closing tag of the block named `name` in a judge's message. */
export function block(message: string, name: string): string | undefined {
  const match = new RegExp(`<(data-[0-9a-f]+) name="${name}">\\n([\\s\\S]*?)\\n</\\1>`).exec(message);
  return match?.[2];
}

/** What seedRun writes for one row × metric: a value, or an error. */
export type SeededResult = { value: number; label?: string } | { error: string };

/**
 * Writes a finished run straight into the store (no LLM): `rows` records, and for each metric
 * key the outcome `result(row, metric)` gives (undefined leaves the result out).
 */
export async function seedRun(
  store: import('../../src/store/store.js').Store,
  options: {
    experiment?: string;
    name?: string;
    rows: number;
    judges?: import('../../src/judges/definition.js').Judge[];
    metrics: string[];
    result: (row: number, metric: string) => SeededResult | undefined;
    status?: 'finished' | 'running';
  },
): Promise<string> {
  const run = await store.createRun({
    experiment: options.experiment ?? 'seeded',
    ...(options.name ? { name: options.name } : {}),
    config: { metrics: options.metrics },
    dataset: { name: 'seeded', hash: 'sha256:0', rowCount: options.rows, format: 'memory', columns: ['inputs', 'outputs'] },
    rowCount: options.rows,
    judges: (options.judges ?? []).map((judge) => ({ judge, systemPrompt: judgeSystemPrompt(judge) })),
  });
  const rows = [];
  const results = [];
  for (let i = 0; i < options.rows; i++) {
    rows.push({
      run_id: run.id,
      row_index: i,
      record: JSON.stringify({ inputs: `question ${i}`, outputs: `answer ${i}` }),
      outputs: null,
      model_latency_ms: null,
      model_input_tokens: null,
      model_output_tokens: null,
      model_error: null,
    });
    for (const metric of options.metrics) {
      const outcome = options.result(i, metric);
      if (!outcome) continue;
      const ok = 'value' in outcome;
      results.push({
        run_id: run.id,
        row_index: i,
        metric,
        value: ok ? outcome.value : null,
        score: ok ? String(outcome.value) : null,
        label: ok ? (outcome.label ?? null) : null,
        justification: ok ? `row ${i} gets ${outcome.value}` : null,
        raw: ok ? JSON.stringify({ justification: `row ${i}`, score: outcome.value }) : 'not json',
        details: null,
        prompt: `judge this: question ${i}`,
        input_tokens: 10,
        output_tokens: 5,
        cost_usd: 0.001,
        latency_ms: 12,
        error: ok ? null : outcome.error,
      });
    }
  }
  await store.writeBatch(rows, results);
  if (options.status !== 'running') {
    await store.writeSummary(run.id, {
      metrics: Object.fromEntries(options.metrics.map((m) => [`${m}/mean`, 1])),
      perMetric: options.metrics.map((metric) => ({
        run_id: run.id,
        metric,
        rows_scored: options.rows,
        error_count: 0,
        input_tokens: 10,
        output_tokens: 5,
        cost_usd: 0.001,
      })),
      run: { status: 'finished', finished_at: new Date().toISOString(), rows_done: options.rows },
    });
  }
  return run.id;
}
