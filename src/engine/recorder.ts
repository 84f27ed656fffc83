/**
 * Collects a run's outcomes as rows finish: writes them to the store in batches (so a killed run
 * keeps every finished batch), keeps per-metric values for aggregation, counts errors, tokens and
 * cost, and builds the results table when asked to.
 */
import type { DataRecord } from '../data/dataset.js';
import type { MetricAlias, MetricOutcome } from '../metrics/metric.js';
import type { ResultRecord, RowRecord, RunMetricRecord, Store } from '../store/store.js';
import { aggregate, Values } from './aggregate.js';
import type { ModelAnswer } from './model-under-test.js';
import type { Progress } from './prepare.js';
import type { Aggregation } from '../judges/definition.js';
import { PanelAgreement, type Panel } from '../judges/jury.js';

/** One metric as the recorder sees it. */
export interface RecordedMetric {
  key: string;
  aggregations: Aggregation[];
  /** The value from which a row counts in `ratio` (Metric.ratioThreshold); default 1. */
  ratioThreshold?: number;
  /** Other names of its results (Metric.alias), written beside its own. */
  alias?: MetricAlias;
}

/** Counts of one metric over the run. */
export interface MetricTotals {
  metric: string;
  rowsScored: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The longest a finished row waits before it is written. */
const FLUSH_WINDOW_MS = 5;

/** What a resumed run already has for a row that still needs some metrics. */
export interface PartialRow {
  /** The metrics already scored, with their values. */
  metrics: Map<string, number>;
  /** The metrics not to score again: those scored, and those kept as error rows. */
  done: Set<string>;
  outputs?: string;
  latencyMs?: number;
}

/** Rows `start` (included) to `end` (excluded) of a dataset, by index. */
export interface RowRange {
  start: number;
  end: number;
}

/** Rows a resumed run need not score again, and the partly scored ones. */
export interface DoneRows {
  get(index: number): PartialRow | undefined;
}

export class Recorder {
  /** Table rows in the order they finished, with their dataset index; sorted by {@link table}. */
  private readonly finished: Array<[index: number, row: DataRecord]> | undefined;
  rowsDone = 0;
  private readonly values: Values[];
  /** Per metric, agreement across the members of a jury or of samples (empty for other metrics). */
  private readonly agreements: PanelAgreement[];
  private readonly totals: MetricTotals[];
  private pendingRows: RowRecord[] = [];
  private pendingResults: ResultRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeInProgress = false;
  private lastFlush = 0;
  private lastAdd = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private writeFailed = false;
  private readonly onWriteError: (error: unknown) => void;
  model = { inputTokens: 0, outputTokens: 0, costUsd: 0, errors: 0 };

  constructor(
    private readonly store: Store | undefined,
    private readonly runId: string,
    private readonly metrics: RecordedMetric[],
    /** `onWriteError`: told of the first failed write at once, so the run can stop calling (and paying). */
    options: { collectTable: boolean; onWriteError: (error: unknown) => void },
  ) {
    this.onWriteError = options.onWriteError;
    this.values = metrics.map(() => new Values());
    this.agreements = metrics.map(() => new PanelAgreement());
    this.totals = metrics.map((m) => ({ metric: m.key, rowsScored: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }));
    this.finished = options.collectTable ? [] : undefined;
  }

  /**
   * Seeds the counts with what a run being resumed already scored, and returns what each row has
   * (rows with every metric done report all of them, so they are skipped). With `rows`, only rows
   * of that index range count (one chunk of a run); with `keepErrors`, error results count as done
   * (written once: a chunk run again does not judge them again) and as errors.
   */
  async resumeFrom(store: Store, scope: { rows?: RowRange; keepErrors?: boolean } = {}): Promise<DoneRows> {
    const state = await store.resumeState(this.runId, { errors: scope.keepErrors === true });
    const inScope = (index: number) => !scope.rows || (index >= scope.rows.start && index < scope.rows.end);
    const position = new Map(this.metrics.map((m, i) => [m.key, i]));
    const rows = new Map<number, PartialRow>();
    for (const row of state.rows) {
      if (!inScope(row.row_index)) continue;
      rows.set(row.row_index, {
        metrics: new Map(),
        done: new Set(),
        ...(row.outputs !== null && row.outputs !== undefined ? { outputs: row.outputs } : {}),
        ...(row.model_latency_ms !== null && row.model_latency_ms !== undefined ? { latencyMs: row.model_latency_ms } : {}),
      });
      if (row.outputs !== null && row.outputs !== undefined) {
        this.model.inputTokens += row.model_input_tokens ?? 0;
        this.model.outputTokens += row.model_output_tokens ?? 0;
      }
    }
    for (const result of state.results) {
      const i = position.get(result.metric);
      const row = rows.get(result.row_index);
      if (i === undefined || !row) continue;
      const totals = this.totals[i]!;
      if (result.error !== null && result.error !== undefined) {
        row.done.add(result.metric);
        totals.errors++;
      } else if (result.value !== null && result.value !== undefined) {
        row.metrics.set(result.metric, result.value);
        row.done.add(result.metric);
        this.values[i]!.push(result.value);
        if (result.panel) this.agreements[i]!.add(JSON.parse(result.panel) as Panel);
        totals.rowsScored++;
      } else continue;
      totals.inputTokens += result.input_tokens;
      totals.outputTokens += result.output_tokens;
      totals.costUsd += result.cost_usd;
    }
    for (const row of rows.values()) if (row.done.size === this.metrics.length) this.rowsDone++;
    return rows;
  }

