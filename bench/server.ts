/**
 * The scripted OpenAI-compatible server as its own process, so that a benchmark's client and
 * server do not share a core's time. Options come as JSON in argv[2]; prints the URL, then serves
 * until stdin closes, answering `stats` lines on stdin with the server's counters.
 */
import { createInterface } from 'node:readline';
import { startLlmServer, verdict, type LlmServerOptions } from '../test/fixtures/llm-server.js';

const options = JSON.parse(process.argv[2] ?? '{}') as LlmServerOptions;
const server = await startLlmServer({ ...options, record: false, handler: () => verdict(4, 'benchmark verdict') });
process.stdout.write(`${server.url}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'stats') process.stdout.write(JSON.stringify(server.stats) + '\n');
  if (line === 'reset') server.reset();
});
lines.on('close', () => void server.close().then(() => process.exit(0)));
