/**
 * `npx tsx bench/ingest.ts [batches]` (scenario `ingest` of bench/run.ts): sustained OTLP/HTTP
 * protobuf ingest into SQLite. Spans are made by the OpenTelemetry SDK (GenAI chat spans with
 * input/output messages, usage and a few app attributes, as instrumented apps send them) and
 * serialized by the official protobuf serializer before timing; then batches of 100 spans are
 * POSTed to a server in this process, 4 in flight, each answered only once stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startServer } from '../src/server/app.js';
import { InteractionRepository } from '../src/store/interactions.js';

const SPANS_PER_BATCH = 100;
const IN_FLIGHT = 4;
const TARGET = 5000;

/** Protobuf bodies of `batches` × 100 GenAI chat spans, each span distinct. */
export function encodedBatches(batches: number): Uint8Array[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-app' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('bench');
  const bodies: Uint8Array[] = [];
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < SPANS_PER_BATCH; i++) {
      const n = b * SPANS_PER_BATCH + i;
      tracer
        .startSpan('chat gpt-4o-mini', {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.usage.input_tokens': 120,
            'gen_ai.usage.output_tokens': 40,
            'gen_ai.input.messages': JSON.stringify([
              { role: 'user', parts: [{ type: 'text', content: `Question ${n}: what does the refund policy say about damaged items?` }] },
            ]),
            'gen_ai.output.messages': JSON.stringify([
              {
                role: 'assistant',
                parts: [{ type: 'text', content: `Answer ${n}: damaged items are refunded within 30 days with a photo.` }],
              },
            ]),
            'user.id': `u${n % 1000}`,
            'session.id': `s${n % 5000}`,
          },
        })
        .end();
    }
    bodies.push(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!);
    memory.reset();
  }
  return bodies;
}

/** Runs the benchmark and prints its line. */
export async function ingestBenchmark(batches = 300): Promise<void> {
  const bodies = encodedBatches(batches);
  const dir = mkdtempSync(join(tmpdir(), 'juror-bench-ingest-'));
  const server = await startServer({ store: { path: join(dir, 'juror.db') }, port: 0, webDir: false, dataDir: join(dir, 'data') });
  try {
    const post = async (body: Uint8Array) => {
      const response = await fetch(`${server.url}/api/otlp/v1/traces`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf' },
      });
      if (response.status !== 200 || response.headers.get('x-juror-interactions') !== String(SPANS_PER_BATCH))
        throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    await post(bodies[0]!);
    let next = 1;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < bodies.length) await post(bodies[next++]!);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const perSecond = ((bodies.length - 1) * SPANS_PER_BATCH) / seconds;
    const { total } = await new InteractionRepository(server.store).list({ limit: 1 });
    const ok = perSecond >= TARGET && total === bodies.length * SPANS_PER_BATCH;
    console.log(
      `${ok ? 'PASS' : 'MISS'}  ${'OTLP protobuf ingest, 100-span batches, SQLite'.padEnd(46)} ${`${Math.round(perSecond)} interactions/s (${total} stored)`.padEnd(44)} target ≥ ${TARGET}/s`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await ingestBenchmark(Number(process.argv[2] ?? 300));
