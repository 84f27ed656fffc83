import { describe, expect, it } from 'vitest';
import { AttributeReader } from '../span.js';
import { genAi } from './gen-ai.js';
import { testSpan } from '../../../test/support/spans.js';

const read = (span: ReturnType<typeof testSpan>) => genAi.llmCall(span, new AttributeReader(span.attributes));

describe('GenAI semantic conventions', () => {
  it('reads gen_ai.input.messages / output.messages with system instructions, model and usage', () => {
    const call = read(
      testSpan({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 2,
        'gen_ai.system_instructions': '[{"type":"text","content":"Be kind."}]',
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Hi"},{"type":"uri","uri":"https://x/img.png"}]}]',
        'gen_ai.output.messages':
          '[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"},{"role":"assistant","parts":[{"type":"text","content":"Alt"}]}]',
      }),
    );
    expect(call).toEqual({
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hi' },
      ],
      response: 'Hello!',
      model: 'gpt-4o',
      inputTokens: 10,
      outputTokens: 2,
    });
  });

  it('reads the flattened gen_ai.prompt.N / gen_ai.completion.N attributes in index order (10 after 9)', () => {
    const attributes: Record<string, string> = { 'gen_ai.completion.0.content': 'done', 'gen_ai.usage.prompt_tokens': '7' };
    for (let i = 0; i <= 10; i++)
      Object.assign(attributes, { [`gen_ai.prompt.${i}.role`]: 'user', [`gen_ai.prompt.${i}.content`]: `m${i}` });
    const call = read(testSpan(attributes));
    expect(call?.messages.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    expect(call).toMatchObject({ response: 'done', inputTokens: 7 });
  });

  it('reads gen_ai.*.message and gen_ai.choice span events, the choice of index 0', () => {
    const call = read(
      testSpan(
        { 'gen_ai.operation.name': 'chat' },
        {
          events: [
            { name: 'gen_ai.system.message', attributes: { content: 'sys' } },
            { name: 'gen_ai.user.message', attributes: { content: 'question' } },
            { name: 'gen_ai.choice', attributes: { index: 1, message: { role: 'assistant', content: 'second' } } },
            { name: 'gen_ai.choice', attributes: { index: 0, message: '{"role":"assistant","content":"first"}' } },
          ],
        },
      ),
    );
    expect(call).toMatchObject({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'question' },
      ],
      response: 'first',
    });
  });

  it('is not an LLM call without captured content (an HTTP span, or a chat span with content capture off)', () => {
    expect(read(testSpan({ 'http.method': 'POST' }))).toBeUndefined();
    expect(read(testSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }))).toBeUndefined();
  });
});