  /** Records one finished row; outcomes are in the order of the metrics, undefined where already scored. */
  add(index: number, record: DataRecord, answer: ModelAnswer | undefined, outcomes: Array<MetricOutcome | undefined>): void {
    this.rowsDone++;
    const tableRow: DataRecord | undefined = this.finished ? { ...record } : undefined;
    if (answer) {
      if (answer.ok) {
        this.model.inputTokens += answer.usage?.inputTokens ?? 0;
        this.model.outputTokens += answer.usage?.outputTokens ?? 0;
        this.model.costUsd += answer.costUsd;
      } else this.model.errors++;
      if (tableRow) tableRow.outputs = answer.ok ? answer.text : null;
    }
    if (this.store) {
      this.pendingRows.push({
        run_id: this.runId,
        row_index: index,
        record: JSON.stringify(record),
        outputs: answer?.ok ? answer.text : null,
        model_latency_ms: answer ? answer.latencyMs : null,
        model_input_tokens: answer?.ok ? (answer.usage?.inputTokens ?? null) : null,
        model_output_tokens: answer?.ok ? (answer.usage?.outputTokens ?? null) : null,
        model_error: answer && !answer.ok ? answer.error : null,
      });
    }
    outcomes.forEach((outcome, i) => {
      if (!outcome) return;
      const key = this.metrics[i]!.key;
      const totals = this.totals[i]!;
      totals.inputTokens += outcome.usage?.inputTokens ?? 0;
      totals.outputTokens += outcome.usage?.outputTokens ?? 0;
      totals.costUsd += outcome.costUsd ?? 0;
      if (outcome.ok) {
        totals.rowsScored++;
        this.values[i]!.push(outcome.value);
        if (outcome.panel) this.agreements[i]!.add(outcome.panel);
      } else totals.errors++;
      if (tableRow) {
        tableRow[`${key}/score`] = outcome.ok ? outcome.value : null;
        tableRow[`${key}/justification`] = outcome.ok ? (outcome.justification ?? null) : null;
        if (outcome.ok && outcome.label !== undefined) tableRow[`${key}/label`] = outcome.label;
        if (!outcome.ok) tableRow[`${key}/error`] = outcome.error;
        if (outcome.examples) tableRow[`${key}/examples`] = outcome.examples.join(', ');
        if (outcome.panel?.spread !== null && outcome.panel?.spread !== undefined) tableRow[`${key}/spread`] = outcome.panel.spread;
        Object.assign(tableRow, this.metrics[i]!.alias?.row(outcome));
      }
      if (this.store) this.pendingResults.push(resultRecord(this.runId, index, key, outcome));
    });
    if (tableRow) this.finished!.push([index, tableRow]);
    this.scheduleFlush();
  }

  /**
   * Writes each row as it finishes while rows are sparse; under load (more than one row every
   * 2 ms), rows finished within a 5 ms window land in one transaction — a transaction per row would
   * cost more than the judging itself at thousands of rows a second — so a killed run loses at
   * most one window of finished rows.
   */
  private scheduleFlush(): void {
    const now = Date.now();
    // Rows arriving slower than one per 2 ms are written at once; faster ones share a window.
    const sparse = now - this.lastAdd >= 2;
    this.lastAdd = now;
    if (this.flushTimer || this.writeInProgress) return;
    const wait = this.lastFlush + FLUSH_WINDOW_MS - now;
    if (wait <= 0 || sparse) void this.flush();
    else this.flushTimer = setTimeout(() => void this.flush(), wait);
  }

