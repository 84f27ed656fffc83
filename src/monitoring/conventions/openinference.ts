/**
 * OpenInference (Arize Phoenix; github.com/Arize-ai/openinference spec/semantic_conventions.md):
 * `openinference.span.kind` says what a span is. An `LLM` span has `llm.input_messages.N.message.*`
 * and `llm.output_messages.N.message.*`, else `input.value` / `output.value` (text, or JSON when
 * `*.mime_type` says so); a `RETRIEVER` span has `retrieval.documents.N.document.content`.
 */
import type { AttributeReader } from '../span.js';
import { jsonValue, messagesOf, textOf, type Convention, type Message } from './call.js';

/** The OpenInference conventions. */
export const openInference: Convention = {
  name: 'openinference',
  llmCall(_span, attributes) {
    if (attributes.get('openinference.span.kind') !== 'LLM') return undefined;
    const output = attributes.indexed('llm.output_messages').map(message);
    const input = attributes.indexed('llm.input_messages').map(message);
    return {
      messages: input.length > 0 ? input : valueMessages(attributes),
      response: output[0]?.content ?? valueText(attributes, 'output'),
      model: attributes.string('llm.model_name'),
      inputTokens: attributes.number('llm.token_count.prompt'),
      outputTokens: attributes.number('llm.token_count.completion'),
    };
  },
  retrieval(_span, attributes) {
    if (attributes.get('openinference.span.kind') !== 'RETRIEVER') return undefined;
    return attributes
      .indexed('retrieval.documents')
      .map((d) => d['document.content'])
      .filter((c): c is string => typeof c === 'string');
  },
};

function message(flat: Record<string, unknown>): Message {
  return { role: typeof flat['message.role'] === 'string' ? flat['message.role'] : 'user', content: textOf(flat['message.content'] ?? '') };
}

/** `input.value` as messages: an OpenAI-style body's `messages`, else the text as one user message. */
function valueMessages(attributes: AttributeReader): Message[] {
  const value = attributes.get('input.value');
  attributes.get('input.mime_type');
  const parsed = jsonValue(value);
  if (typeof parsed === 'object' && parsed !== null && 'messages' in parsed) return messagesOf((parsed as { messages: unknown }).messages);
  const text = valueText(attributes, 'input');
  return text ? [{ role: 'user', content: text }] : [];
}

function valueText(attributes: AttributeReader, which: 'input' | 'output'): string {
  attributes.get(`${which}.mime_type`);
  return attributes.string(`${which}.value`) ?? '';
}
