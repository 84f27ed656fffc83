/**
 * Databricks' `examples_df` (seed 003): few-shot examples for the built-in judges as one table — a
 * file (CSV, JSONL, JSON, Parquet) or a list of records — with Databricks' columns (`request`,
 * `response`, `expected_response`, `retrieved_context`, `expected_facts`, `guidelines`) and, per
 * judge, `<judge>/rating` (yes/no) and `<judge>/rationale`, also under Databricks' own names
 * (`response/llm_judged/correctness/rating`). A row rates only the judges whose rating it fills.
 *
 * As Databricks, at most 5 examples go with a judge call. When a judge has more, each row gets the 5
 * most like it: Jaccard similarity of the lower-cased words of request + response, ties broken by
 * the table's order — deterministic, so a re-run sends the same prompts (and hits the cache). The
 * examples chosen are named per row (`<judge>/v1/examples`: `examples.csv:3, …`), and the whole
 * table is kept in the run's judge snapshot (`metric_metadata.examples_table`).
 * `chunk_relevance` (per-chunk rating lists) and `guideline_adherence` take no table examples yet.
 */
import { basename } from 'node:path';
import { cellText, Columns } from '../../data/columns.js';
import { openDataset, type DataRecord } from '../../data/dataset.js';
import { ConfigError } from '../../errors.js';
import type { EvaluationExample, Judge } from '../../judges/definition.js';
import { judgeMetric, variableText } from '../judge-metric.js';
import type { Metric, MetricOutcome, RowScorer } from '../metric.js';

/** Examples sent with one judge call at most, as Databricks. */
export const EXAMPLES_PER_CALL = 5;

/** The grading context each judge's examples carry (the columns its prompt reads besides request/response). */
const CONTEXT_OF: Record<string, readonly string[]> = {
  groundedness: ['retrieved_context'],
  correctness: ['expected_response'],
  context_sufficiency: ['expected_response'],
  relevance_to_query: [],
  safety: [],
};
const UNSUPPORTED = ['chunk_relevance', 'guideline_adherence'];

/** One example of the table for one judge, with where it came from (`examples.csv:3`). */
export interface TableExample {
  where: string;
  example: EvaluationExample;
  words: Set<string>;
}

/** A row of the table with its place, for error messages and for naming the examples used. */
interface TableRow {
  where: string;
  record: DataRecord;
}

/**
 * Reads the table, checks every rating and rationale, and returns each judge's examples. A bad
 * cell is a config error naming the file:line (or `examples[i]`) and the column.
 */
export async function readExamplesTable(source: string | DataRecord[], baseDir?: string): Promise<Map<string, TableExample[]>> {
  const rows: TableRow[] = [];
  let file: string | undefined;
  if (typeof source === 'string') {
    const dataset = await openDataset(source, { ...(baseDir ? { baseDir } : {}) });
    file = dataset.path;
    for await (const row of dataset.rows()) rows.push({ where: `${basename(source)}:${row.line ?? row.index + 1}`, record: row.record });
  } else {
    source.forEach((record, i) => rows.push({ where: `examples[${i}]`, record }));
  }
  const place = (row: TableRow, column: string) => ({
    ...(file ? { file } : {}),
    ...(row.where.includes(':') ? { line: Number(row.where.split(':').pop()) } : {}),
    field: file ? column : `${row.where}.${column}`,
  });
  const byJudge = new Map<string, TableExample[]>();
  for (const row of rows) {
    for (const name of UNSUPPORTED) {
      if (ratingColumn(row.record, name)) {
        throw new ConfigError(`${row.where}: examples for ${name} are not taken from an examples table`, {
          where: place(row, ratingColumn(row.record, name)!),
          hint: `give ${name} its examples with - { metric: ${name}, examples: [...] }, or drop the column`,
        });
      }
    }
    for (const [name, context] of Object.entries(CONTEXT_OF)) {
      const column = ratingColumn(row.record, name);
      if (!column) continue;
      const rating = cellText(row.record[column]).trim().toLowerCase();
      if (rating !== 'yes' && rating !== 'no') {
        throw new ConfigError(`${row.where}: column ${column} is ${JSON.stringify(cellText(row.record[column]))}, not yes or no`, {
          where: place(row, column),
          hint: 'rate each example yes or no, as Databricks does; leave the cell empty to give no example for that judge',
        });
      }
      const rationaleName = column.replace(/rating$/, 'rationale');
      const rationale = cellText(row.record[rationaleName]).trim();
      if (!rationale)
        throw new ConfigError(`${row.where}: ${name} is rated but ${rationaleName} is empty`, {
          where: place(row, rationaleName),
          hint: 'give each rated example a rationale: it teaches the judge why',
        });
      const text = (variable: string) => variableText(variable, { column: variable }, { record: row.record });
      const gradingContext = Object.fromEntries(
        context.filter((c) => row.record[c] !== undefined && row.record[c] !== null).map((c) => [c, text(c)]),
      );
      const example: EvaluationExample = {
        ...(row.record.request !== undefined ? { input: text('request') } : {}),
        output: text('response'),
        score: rating,
        justification: rationale,
        ...(Object.keys(gradingContext).length ? { gradingContext } : {}),
      };
      const list = byJudge.get(name) ?? [];
      list.push({ where: row.where, example, words: words(`${text('request')} ${text('response')}`) });
      byJudge.set(name, list);
    }
  }
  return byJudge;
}