  /** Writes what is pending; writes are serialized so batches land in order. */
  flush(): Promise<void> {
    if (!this.store || (this.pendingRows.length === 0 && this.pendingResults.length === 0)) return this.writing;
    const rows = this.pendingRows;
    const results = this.pendingResults;
    this.pendingRows = [];
    this.pendingResults = [];
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlush = Date.now();
    const store = this.store;
    this.writeInProgress = true;
    this.writing = this.writing.then(async () => {
      try {
        await store.writeBatch(rows, results);
      } catch (error) {
        if (!this.writeFailed) {
          this.writeFailed = true;
          this.onWriteError(error);
        }
      } finally {
        this.writeInProgress = false;
        if (this.pendingRows.length || this.pendingResults.length) this.scheduleFlush();
      }
    });
    return this.writing;
  }

  /** Flushes what is pending (a failed write has been reported to `onWriteError`). */
  async finish(): Promise<void> {
    await this.flush();
    while (this.writeInProgress || this.pendingRows.length || this.pendingResults.length) await this.flush();
  }

  /** Tokens of every call so far, model under test included. */
  usage(): { inputTokens: number; outputTokens: number } {
    return this.totals.reduce(
      (sum, m) => ({ inputTokens: sum.inputTokens + m.inputTokens, outputTokens: sum.outputTokens + m.outputTokens }),
      { inputTokens: this.model.inputTokens, outputTokens: this.model.outputTokens },
    );
  }

  /** US dollars spent so far, model under test included. */
  costUsd(): number {
    return this.totals.reduce((sum, m) => sum + m.costUsd, this.model.costUsd);
  }

  /** A progress snapshot. */
  progress(rowCount: number, calls: number, cacheHits: number): Progress {
    return {
      rowsDone: this.rowsDone,
      rowCount,
      errors: this.totals.reduce((sum, m) => sum + m.errors, 0),
      calls,
      cacheHits,
      costUsd: this.costUsd(),
      metrics: this.totals.map((t) => ({ metric: t.metric, done: t.rowsScored + t.errors, errors: t.errors, costUsd: t.costUsd })),
    };
  }

  /** The results table in dataset order (rows finish out of order), or undefined when not collected. */
  table(): DataRecord[] | undefined {
    return this.finished?.sort((a, b) => a[0] - b[0]).map(([, row]) => row);
  }

  /** Aggregates keyed `name/version/aggregation`. */
  metricsSummary(): Record<string, number> {
    const out: Record<string, number> = {};
    this.metrics.forEach((metric, i) => {
      const values = aggregate(this.values[i]!.view(), metric.aggregations, metric.ratioThreshold);
      for (const [aggregation, value] of Object.entries(values)) out[`${metric.key}/${aggregation}`] = value;
      Object.assign(out, metric.alias?.aggregates(values));
      for (const [name, value] of Object.entries(this.agreements[i]!.summary())) out[`${metric.key}/${name}`] = value;
    });
    return out;
  }

  /** Each metric's per-row values so far, in the order of the metrics (for confidence intervals). */
  metricValues(): Float64Array[] {
    return this.values.map((v) => v.view());
  }

  perMetric(): MetricTotals[] {
    return this.totals.map((t) => ({ ...t }));
  }

  /** Per-metric totals in the store's shape. */
  perMetricRecords(): RunMetricRecord[] {
    return this.totals.map((t) => ({
      run_id: this.runId,
      metric: t.metric,
      rows_scored: t.rowsScored,
      error_count: t.errors,
      input_tokens: t.inputTokens,
      output_tokens: t.outputTokens,
      cost_usd: t.costUsd,
    }));
  }
}

function resultRecord(runId: string, index: number, metric: string, outcome: MetricOutcome): ResultRecord {
  return {
    run_id: runId,
    row_index: index,
    metric,
    value: outcome.ok ? outcome.value : null,
    score: outcome.ok && outcome.score !== undefined ? String(outcome.score) : null,
    label: outcome.ok ? (outcome.label ?? null) : null,
    justification: outcome.ok ? (outcome.justification ?? null) : null,
    raw: outcome.raw ?? null,
    details: outcome.details ? JSON.stringify(outcome.details) : null,
    panel: outcome.panel ? JSON.stringify(outcome.panel) : null,
    prompt: outcome.prompt ? outcome.prompt.user : null,
    input_tokens: outcome.usage?.inputTokens ?? 0,
    output_tokens: outcome.usage?.outputTokens ?? 0,
    cost_usd: outcome.costUsd ?? 0,
    latency_ms: outcome.latencyMs ?? null,
    error: outcome.ok ? null : outcome.error,
  };
}
