import { describe, expect, it } from 'vitest';
import { Columns } from '../../data/columns.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric, MetricOutcome } from '../metric.js';
import { documentPrecision, documentRecall, readDocUris } from './documents.js';

const chatFor = () => {
  throw new Error('no judge');
};

function run(metric: Metric, record: Record<string, unknown>, colMapping?: Record<string, string>): Promise<MetricOutcome> | MetricOutcome {
  const columns = new Columns({ columns: Object.keys(record), hasModel: false, ...(colMapping ? { colMapping } : {}) });
  return metric.prepare({ columns, chatFor })({ index: 0, record });
}

const retrieved = [
  { doc_uri: 'doc1.pdf', content: 'chunk one' },
  { doc_uri: 'doc1.pdf', content: 'chunk two' },
  { doc_uri: 'doc3.pdf', content: 'chunk three' },
];
const expected = [{ doc_uri: 'doc1.pdf' }, { doc_uri: 'doc2.pdf' }];

describe('readDocUris', () => {
  it('reads doc_uri of chunks, or bare URI strings, from lists or JSON text', () => {
    expect(readDocUris(retrieved)).toEqual({ ok: true, ids: ['doc1.pdf', 'doc1.pdf', 'doc3.pdf'] });
    expect(readDocUris('[{"doc_uri": "é.pdf"}, "b.pdf"]')).toEqual({ ok: true, ids: ['é.pdf', 'b.pdf'] });
    expect(readDocUris([{ content: 'x' }])).toEqual({ ok: false, problem: 'holds a chunk without a doc_uri string at position 0' });
    expect(readDocUris([null])).toMatchObject({ ok: false });
    expect(readDocUris('doc1.pdf')).toMatchObject({ ok: false });
  });
});

describe('document_recall', () => {
  it('is the share of distinct expected URIs found among the retrieved chunks', async () => {
    // doc1 found, doc2 not: 1/2
    expect(await run(documentRecall, { retrieved_context: retrieved, expected_retrieved_context: expected })).toEqual({
      ok: true,
      value: 0.5,
    });
    expect(
      await run(documentRecall, {
        retrieved_context: retrieved,
        expected_retrieved_context: [{ doc_uri: 'doc3.pdf' }, { doc_uri: 'doc3.pdf' }],
      }),
    ).toEqual({ ok: true, value: 1 });
  });

  it('reads retrieved chunks from a context column too, and expected ones through col_mapping', async () => {
    expect(
      await run(
        documentRecall,
        { context: JSON.stringify(retrieved), gold: JSON.stringify(expected) },
        { expected_retrieved_context: 'gold' },
      ),
    ).toEqual({ ok: true, value: 0.5 });
  });

  it('follows recall_at_k when nothing is expected', async () => {
    expect(await run(documentRecall, { retrieved_context: [], expected_retrieved_context: [] })).toEqual({ ok: true, value: 1 });
    expect(await run(documentRecall, { retrieved_context: retrieved, expected_retrieved_context: [] })).toEqual({ ok: true, value: 0 });
  });

  it('needs an expected_retrieved_context column', () => {
    const columns = new Columns({ columns: ['retrieved_context'], hasModel: false });
    expect(() => documentRecall.prepare({ columns, chatFor })).toThrow(ConfigError);
    expect(() => documentRecall.prepare({ columns, chatFor })).toThrow("needs '{expected_retrieved_context}'");
  });
});

describe('document_precision', () => {
  it('is the share of retrieved chunks whose URI is expected', async () => {
    // two doc1 chunks expected, the doc3 chunk not: 2/3
    expect(await run(documentPrecision, { retrieved_context: retrieved, expected_retrieved_context: expected })).toEqual({
      ok: true,
      value: 2 / 3,
    });
  });

  it('is 0 when nothing was retrieved', async () => {
    expect(await run(documentPrecision, { retrieved_context: '[]', expected_retrieved_context: expected })).toEqual({ ok: true, value: 0 });
  });

  it('makes a malformed cell an error of the row', async () => {
    expect(await run(documentPrecision, { retrieved_context: [{ uri: 'x' }], expected_retrieved_context: expected })).toEqual({
      ok: false,
      error: "column 'retrieved_context' holds a chunk without a doc_uri string at position 0",
    });
  });

  it('is registered', () => {
    expect(builtInMetric('document_precision')).toBe(documentPrecision);
    expect(builtInMetric('document_recall')).toBe(documentRecall);
  });
});