/** The column rating `judge` in a row (Juror's short name or Databricks' full one), when filled. */
function ratingColumn(record: DataRecord, judge: string): string | undefined {
  return [
    `${judge}/rating`,
    `response/llm_judged/${judge}/rating`,
    `retrieval/llm_judged/${judge}/rating`,
    `retrieval/llm_judged/${judge}/ratings`,
  ].find((c) => cellText(record[c]).trim() !== '');
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** The examples for a row: all when there are few, else the most similar, in the table's order. */
export function chooseExamples(pool: TableExample[], rowWords: Set<string>, limit = EXAMPLES_PER_CALL): TableExample[] {
  if (pool.length <= limit) return pool;
  const ranked = pool
    .map((example, i) => ({ i, similarity: jaccard(example.words, rowWords) }))
    .sort((a, b) => b.similarity - a.similarity || a.i - b.i);
  return ranked
    .slice(0, limit)
    .sort((a, b) => a.i - b.i)
    .map(({ i }) => pool[i]!);
}

/**
 * A built-in judge's metric with examples from the table appended after the judge's own, chosen
 * per row; the metric as it is when the table has none for it.
 */
export function withTableExamples(metric: Metric, table: Map<string, TableExample[]>): Metric {
  const pool = metric.judge ? table.get(metric.judge.name) : undefined;
  if (!metric.judge || !pool?.length) return metric;
  const base: Judge = {
    ...metric.judge,
    metricMetadata: { ...metric.judge.metricMetadata, examples_table: pool.map(({ where, example }) => ({ where, ...example })) },
  };
  // The scores were checked as yes/no; the judge reads them as it reads any example (Yes → 1).
  const variant = (chosen: TableExample[]): Judge => ({
    ...base,
    examples: [...base.examples, ...chosen.map((c) => ({ ...c.example, score: c.example.score === 'yes' ? 1 : 0 }))],
  });
  return {
    ...metric,
    judge: base,
    prepare(context) {
      metric.prepare(context);
      // One chat for every variant, resolved now: the run attributes calls to the metric being prepared.
      const chat = context.chatFor(base.model, `metrics.${base.name}.model`);
      const fixed = { ...context, chatFor: () => chat };
      const request = context.columns.resolve('request');
      const response = context.columns.resolve('response');
      const scorers = new Map<string, RowScorer>();
      return async (row): Promise<MetricOutcome> => {
        const text = [request, response].map((source) => (source ? cellText(Columns.read(source, row)) : '')).join(' ');
        const chosen = chooseExamples(pool, words(text));
        const key = chosen.map((c) => c.where).join('\u0000');
        let scorer = scorers.get(key);
        if (!scorer) scorers.set(key, (scorer = judgeMetric(variant(chosen)).prepare(fixed)));
        return { ...(await scorer(row)), examples: chosen.map((c) => c.where) };
      };
    },
  };
}
