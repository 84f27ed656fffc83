/**
 * One labeling pass: `evaluate()` runs the job's judge version over some rows of the dataset (a
 * stored run, so every prompt and answer is kept and the answer cache applies), then each row's
 * verdict becomes an LLM label linked to its result — or, when the judge gave no usable answer,
 * an LLM attempt with the error.
 */
import type { DataRecord } from '../data/dataset.js';
import { evaluate, type Progress } from '../engine/evaluate.js';
import { judgeToConfig } from '../judges/serialize.js';
import { judgeKey, type Judge } from '../judges/definition.js';
import type { LabelRepository, NewLabel } from '../store/labels.js';
import type { Store } from '../store/store.js';
import type { LabelOutput } from './criterion.js';
import { fromJudgeValue } from './label-values.js';

/** The experiment label-job runs are stored under. */
export const LABEL_EXPERIMENT = 'label-jobs';

/** Progress of a job's current pass. */
export interface LabelProgress {
  phase: 'sample' | 'full';
  rows_done: number;
  row_count: number;
  errors: number;
  calls: number;
  cost_usd: number;
}

/** What a pass needs. */
export interface PhaseInput {
  jobId: string;
  datasetId: string;
  judge: Judge;
  judgeId: string;
  output: LabelOutput;
  colMapping?: Record<string, string> | undefined;
  phase: 'sample' | 'full';
  /** Dataset row indexes, and their records in the same order. */
  rows: number[];
  records: DataRecord[];
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  /** The evaluation's progress (a label job shows it as a {@link LabelProgress}). */
  onProgress(progress: Progress): void;
  onRunCreated(runId: string): Promise<void> | void;
}

/** How a pass ended. */
export interface PhaseResult {
  runId?: string;
  status: 'finished' | 'interrupted';
  stopReason?: string;
  labelled: number;
  errors: number;
}

const PAGE = 1000;

/** Runs a pass and stores its labels (also those of a pass cut short by a stop or a provider fault). */
export async function runPhase(store: Store, labels: LabelRepository, input: PhaseInput): Promise<PhaseResult> {
  if (input.rows.length === 0) return { status: 'finished', labelled: 0, errors: 0 };
  let runId: string | undefined;
  let created: Promise<void> | void = undefined;
  let written = { labelled: 0, errors: 0 };
  const save = async () => {
    await created;
    if (runId) written = await writeLabels(store, labels, input, runId);
  };
  try {
    const result = await evaluate({
      data: input.records,
      metrics: [input.judge],
      ...(input.colMapping ? { colMapping: input.colMapping } : {}),
      store,
      experiment: LABEL_EXPERIMENT,
      runName: `${input.judge.name}-${input.judge.version}-${input.phase}`,
      config: {
        label_job: input.jobId,
        dataset_id: input.datasetId,
        phase: input.phase,
        rows: input.rows.length,
        judge: judgeToConfig(input.judge),
      },
      collectTable: false,
      signal: input.signal,
      env: input.env,
      onRunCreated: (id) => {
        runId = id;
        created = input.onRunCreated(id);
      },
      onProgress: (p) => input.onProgress(p),
    });
    await save();
    return { runId: result.runId, status: result.status, ...(result.stopReason ? { stopReason: result.stopReason } : {}), ...written };
  } catch (error) {
    await save().catch(() => undefined);
    throw error;
  }
}

/** Turns the run's results into labels: row i of the run is dataset row `input.rows[i]`. */
async function writeLabels(
  store: Store,
  labels: LabelRepository,
  input: PhaseInput,
  runId: string,
): Promise<{ labelled: number; errors: number }> {
  const key = judgeKey(input.judge);
  const counts = { labelled: 0, errors: 0 };
  for (let from = 0; from < input.rows.length; from += PAGE) {
    const results = (await store.results(runId, { from, to: from + PAGE - 1 })).filter((r) => r.metric === key);
    const page: NewLabel[] = results.map((r) => {
      const common = {
        dataset_id: input.datasetId,
        row_index: input.rows[r.row_index]!,
        source: 'llm' as const,
        judge_id: input.judgeId,
        label_job_id: input.jobId,
        run_id: runId,
        run_row_index: r.row_index,
      };
      if (r.value === null) {
        counts.errors++;
        return { ...common, label: null, label_text: null, justification: null, error: r.error ?? 'no usable answer' };
      }
      counts.labelled++;
      const value = fromJudgeValue(input.output, r.value);
      return { ...common, label: value.label, label_text: value.text, justification: r.justification, error: null };
    });
    await labels.insert(page);
  }
  return counts;
}
