/**
 * The Vercel AI SDK's `experimental_telemetry` spans (ai-sdk.dev/docs/ai-sdk-core/telemetry). Each
 * model call is an `ai.generateText.doGenerate` / `ai.streamText.doStream` span (`ai.operationId`)
 * with `ai.prompt.messages` (the messages as sent), `ai.response.text`, `ai.model.id` and
 * `ai.usage.*` (`inputTokens`/`outputTokens` since AI SDK 5, `promptTokens`/`completionTokens`
 * before). The enclosing `ai.generateText` span repeats the first prompt and the last answer of
 * all its steps; it is not a call of its own, so it is not an interaction.
 */
import { jsonValue, messagesOf, textOf, type Convention, type Message } from './call.js';

const CALLS = /^ai\.\w+\.(doGenerate|doStream)$/;

/** The AI SDK's telemetry. */
export const aiSdk: Convention = {
  name: 'ai-sdk',
  llmCall(span, attributes) {
    const operation = attributes.get('ai.operationId');
    if (!CALLS.test(typeof operation === 'string' ? operation : span.name)) return undefined;
    const text = attributes.string('ai.response.text');
    const toolCalls = attributes.string('ai.response.toolCalls');
    return {
      messages: sentMessages(attributes.get('ai.prompt.messages'), attributes.get('ai.prompt')),
      response: text || toolCalls || '',
      model: attributes.firstString('ai.response.model', 'ai.model.id'),
      inputTokens: attributes.firstNumber('ai.usage.inputTokens', 'ai.usage.promptTokens', 'gen_ai.usage.input_tokens'),
      outputTokens: attributes.firstNumber('ai.usage.outputTokens', 'ai.usage.completionTokens', 'gen_ai.usage.output_tokens'),
    };
  },
};

/** `ai.prompt.messages`, or else `ai.prompt` (`{system?, prompt?, messages?}`) as older versions wrote on every span. */
function sentMessages(messages: unknown, prompt: unknown): Message[] {
  if (messages !== undefined) return messagesOf(messages);
  const parsed = jsonValue(prompt);
  if (typeof parsed !== 'object' || parsed === null) return typeof parsed === 'string' ? [{ role: 'user', content: parsed }] : [];
  const { system, prompt: text, messages: list } = parsed as Record<string, unknown>;
  return [
    ...(typeof system === 'string' ? [{ role: 'system', content: system }] : []),
    ...(text !== undefined ? [{ role: 'user', content: textOf(text) }] : []),
    ...messagesOf(list),
  ];
}
