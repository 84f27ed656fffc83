/**
 * Helpers for the label-job tests: a QA dataset whose judge verdicts the scripted LLM server
 * decides from the row's answer, and waiting for a label job to reach a status.
 */
import type { ChatRequest } from '../fixtures/llm-server.js';
import { block, fileForm, type TestServer } from './helpers.js';

/** Rows `question i`, `answer i`, `context i`. */
export function qaCsv(rows: number): string {
  return 'question,answer,context\n' + Array.from({ length: rows }, (_, i) => `question ${i},answer ${i},context ${i}`).join('\n') + '\n';
}

/** Uploads {@link qaCsv} and returns the dataset id. */
export async function uploadQa(server: TestServer, rows: number, name = 'qa.csv'): Promise<string> {
  const upload = await server.call('POST', '/api/datasets', { body: fileForm(name, qaCsv(rows)) });
  if (upload.status !== 201) throw new Error(`upload failed: ${JSON.stringify(upload.body)}`);
  return upload.body.id as string;
}

/** The row number of the answer a judge request is about (from its user message), or -1. */
export function answerRow(req: ChatRequest): number {
  const answer = block(req.lastUser, 'answer') ?? block(req.lastUser, 'output') ?? '';
  const match = /^answer (\d+)$/.exec(answer);
  return match ? Number(match[1]) : -1;
}

/** The verdict the scripted judge gives row i: 0 for every third row, else 1. */
export function judged(row: number): number {
  return row % 3 === 0 ? 0 : 1;
}

/** The system message of a request. */
export function systemOf(req: ChatRequest): string {
  const system = (req.body.messages as Array<{ role: string; content: unknown }>).find((m) => m.role === 'system');
  return typeof system?.content === 'string' ? system.content : '';
}

/** Polls a label job until its status is one of `statuses`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function waitForLabelJob(server: TestServer, id: string, statuses: string[], timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await server.call('GET', `/api/label-jobs/${id}`);
    if (statuses.includes(body.status)) return body;
    if (['failed', 'cancelled'].includes(body.status) && !statuses.includes(body.status))
      throw new Error(`label job ${id} is ${body.status}: ${body.error}`);
    if (Date.now() > deadline) throw new Error(`label job ${id} still ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
