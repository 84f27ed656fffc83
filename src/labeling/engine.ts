/**
 * Label jobs, LastMile's LLM Judge++ loop, shared by the API and the CLI: a judge labels a seeded
 * sample of a dataset (`sampling`); with `review`, a person reviews it (`awaiting_review`), their labels become
 * the judge's few-shot examples in a new judge version, and that version labels every other row
 * (`running`, then `completed`); `resample` re-labels the sample with a revised criterion instead.
 * Without `review` the sample's labels are accepted and the job goes on to every row by itself.
 * Passes run in the background of this process; `cancel` aborts them (finished rows are kept).
 */
import type { Kysely } from 'kysely';
import { JurorError } from '../errors.js';
import { AgreementRepository } from '../store/agreements.js';
import { DatasetRepository, type DatasetRecord } from '../store/datasets.js';
import { FINAL_LABEL_JOB_STATUSES, LabelJobRepository, newJobId, type JobVersion, type LabelJobRecord } from '../store/label-jobs.js';
import { labelDb, type LabelDatabase, type LabelJobStatus } from '../store/label-tables.js';
import { serverDb } from '../store/server-tables.js';
import { LabelRepository } from '../store/labels.js';
import type { Store } from '../store/store.js';
import { jobAgreement, type JobAgreement } from './agreement.js';
import { checkRunnable } from './checks.js';
import { judgeForCriterion, makeCriterion } from './criterion.js';
import { recordsAt, recordsWhere, storedFile, type StoredFile } from '../datasets/index.js';
import { LabelJobError, noSuchJob, wrongStatus } from './errors.js';
import { finetuneExamples, type FinetuneExample } from './finetune.js';
import { runPhase, type LabelProgress } from './phase.js';
import { prepareReview, type HumanLabelInput } from './review.js';
import { parseLabelJobOptions, type LabelJobOptionsInput } from './options.js';
import { sampleRows } from './sample.js';
import { findUncertain, type UncertaintyOptions, type UncertaintyReport } from './uncertainty.js';
import { storeVersion, type StoredVersion } from '../judges/versions.js';
import { labelsView, uncertainView, type LabelsPage } from './view.js';

/** How a label job is started: its dataset and the options of {@link labelJobOptions}. */
export type CreateLabelJob = LabelJobOptionsInput & { datasetId: string };

/** Where label jobs keep things and what their evaluations see. */
export interface LabelJobsOptions {
  store: Store;
  /** The folder dataset files are kept in (the server's data directory). */
  dataDir: string;
  /** The environment judge calls see (provider keys, JUROR_JUDGE_MODEL); default process.env. */
  env?: Record<string, string | undefined>;
  /** Faults of background passes that are not the job's own (a store that went away). */
  onError?: (error: unknown, jobId: string) => void;
}

interface Active {
  controller: AbortController;
  cancelled: boolean;
  /** Why the pass was stopped, when it was not cancelled. */
  stopReason?: string;
  progress: LabelProgress | undefined;
  done: Promise<void>;
}

const PROGRESS_WRITE_MS = 500;

export class LabelJobs {
  readonly store: Store;
  readonly db: Kysely<LabelDatabase>;
  readonly jobs: LabelJobRepository;
  readonly labels: LabelRepository;
  readonly agreements: AgreementRepository;
  readonly datasets: DatasetRepository;
  readonly dataDir: string;
  readonly env: Record<string, string | undefined>;
  private readonly onError: (error: unknown, jobId: string) => void;
  private readonly active = new Map<string, Active>();
  /** Jobs whose review or resample is being applied (one at a time per job). */
  private readonly busy = new Set<string>();

