/**
 * Checking a judge against human labels ("align"), as `juror align` and
 * `POST /api/judges/:name/align` do it: the human labels are read and checked before any call
 * (./human-labels.ts), the judge runs over the rows as an ordinary run of experiment `align`, its
 * verdicts are compared with the labels, and the comparison is stored under the judge version that
 * ran, with its run, so that a judge's agreement has a history (MLRun: re-run the evaluation set
 * periodically to see the judge stays on track). This module compares and records; the CLI and the
 * server only choose how the run is driven (in the terminal, or as a background job).
 */
import { compareLabels, type AgreementReport, type LabelScheme } from '../agreement/compare.js';
import { judgeLabel } from '../agreement/labels.js';
import type { EvaluationResult } from '../engine/evaluate.js';
import type { Judge } from '../judges/definition.js';
import { AgreementRepository } from '../store/agreements.js';
import { DatasetRepository } from '../store/datasets.js';
import { labelDb } from '../store/label-tables.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import type { HumanLabels } from './human-labels.js';

/** No row had both a judge verdict and a human label. */
export class NothingToCompare extends Error {
  constructor(
    readonly errors: number,
    readonly rows: number,
  ) {
    super(
      `no row has both a judge value and a human label (${errors} of ${rows} rows are judge errors${errors === rows ? ': every row failed' : ''}), so there is nothing to compare`,
    );
    this.name = 'NothingToCompare';
  }
}

/**
 * Compares the judge's verdicts in a finished run (metric `key` of its results table, row for
 * row with `human`) with the human labels.
 */
export function compareRun(
  result: EvaluationResult,
  key: string,
  scheme: LabelScheme,
  human: HumanLabels,
  options: { seed: number; resamples?: number },
): AgreementReport {
  const table = result.tables.eval_results_table;
  if (table.length !== human.length) throw new Error(`the results table has ${table.length} rows but the data ${human.length}`);
  const judged = table.map((row, index) => {
    const read = judgeLabel(scheme, row[`${key}/score`], row[`${key}/label`]);
    if ('error' in read) throw new Error(`row ${index}: ${read.error}`);
    return 'label' in read ? read.label : null;
  });
  if (!human.some((h, i) => h !== null && judged[i] !== null)) throw new NothingToCompare(result.errors[key] ?? 0, table.length);
  return compareLabels(human, judged, scheme, {
    seed: options.seed,
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
  });
}

/**
 * Stores a check under the judge version that ran, with its run. The dataset is the stored one
 * named, else an uploaded dataset with the same rows, else the data's hash.
 */
export async function recordAlignment(
  store: Store,
  check: { judge: Judge; runId: string; dataHash: string; datasetId?: string; report: AgreementReport },
): Promise<{ judgeId: string; createdAt: string; datasetId: string }> {
  const judgeId = await store.judges.save(check.judge);
  const datasetId = check.datasetId ?? (await new DatasetRepository(serverDb(store)).findByHash(check.dataHash))?.id ?? check.dataHash;
  const saved = await new AgreementRepository(labelDb(store)).insert({
    judgeId,
    datasetId,
    labelJobId: null,
    runId: check.runId,
    n: check.report.n,
    stats: check.report,
  });
  return { judgeId, createdAt: saved.created_at, datasetId };
}
