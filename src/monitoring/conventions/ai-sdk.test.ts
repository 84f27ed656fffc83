import { describe, expect, it } from 'vitest';
import { AttributeReader } from '../span.js';
import { aiSdk } from './ai-sdk.js';
import { testSpan } from '../../../test/support/spans.js';

const read = (span: ReturnType<typeof testSpan>) => aiSdk.llmCall(span, new AttributeReader(span.attributes));

describe('AI SDK telemetry', () => {
  it('reads a doGenerate span: ai.prompt.messages, ai.response.text, model and usage (v5+ and v4 names)', () => {
    const messages = JSON.stringify([
      { role: 'system', content: 'Translate.' },
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
    ]);
    const call = read(
      testSpan({
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.prompt.messages': messages,
        'ai.response.text': 'Hola',
        'ai.model.id': 'gpt-4o',
        'ai.usage.promptTokens': 4,
        'ai.usage.completionTokens': 1,
      }),
    );
    expect(call).toEqual({
      messages: [
        { role: 'system', content: 'Translate.' },
        { role: 'user', content: 'Hello' },
      ],
      response: 'Hola',
      model: 'gpt-4o',
      inputTokens: 4,
      outputTokens: 1,
    });
  });

  it('falls back to ai.prompt ({system, prompt}) and to the tool calls when there is no text', () => {
    const call = read(
      testSpan({
        'ai.operationId': 'ai.streamText.doStream',
        'ai.prompt': '{"system":"S","prompt":"P"}',
        'ai.response.toolCalls': '[{"toolName":"search"}]',
      }),
    );
    expect(call).toMatchObject({
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'P' },
      ],
      response: '[{"toolName":"search"}]',
    });
  });

  it('does not take the enclosing ai.generateText span (it repeats its steps) as a call', () => {
    expect(read(testSpan({ 'ai.operationId': 'ai.generateText', 'ai.prompt': '{"prompt":"P"}', 'ai.response.text': 'R' }))).toBeUndefined();
  });
});
