/** Which dataset columns a run's rows show as input, output and expected answer (from its col_mapping). */
import type { PageRow } from './api.js';
import { cellText } from './format.js';

export interface RowColumns {
  input: string | undefined;
  output: string | undefined;
  target: string | undefined;
}

const INPUT_NAMES = ['inputs', 'request', 'input', 'question', 'prompt', 'query'];
const OUTPUT_NAMES = ['predictions', 'outputs', 'response', 'output', 'answer', 'prediction'];
const TARGET_NAMES = ['targets', 'expected_response', 'expected', 'target', 'ground_truth', 'reference'];

function mappingOf(config: unknown): Record<string, string> {
  if (!config || typeof config !== 'object') return {};
  const mapping = (config as Record<string, unknown>).col_mapping ?? (config as Record<string, unknown>).colMapping;
  if (!mapping || typeof mapping !== 'object') return {};
  return Object.fromEntries(Object.entries(mapping).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function rowColumns(config: unknown, columns: string[]): RowColumns {
  const mapping = mappingOf(config);
  const has = new Set(columns);
  const pick = (mapped: Array<string | undefined>, names: string[]) =>
    mapped.find((c) => c !== undefined && has.has(c)) ?? names.find((n) => has.has(n));
  const input = pick([mapping.inputs, mapping.request], INPUT_NAMES) ?? columns[0];
  const output = pick([mapping.predictions, mapping.outputs, mapping.response], OUTPUT_NAMES);
  const target = pick([mapping.targets, mapping.expected_response], TARGET_NAMES);
  return { input, output: output === input ? undefined : output, target: target === input || target === output ? undefined : target };
}

export function inputText(row: PageRow, cols: RowColumns): string {
  return cols.input ? cellText(row.record[cols.input]) : cellText(row.record);
}

/** The model under test's answer when the run had one, else the mapped column. */
export function outputText(row: PageRow, cols: RowColumns): string {
  if (row.outputs !== null && row.outputs !== undefined) return row.outputs;
  return cols.output ? cellText(row.record[cols.output]) : '';
}

export function targetText(row: PageRow, cols: RowColumns): string {
  return cols.target ? cellText(row.record[cols.target]) : '';
}