  constructor(options: LabelJobsOptions) {
    this.store = options.store;
    this.db = labelDb(options.store);
    this.jobs = new LabelJobRepository(this.db);
    this.labels = new LabelRepository(this.db);
    this.agreements = new AgreementRepository(this.db);
    this.datasets = new DatasetRepository(serverDb(options.store));
    this.dataDir = options.dataDir;
    this.env = options.env ?? process.env;
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Checks the options ({@link parseLabelJobOptions}) and the criterion against the dataset (nothing
   * is stored when either fails), then labels the sample in the background.
   */
  async create(input: CreateLabelJob): Promise<LabelJobRecord> {
    const { datasetId, ...given } = input;
    const dataset = await this.datasets.get(datasetId);
    if (!dataset) throw new LabelJobError('not_found', `no dataset '${datasetId}'`, { field: 'dataset_id', hint: 'upload it first (POST /api/datasets), or list them with GET /api/datasets' });
    const options = parseLabelJobOptions(given);
    const { sampleSize, seed = 1 } = options;
    const criterion = makeCriterion(options);
    const id = newJobId();
    const name = options.name ?? `label_${id.slice(0, 8)}`;
    await checkRunnable(judgeForCriterion(criterion, { name, version: 'v1' }), dataset.columns, criterion.col_mapping, this.env);

    const stored = await storeVersion(this.store.judges, name, (version) => judgeForCriterion(criterion, { name, version }));
    const sample = sampleRows(dataset.row_count, sampleSize, seed);
    await this.jobs.create({ id, datasetId: dataset.id, name, criterion, sample, sampleSize, seed });
    await this.jobs.update(id, { judge_id: stored.judgeId, versions: withVersion([], stored, []) });
    this.launch(id, 'sample', options.review !== true);
    return this.get(id);
  }

  /** A job, or a not_found LabelJobError. */
  async get(id: string): Promise<LabelJobRecord> {
    const job = await this.jobs.get(id);
    if (!job) throw noSuchJob(id);
    return job;
  }

  /** The live progress of a pass running in this process (fresher than the stored one). */
  liveProgress(id: string): LabelProgress | undefined {
    return this.active.get(id)?.progress;
  }

  /** A page of the job's labels: the sample while it is labelled or reviewed, every row once labelled. */
  async labelsPage(id: string, page: { offset?: number; limit?: number } = {}): Promise<LabelsPage> {
    return labelsView(this, await this.get(id), { offset: page.offset ?? 0, limit: page.limit ?? 100 });
  }

  /** The uncertain rows already offered, with their columns while the job is in review. */
  uncertainRows(job: LabelJobRecord): ReturnType<typeof uncertainView> {
    return uncertainView(this, job);
  }

  /** Rows the judge is least sure of, offered for review (the job must be awaiting_review). */
  async uncertain(id: string, options: UncertaintyOptions = {}): Promise<UncertaintyReport> {
    return findUncertain(this, await this.get(id), options);
  }

  /** The agreement of each judge version with the human labels (stored, so it has a history). */
  async agreement(id: string): Promise<JobAgreement> {
    return jobAgreement(this, await this.get(id));
  }

  /** The labelled rows as chat-format fine-tuning examples, in dataset order. */
  async *finetune(id: string): AsyncGenerator<FinetuneExample> {
    yield* finetuneExamples(this, await this.get(id));
  }

  /** The dataset of a job, and where its file is. */
  async datasetOf(job: LabelJobRecord): Promise<{ dataset: DatasetRecord; file: StoredFile }> {
    const dataset = await this.datasets.get(job.dataset_id);
    if (!dataset) throw new LabelJobError('not_found', `the dataset '${job.dataset_id}' of label job ${job.id} is gone`);
    return { dataset, file: storedFile(this.dataDir, dataset) };
  }

  /**
   * Stores a person's labels of sample (or uncertain) rows and, with them as few-shot examples (and
   * the revised prompt, if any), labels every row without a human label. Needs `awaiting_review`.
   */
  review(id: string, labels: HumanLabelInput[], options: { prompt?: string | undefined } = {}): Promise<LabelJobRecord> {
    return this.applyReview(id, 'review', labels, options.prompt);
  }

  /** Like {@link review}, but re-labels the sample with the new judge version and returns to `awaiting_review`. */
  resample(id: string, options: { labels?: HumanLabelInput[] | undefined; prompt?: string | undefined } = {}): Promise<LabelJobRecord> {
    return this.applyReview(id, 'resample', options.labels ?? [], options.prompt);
  }

  private async applyReview(id: string, action: 'review' | 'resample', labels: HumanLabelInput[], prompt: string | undefined): Promise<LabelJobRecord> {
    let job = await this.get(id);
    // A pass that has just recorded awaiting_review is finishing: let it.
    if (job.status === 'awaiting_review' && this.active.has(id)) {
      await this.active.get(id)!.done;
      job = await this.get(id);
    }
    if (job.status !== 'awaiting_review' || this.busy.has(id) || this.active.has(id)) throw wrongStatus(id, this.busy.has(id) ? 'being reviewed' : job.status, action, ['awaiting_review']);
    this.busy.add(id);
    try {
      const { dataset, file } = await this.datasetOf(job);
      const [rowLabels, humanLabels] = await Promise.all([this.labels.ofRows(id, labels.map((l) => l.row).filter(Number.isInteger)), this.labels.human(id)]);
      const prepared = await prepareReview({ job, dataset, file, rowLabels, humanLabels, env: this.env }, { labels, prompt });
      await this.labels.insert(prepared.inserts);
      const stored = await storeVersion(this.store.judges, job.name, prepared.build);
      await this.jobs.update(id, {
        criterion: prepared.criterion,
        judge_id: stored.judgeId,
        versions: withVersion(job.versions, stored, prepared.exampleRows),
        status: action === 'review' ? 'running' : 'sampling',
        progress: null,
        error: null,
      });
      this.launch(id, action === 'review' ? 'full' : 'sample', false);
      return await this.get(id);
    } finally {
      this.busy.delete(id);
    }
  }

  /** Stops a job: a running pass is aborted (its finished rows keep their labels); resolves once stopped (or after `waitMs`). */
  async cancel(id: string, waitMs = 10_000): Promise<LabelJobRecord> {
    const job = await this.get(id);
    const entry = this.active.get(id);
    if (this.busy.has(id)) throw wrongStatus(id, 'being reviewed', 'be cancelled', ['sampling', 'awaiting_review', 'running']);
    if (!entry && job.status !== 'awaiting_review') {
      if (FINAL_LABEL_JOB_STATUSES.includes(job.status)) throw wrongStatus(id, job.status, 'be cancelled', ['sampling', 'awaiting_review', 'running']);
      throw new LabelJobError('conflict', `label job ${id} is ${job.status} in another process`, { hint: 'cancel it where it runs (Ctrl-C in `juror label`, or the server that started it)' });
    }
    if (entry) {
      entry.cancelled = true;
      entry.controller.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([entry.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    // Awaiting review (or a pass that finished as it was cancelled): nothing runs, so it just ends.
    if ((await this.get(id)).status === 'awaiting_review') await this.jobs.update(id, { status: 'cancelled', error: 'cancelled' });
    return this.get(id);
  }

  /**
   * Waits until the job reaches `until` or a final status (default: the next stop — awaiting_review
   * or final), polling the store so that a job run by another process is followed too.
   */
  async wait(id: string, options: { until?: 'awaiting_review' | 'completed'; intervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LabelJobRecord> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const job = await this.get(id);
      const stop = FINAL_LABEL_JOB_STATUSES.includes(job.status) || (options.until !== 'completed' && job.status === 'awaiting_review');
      if (stop && !this.busy.has(id) && !(job.status === 'awaiting_review' && this.active.has(id))) return job;
      if (options.signal?.aborted || Date.now() > deadline) return job;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  }

  /** Stops every pass of this process and waits for each to record its end (jobs become failed). */
  async shutdown(): Promise<void> {
    for (const entry of this.active.values()) {
      entry.stopReason = 'the process stopped while this job was running; its finished rows keep their labels';
      entry.controller.abort();
    }
    await Promise.all([...this.active.values()].map((entry) => entry.done));
  }

  /** Runs a pass in the background; its end (or fault) is recorded on the job. */
  private launch(id: string, phase: 'sample' | 'full', thenFull: boolean): void {
    const entry: Active = { controller: new AbortController(), cancelled: false, progress: undefined, done: Promise.resolve() };
    this.active.set(id, entry);
    entry.done = (async () => {
      try {
        const status = await this.pass(id, phase, entry, thenFull);
        if (phase === 'sample' && status === 'running') await this.pass(id, 'full', entry, false);
      } catch (error) {
        const message = error instanceof JurorError ? error.describe() : String((error as Error)?.message ?? error);
        if (!(error instanceof JurorError)) this.onError(error, id);
        await this.jobs.update(id, { status: entry.cancelled ? 'cancelled' : 'failed', error: message, ...(entry.progress ? { progress: { ...entry.progress } } : {}) }).catch((e: unknown) => this.onError(e, id));
      } finally {
        this.active.delete(id);
      }
    })();
  }

  /**
   * One pass: labels the rows it covers that the current version has not labelled yet; returns the
   * job's next status (`running` after the sample when `thenFull`: no review).
   */
  private async pass(id: string, phase: 'sample' | 'full', entry: Active, thenFull: boolean): Promise<LabelJobStatus> {
    entry.progress = undefined;
    const job = await this.get(id);
    const { dataset, file } = await this.datasetOf(job);
    const judgeId = job.judge_id!;
    const [judge, done] = await Promise.all([this.store.judges.get(judgeId), this.labels.rowsLabelledBy(id, judgeId)]);
    let rows: number[];
    let records;
    if (phase === 'sample') {
      rows = job.sample.filter((row) => !done.has(row));
      const found = await recordsAt(file, rows);
      records = rows.map((row) => found.get(row)!);
    } else {
      const human = new Set((await this.labels.human(id)).map((l) => l.row_index));
      ({ rows, records } = await recordsWhere(file, (row) => !human.has(row) && !done.has(row)));
    }
    const { criterion } = job;
    let lastWrite = 0;
    // Progress writes are chained, so that none lands after the pass's final record.
    let writes: Promise<void> = Promise.resolve();
    const result = await runPhase(this.store, this.labels, {
      jobId: id,
      datasetId: dataset.id,
      judge,
      judgeId,
      output: criterion.output,
      colMapping: criterion.col_mapping,
      phase,
      rows,
      records,
      signal: entry.controller.signal,
      env: this.env,
      onProgress: (progress) => {
        entry.progress = progress;
        if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = Date.now();
        writes = writes.then(() => this.jobs.update(id, { progress: { ...progress } })).catch((error: unknown) => this.onError(error, id));
      },
      onRunCreated: async (runId) => {
        const current = await this.get(id);
        await this.jobs.update(id, { runs: [...current.runs, { run_id: runId, phase, judge_id: judgeId }] });
      },
    });
    await writes;
    const progress = entry.progress ?? { phase, rows_done: rows.length, row_count: rows.length, errors: 0, calls: 0, cost_usd: 0 };
    if (result.status === 'interrupted') {
      const status = entry.cancelled ? 'cancelled' : 'failed';
      await this.jobs.update(id, { status, error: entry.cancelled ? 'cancelled' : (entry.stopReason ?? result.stopReason ?? 'stopped'), progress: { ...progress } });
      return status;
    }
    const next = phase === 'full' ? 'completed' : thenFull ? 'running' : 'awaiting_review';
    await this.jobs.update(id, { status: next, progress: { ...progress } });
    return next;
  }
}

/** The job's versions with `stored` added (once), and the rows whose human labels are its examples. */
function withVersion(versions: JobVersion[], stored: StoredVersion, exampleRows: number[]): JobVersion[] {
  if (versions.some((v) => v.judge_id === stored.judgeId)) return versions;
  return [...versions, { judge_id: stored.judgeId, version: stored.version, example_rows: exampleRows, created_at: new Date().toISOString() }];
}
