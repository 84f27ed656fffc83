/**
 * What the retrieval metrics share: each row holds the documents a retriever returned, in rank
 * order, and the documents known to be relevant, each as a list (or a JSON array in text, as a CSV
 * cell must be). Ids are strings or numbers and compare as Python's do in MLflow: `1` and `"1"`
 * are different documents.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { ColumnSource } from '../../data/columns.js';
import { Columns } from '../../data/columns.js';
import { parseListCell } from '../../data/cells.js';
import type { Metric } from '../metric.js';

/** A document id. */
export type DocId = string | number;

/** Ids read from a cell, or why the cell holds none. */
export type ReadIds = { ok: true; ids: DocId[] } | { ok: false; problem: string };

/** Reads a list of document ids: a list, or a JSON array in text, of strings and numbers. */
export function readDocIds(cell: unknown): ReadIds {
  const list = parseListCell(cell);
  if (!list) return { ok: false, problem: 'is not a list of document ids (give a list, or a JSON array in text)' };
  const bad = list.findIndex((id) => typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id)));
  if (bad >= 0)
    return {
      ok: false,
      problem: `holds ${JSON.stringify(list[bad]) ?? String(list[bad])} at position ${bad}, which is not a document id (a string or a number)`,
    };
  return { ok: true, ids: list as DocId[] };
}

/** How a retrieval metric reads its two columns and scores a row. */
export interface RetrievalMetricSpec {
  name: string;
  /** The variable holding the retrieved documents, in rank order. */
  retrieved: string;
  /** The variable holding the relevant (expected) documents. */
  relevant: string;
  read(cell: unknown): ReadIds;
  score(retrieved: DocId[], relevant: DocId[]): number;
}

function describe(source: ColumnSource): string {
  return 'column' in source ? `column '${source.column}'` : "the model's answer";
}

/** A per-row retrieval metric, aggregated as MLflow's: mean, variance and p90. */
export function retrievalMetric(spec: RetrievalMetricSpec): Metric {
  return {
    name: spec.name,
    version: 'v1',
    kind: 'heuristic',
    aggregations: ['mean', 'variance', 'p90'],
    greaterIsBetter: true,
    values: { kind: 'unit', range: { min: 0, max: 1 } },
    prepare({ columns, sample }) {
      const neededBy = `metric '${spec.name}'`;
      const retrievedSource = columns.require(spec.retrieved, neededBy);
      const relevantSource = columns.require(spec.relevant, neededBy);
      // A column of plain text (not lists) would fail every row: said once, before any row, so that
      // a model type's default is skipped and reported, and a listed metric stops the run.
      if (sample)
        for (const [variable, source] of [
          [spec.retrieved, retrievedSource],
          [spec.relevant, relevantSource],
        ] as const)
          checkSample(spec, variable, source, sample);
      return (row) => {
        const retrieved = spec.read(Columns.read(retrievedSource, row));
        if (!retrieved.ok) return { ok: false, error: `${describe(retrievedSource)} ${retrieved.problem}` };
        const relevant = spec.read(Columns.read(relevantSource, row));
        if (!relevant.ok) return { ok: false, error: `${describe(relevantSource)} ${relevant.problem}` };
        return { ok: true, value: spec.score(retrieved.ids, relevant.ids) };
      };
    },
  };
}

function checkSample(spec: RetrievalMetricSpec, variable: string, source: ColumnSource, sample: Record<string, unknown>): void {
  const cell = Columns.read(source, { record: sample });
  if (cell === undefined || cell === null || cell === '') return;
  const read = spec.read(cell);
  if (read.ok) return;
  throw new ConfigError(`metric '${spec.name}': ${describe(source)} ${read.problem}, in the first row`, {
    where: { field: `col_mapping.${variable}` },
    hint: `${spec.name} reads lists of documents; map ${variable} to a column of lists with col_mapping, or leave ${spec.name} out`,
  });
}

/**
 * The `k` of the @k metrics: `k`, or MLflow's evaluator-config name `retriever_k`; 3 by default,
 * as MLflow's retriever model type.
 */
export const kOptions = z
  .strictObject({
    k: z.int().positive().optional(),
    retriever_k: z.int().positive().optional(),
  })
  .refine((o) => o.k === undefined || o.retriever_k === undefined, { message: 'give k or retriever_k, not both', path: ['retriever_k'] });

/** The k chosen by the options. */
export function chosenK(options: z.input<typeof kOptions>): number {
  return options.k ?? options.retriever_k ?? 3;
}
