import { describe, expect, it } from 'vitest';
import { AttributeReader } from '../span.js';
import { openInference } from './openinference.js';
import { testSpan } from '../../../test/support/spans.js';

const reader = (span: ReturnType<typeof testSpan>) => new AttributeReader(span.attributes);

describe('OpenInference', () => {
  it('reads an LLM span by llm.input_messages / llm.output_messages, model and token counts', () => {
    const span = testSpan({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'mistral',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'S',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'Q',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': 'A',
      'llm.token_count.prompt': 3,
      'llm.token_count.completion': 1,
    });
    expect(openInference.llmCall(span, reader(span))).toEqual({
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Q' },
      ],
      response: 'A',
      model: 'mistral',
      inputTokens: 3,
      outputTokens: 1,
    });
  });

  it('reads input.value / output.value, an OpenAI-style JSON body included', () => {
    const plain = testSpan({ 'openinference.span.kind': 'LLM', 'input.value': 'What?', 'output.value': 'That.' });
    expect(openInference.llmCall(plain, reader(plain))).toMatchObject({
      messages: [{ role: 'user', content: 'What?' }],
      response: 'That.',
    });
    const json = testSpan({
      'openinference.span.kind': 'LLM',
      'input.value': '{"model":"m","messages":[{"role":"user","content":"J?"}]}',
      'input.mime_type': 'application/json',
      'output.value': 'K.',
    });
    expect(openInference.llmCall(json, reader(json))).toMatchObject({ messages: [{ role: 'user', content: 'J?' }], response: 'K.' });
  });

  it('reads the documents of a RETRIEVER span, and nothing of other kinds', () => {
    const retriever = testSpan({
      'openinference.span.kind': 'RETRIEVER',
      'retrieval.documents.0.document.content': 'd0',
      'retrieval.documents.0.document.id': '7',
      'retrieval.documents.1.document.content': 'd1',
    });
    expect(openInference.retrieval!(retriever, reader(retriever))).toEqual(['d0', 'd1']);
    const chain = testSpan({ 'openinference.span.kind': 'CHAIN', 'input.value': 'x' });
    expect(openInference.llmCall(chain, reader(chain))).toBeUndefined();
    expect(openInference.retrieval!(chain, reader(chain))).toBeUndefined();
  });
});
