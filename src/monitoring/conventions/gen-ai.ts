/**
 * OpenTelemetry GenAI semantic conventions (semantic-conventions docs/gen-ai/), in the three forms
 * apps emit: `gen_ai.input.messages` / `gen_ai.output.messages` (JSON of `{role, parts: [{type:
 * 'text', content}]}`, with `gen_ai.system_instructions`); the older flattened
 * `gen_ai.prompt.N.role|content` / `gen_ai.completion.N.*` (OpenLLMetry); and span events
 * `gen_ai.{system,user,assistant,tool}.message` and `gen_ai.choice`. A span is an LLM call when one
 * of them gives an answer; without captured content (the default of many instrumentations) it is not.
 */
import type { AttributeReader, Span } from '../span.js';
import { jsonValue, messagesOf, textOf, type Convention, type LlmCall, type Message } from './call.js';

const MESSAGE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** The GenAI semantic conventions. */
export const genAi: Convention = {
  name: 'gen_ai',
  llmCall(span, attributes) {
    const call = fromMessageAttributes(attributes) ?? fromIndexed(attributes) ?? fromEvents(span);
    if (!call) return undefined;
    return {
      ...call,
      model: attributes.firstString('gen_ai.response.model', 'gen_ai.request.model'),
      inputTokens: attributes.firstNumber('gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'),
      outputTokens: attributes.firstNumber('gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'),
    };
  },
};

type Exchange = Pick<LlmCall, 'messages' | 'response'>;

function fromMessageAttributes(attributes: AttributeReader): Exchange | undefined {
  const output = attributes.get('gen_ai.output.messages');
  if (output === undefined) return undefined;
  const system = attributes.get('gen_ai.system_instructions');
  const systemText = system === undefined ? '' : textOf(jsonValue(system));
  return {
    messages: [...(systemText ? [{ role: 'system', content: systemText }] : []), ...messagesOf(attributes.get('gen_ai.input.messages'))],
    response: answer(messagesOf(output)),
  };
}

function fromIndexed(attributes: AttributeReader): Exchange | undefined {
  const completions = attributes.indexed('gen_ai.completion');
  if (completions.length === 0) return undefined;
  const prompts = attributes.indexed('gen_ai.prompt');
  return {
    messages: prompts.map((p) => ({ role: typeof p.role === 'string' ? p.role : 'user', content: textOf(jsonValue(p.content)) })),
    response: answer(
      completions.map((c) => ({ role: typeof c.role === 'string' ? c.role : 'assistant', content: textOf(jsonValue(c.content)) })),
    ),
  };
}

/** Event attributes carry the body's fields: `content`, or `message: {role, content}` on a choice. */
function fromEvents(span: Span): Exchange | undefined {
  const choices = span.events.filter((e) => e.name === 'gen_ai.choice');
  if (choices.length === 0) return undefined;
  const messages: Message[] = span.events
    .filter((e) => e.name in MESSAGE_EVENTS)
    .map((e) => ({
      role: MESSAGE_EVENTS[e.name]!,
      content: textOf(jsonValue(e.attributes.content ?? e.attributes['gen_ai.event.content'])),
    }));
  const first = choices.find((c) => Number(c.attributes.index ?? 0) === 0) ?? choices[0]!;
  return { messages, response: textOf(jsonValue(first.attributes.message ?? first.attributes.content)) };
}

/** The first choice's text (other choices are alternatives, not a continuation). */
function answer(messages: Message[]): string {
  return messages[0]?.content ?? '';
}
