/**
 * Column mapping: which dataset column (or the model under test's answer) a variable such as
 * `{inputs}`, `{response}` or `{question}` reads. MLflow's, Databricks' and LastMile's standard
 * names are aliases of one another, so a config or dataset written for any of them works.
 */
import { ConfigError } from '../errors.js';

/** Standard variable names, grouped by meaning: MLflow's first, then Databricks', then LastMile's. */
export const STANDARD_GROUPS: Record<string, readonly string[]> = {
  inputs: ['inputs', 'request', 'input'],
  predictions: ['predictions', 'outputs', 'response', 'output'],
  targets: ['targets', 'expected_response', 'ground_truth'],
  context: ['context', 'retrieved_context'],
};

const GROUP_OF = new Map<string, string>(
  Object.entries(STANDARD_GROUPS).flatMap(([group, names]) => names.map((name) => [name, group] as const)),
);

/** Where a variable's value comes from: a column, the model under test's answer, or another metric's value. */
export type ColumnSource = { column: string } | { modelOutput: true } | { metric: string };

/** What a row offers to variables: its record, the model's answer, and earlier metrics' values. */
export interface RowValues {
  record: Record<string, unknown>;
  outputs?: string;
  /** Values of the metrics this one depends on, by `name/version`. */
  metrics?: Record<string, number>;
}

/** The column-mapping rules of one run: the dataset's columns, `col_mapping`, and whether a model answers. */
export class Columns {
  readonly columns: readonly string[];
  readonly colMapping: Readonly<Record<string, string>>;
  readonly hasModel: boolean;
  private readonly known: Set<string>;
  private readonly metricKeys: Map<string, string>;

  /** Checks `col_mapping` against the dataset's columns (an unknown column is a config error). */
  constructor(options: {
    columns: readonly string[];
    colMapping?: Record<string, string>;
    hasModel: boolean;
    metrics?: Array<{ name: string; version: string }>;
  }) {
    this.columns = options.columns;
    // A metric is named by `name` or `name/version` (MLflow allows metric names in grading_context_columns).
    this.metricKeys = new Map(
      (options.metrics ?? []).flatMap((m) => [
        [m.name, `${m.name}/${m.version}`] as const,
        [`${m.name}/${m.version}`, `${m.name}/${m.version}`] as const,
      ]),
    );
    this.colMapping = options.colMapping ?? {};
    this.hasModel = options.hasModel;
    this.known = new Set(options.columns);
    for (const [name, column] of Object.entries(this.colMapping)) {
      if (!this.known.has(column)) {
        throw new ConfigError(`col_mapping.${name} names column '${column}', which the dataset does not have`, {
          where: { field: `col_mapping.${name}` },
          hint: `use one of the dataset's columns: ${options.columns.join(', ')}`,
        });
      }
    }
  }

  /** The source of a variable, or undefined when nothing provides it. */
  resolve(variable: string): ColumnSource | undefined {
    const mapped = Object.hasOwn(this.colMapping, variable) ? this.colMapping[variable] : undefined;
    if (mapped !== undefined) return { column: mapped };
    const group = GROUP_OF.get(variable);
    const aliases = group ? STANDARD_GROUPS[group]! : [];
    for (const alias of aliases) {
      if (Object.hasOwn(this.colMapping, alias)) return { column: this.colMapping[alias]! };
    }
    // The model under test's answer is the prediction, even if the data has an old `outputs` column.
    if (group === 'predictions' && this.hasModel) return { modelOutput: true };
    if (this.known.has(variable)) return { column: variable };
    const metric = this.metricKeys.get(variable);
    if (metric !== undefined) return { metric };
    for (const alias of aliases) {
      if (this.known.has(alias)) return { column: alias };
    }
    return undefined;
  }

  /**
   * Resolves a variable or throws a config error naming who needs it and how to provide it —
   * called before any judge call so that a missing column never costs money. `field` is the config
   * field to point at (the judge's prompt, say); by default the variable's `col_mapping` entry.
   */
  require(variable: string, neededBy: string, field = `col_mapping.${variable}`): ColumnSource {
    const source = this.resolve(variable);
    if (source) return source;
    const group = GROUP_OF.get(variable);
    const aliases = group ? STANDARD_GROUPS[group]!.filter((a) => a !== variable) : [];
    const also = aliases.length ? ` (or its alias ${aliases.join(' / ')})` : '';
    throw new ConfigError(`${neededBy} needs '{${variable}}', but no column provides it`, {
      where: { field },
      hint:
        `map it with col_mapping: { ${variable}: <column> }${also}; the dataset's columns are: ${this.columns.join(', ')}` +
        (group === 'predictions' && !this.hasModel ? '; or give a model under test (`model:`) to produce the outputs' : ''),
    });
  }

  /** The value of a source in a row. */
  static read(source: ColumnSource, row: RowValues): unknown {
    if ('column' in source) return row.record[source.column];
    if ('metric' in source) return row.metrics?.[source.metric];
    return row.outputs;
  }
}

/** Turns a cell into prompt text: strings as they are, other values as JSON, missing ones as empty. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
