/** Reading judge requests as the scripted server received them, shared by the tests. */
import type { ChatRequest } from '../fixtures/llm-server.js';

/** The text inside the block named `name` (`<data-… name="…">`) of a message, if it has one. */
export function block(message: string, name: string): string | undefined {
  return new RegExp(`<(data-[0-9a-f]+) name="${name}">\\n([\\s\\S]*?)\\n</\\1>`).exec(message)?.[2];
}

/** The system message of a request. */
export function systemOf(req: ChatRequest): string {
  return req.body.messages.find((m: { role: string }) => m.role === 'system').content;
}
