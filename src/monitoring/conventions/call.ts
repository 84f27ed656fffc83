/** What a convention reads out of an LLM span, and the helpers every convention shares to read messages. */
import type { AttributeReader, Span } from '../span.js';

/** One chat message, its content as text. */
export interface Message {
  role: string;
  content: string;
}

/** An LLM call read from a span. */
export interface LlmCall {
  /** The messages sent, in order (system instructions first). */
  messages: Message[];
  response: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
}

/** One way apps write LLM calls into spans. */
export interface Convention {
  name: string;
  /** The call, when the span is an LLM call written this way, else undefined. */
  llmCall(span: Span, attributes: AttributeReader): LlmCall | undefined;
  /** The retrieved chunks, when the span is a retrieval written this way. */
  retrieval?(span: Span, attributes: AttributeReader): string[] | undefined;
}

/**
 * The text of a message's content however it is written: a string, a list of parts
 * (`{type: 'text', text}` in the AI SDK and OpenAI, `{type: 'text', content}` in GenAI
 * conventions), or an object with `content` / `text`. Parts that are not text are left out.
 */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map(textOf)
      .filter((text) => text !== '')
      .join('\n');
  if (typeof content === 'object' && content !== null) {
    const part = content as Record<string, unknown>;
    if (part.type !== undefined && part.type !== 'text') return '';
    if (typeof part.text === 'string') return part.text;
    if (part.content !== undefined) return textOf(part.content);
    if (part.parts !== undefined) return textOf(part.parts);
  }
  return '';
}

/** A JSON value written as a string attribute (as most SDKs do), or the value itself when structured. */
export function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Messages from a list of `{role, content | parts}`; anything else gives none. */
export function messagesOf(value: unknown): Message[] {
  const list = jsonValue(value);
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    if (typeof item !== 'object' || item === null) return [];
    const message = item as Record<string, unknown>;
    return [{ role: typeof message.role === 'string' ? message.role : 'user', content: textOf(message.parts ?? message.content) }];
  });
}
