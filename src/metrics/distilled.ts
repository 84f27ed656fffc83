/**
 * `- { metric: distilled, judge: <name>, version: <v> }`: a distilled judge version from the store,
 * scoring rows in process — no provider, no key, no cost. Its columns are the ones it was trained
 * on, read as a judge reads its variables (col_mapping and the standard aliases apply). The row's
 * value is the winning class's value (1/0, or the scale's integer); the justification gives the
 * calibrated confidence.
 */
import { z } from 'zod';
import { Columns, type ColumnSource } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import type { Aggregation, OutputKind } from '../judges/definition.js';
import { loadDistilled, type DistilledScorer, type DistilledVerdict } from '../distill/model.js';
import type { LoadContext, Metric, MetricValues, PrepareContext, RowInput } from './metric.js';

export const distilledOptions = z.strictObject({
  /** The distilled judge's name. */
  judge: z.string().min(1),
  /** Its version (`v3`). */
  version: z.string().min(1),
  /** The metric's name in keys; default the judge's name. */
  name: z.string().min(1).optional(),
});
export type DistilledOptions = z.output<typeof distilledOptions>;

/** A distilled judge bound to a run's columns: loaded once, then a verdict per row. */
export class DistilledRows {
  private scorer: DistilledScorer | undefined;
  private sources: ColumnSource[] = [];
  private columns: Columns | undefined;

  constructor(
    readonly judge: string,
    readonly version: string,
    private readonly field: string,
  ) {}

  /** Remembers the run's columns (the judge's own are known once it is loaded). */
  prepare(context: PrepareContext): void {
    this.columns = context.columns;
  }

  /** Reads the judge from the run's store, and checks that the run's rows have its columns. */
  async load(context: LoadContext): Promise<void> {
    if (!context.distilled) {
      throw new ConfigError(`distilled judge ${this.judge} ${this.version} is read from the store, and this run has none`, {
        where: { field: this.field },
        hint: 'run it with a store (the default .juror/juror.db, --db or JUROR_DATABASE_URL)',
      });
    }
    this.scorer = await loadDistilled(await context.distilled(this.judge, this.version));
    const columns = this.columns!;
    this.sources = this.scorer.definition.features.columns.map((column) =>
      columns.require(column, `distilled judge ${this.judge} ${this.version}`, this.field),
    );
  }

  /** What the judge's output is. */
  get output(): OutputKind | undefined {
    return this.scorer?.definition.output;
  }

  /** The verdict for a row. */
  verdict(row: RowInput): DistilledVerdict | Promise<DistilledVerdict> {
    const scorer = this.scorer!;
    const record: DataRecord = {};
    scorer.definition.features.columns.forEach((column, i) => (record[column] = Columns.read(this.sources[i]!, row)));
    return scorer.scoreNow ? scorer.scoreNow(record) : scorer.score([record]).then((verdicts) => verdicts[0]!);
  }
}

/** What a row's value is, for an output kind. */
export function outputValues(output: OutputKind | undefined): MetricValues | undefined {
  if (!output) return undefined;
  switch (output.type) {
    case 'scale':
      return { kind: 'scale', range: { min: output.min, max: output.max } };
    case 'binary':
      return { kind: 'binary', range: { min: 0, max: 1 } };
    case 'yes_no':
      return { kind: 'yes_no', range: { min: 0, max: 1 } };
    case 'categories':
      return { kind: 'categories' };
  }
}

/** The aggregations of an output kind, as a judge of that kind has them. */
export function outputAggregations(output: OutputKind | undefined): Aggregation[] {
  return output?.type === 'binary' || output?.type === 'yes_no' ? ['mean', 'variance', 'p90', 'ratio'] : ['mean', 'variance', 'p90'];
}

/** The metric of a stored distilled judge version. */
export function distilledMetric(options: DistilledOptions): Metric {
  const rows = new DistilledRows(options.judge, options.version, `metrics.${options.name ?? options.judge}`);
  return {
    name: options.name ?? options.judge,
    version: options.version,
    kind: 'heuristic',
    // Known once the judge is loaded (before the run's first row).
    get aggregations() {
      return outputAggregations(rows.output);
    },
    get values() {
      return outputValues(rows.output);
    },
    greaterIsBetter: true,
    prepare(context) {
      rows.prepare(context);
      return async (row) => {
        const verdict = await rows.verdict(row);
        return {
          ok: true,
          value: verdict.value,
          score: verdict.value,
          justification: `distilled judge ${options.judge} ${options.version}: ${verdict.value} with confidence ${verdict.confidence.toFixed(3)}`,
        };
      };
    },
    load: (context) => rows.load(context),
  };
}
