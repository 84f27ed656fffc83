/**
 * Label jobs, LastMile's LLM Judge++ loop, shared by the API and the CLI: a judge labels a seeded
 * sample of a dataset (`sampling`); with `review`, a person reviews it (`awaiting_review`), their labels become
 * the judge's few-shot examples in a new judge version, and that version labels every other row
 * (`running`, then `completed`); `resample` re-labels the sample with a revised criterion instead.
 * Without `review` the sample's labels are accepted and the job goes on to every row by itself.
 * Each pass is a job of the job system (kind `label`, payload `{ label_job_id, phase }`), so it has
 * the one cancel of every job, and a pass stopped with its process resumes on the next start,
 * labelling only the rows still without a label; label_jobs keeps the domain state (awaiting_review…).
 */
import { JurorError } from '../errors.js';
import { EmbeddedJobs } from '../jobs/embedded.js';
import { toJobProgress, type EvaluationProgress } from '../jobs/evaluation.js';
import { JobHandlers } from '../jobs/registry.js';
import { cancelled, type JobContext, type JobHandler, type JobRecord, type Jobs } from '../jobs/types.js';
import { UNFINISHED_JOB_STATUSES } from '../store/jobs.js';
import { AgreementRepository } from '../store/agreements.js';
import { DatasetRepository, type DatasetRecord } from '../store/datasets.js';
import { FINAL_LABEL_JOB_STATUSES, LabelJobRepository, newJobId, type JobVersion, type LabelJobRecord } from '../store/label-jobs.js';
import { labelDb, type LabelJobStatus } from '../store/label-tables.js';
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
  /**
   * The job system passes run on, with {@link labelPhaseHandler} registered for kind `label`.
   * Default: an embedded one of its own (passes run in this process).
   */
  runner?: Jobs;
}

/** What a pass's job stores: the label job and which pass (`resample`: the sample again, with a new version). */
export interface LabelPhasePayload {
  label_job_id: string;
  phase: 'sample' | 'full' | 'resample';
  /** Without review: the sample's labels are accepted and the full pass follows. */
  then_full?: boolean;
}

export class LabelJobs {
  readonly store: Store;
  readonly jobs: LabelJobRepository;
  readonly labels: LabelRepository;
  readonly agreements: AgreementRepository;
  readonly datasets: DatasetRepository;
  readonly dataDir: string;
  readonly env: Record<string, string | undefined>;
  /** The job system this engine's passes run on. */
  readonly runner: Jobs;
  private readonly ownsRunner: boolean;
  /** The pass job running in this process for each label job, for its live progress. */
  private readonly running = new Map<string, { jobId: string; phase: 'sample' | 'full' }>();
  /** Jobs whose review or resample is being applied (one at a time per job). */
  private readonly busy = new Set<string>();

  constructor(options: LabelJobsOptions) {
    this.store = options.store;
    const db = labelDb(options.store);
    this.jobs = new LabelJobRepository(db);
    this.labels = new LabelRepository(db);
    this.agreements = new AgreementRepository(db);
    this.datasets = new DatasetRepository(serverDb(options.store));
    this.dataDir = options.dataDir;
    this.env = options.env ?? process.env;
    this.ownsRunner = options.runner === undefined;
    this.runner =
      options.runner ??
      new EmbeddedJobs({
        store: this.store,
        env: this.env,
        handlers: new JobHandlers().register('label', labelPhaseHandler(this)),
        ...(options.onError ? { onError: options.onError } : {}),
      });
  }

  /**
   * Checks the options ({@link parseLabelJobOptions}) and the criterion against the dataset (nothing
   * is stored when either fails), then labels the sample in the background.
   */
  async create(input: CreateLabelJob): Promise<LabelJobRecord> {
    const { datasetId, ...given } = input;
    const dataset = await this.datasets.get(datasetId);
    if (!dataset)
      throw new LabelJobError('not_found', `no dataset '${datasetId}'`, {
        field: 'dataset_id',
        hint: 'upload it first (POST /api/datasets), or list them with GET /api/datasets',
      });
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
    await this.startPass(id, 'sample', options.review !== true);
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
    const pass = this.running.get(id);
    const progress = pass ? (this.runner.liveProgress(pass.jobId) as EvaluationProgress | undefined) : undefined;
    return pass && progress ? labelProgress(pass.phase, progress) : undefined;
  }

  /** The job's progress: its pass's, live or as its job last stored it, else the label job's own record. */
  async progress(job: LabelJobRecord): Promise<LabelProgress | null> {
    const live = this.liveProgress(job.id);
    if (live) return live;
    const [pass] = await this.passes(job.id);
    const stored = pass?.progress as EvaluationProgress | null | undefined;
    if (pass && stored) return labelProgress((pass.payload as LabelPhasePayload).phase === 'full' ? 'full' : 'sample', stored);
    return job.progress as LabelProgress | null;
  }

  /** The label job's passes still queued or running, newest first. */
  private async passes(id: string): Promise<JobRecord[]> {
    return (await this.runner.list({ kind: 'label', target: id, status: UNFINISHED_JOB_STATUSES, limit: 10, offset: 0 })).jobs;
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

  private async applyReview(
    id: string,
    action: 'review' | 'resample',
    labels: HumanLabelInput[],
    prompt: string | undefined,
  ): Promise<LabelJobRecord> {
    let job = await this.get(id);
    // A pass that has just recorded awaiting_review is finishing: let it.
    let passes = await this.passes(id);
    if (job.status === 'awaiting_review' && passes.length) {
      await Promise.all(passes.map((pass) => this.runner.settled(pass.id)));
      [job, passes] = await Promise.all([this.get(id), this.passes(id)]);
    }
    if (job.status !== 'awaiting_review' || this.busy.has(id) || passes.length)
      throw wrongStatus(id, this.busy.has(id) ? 'being reviewed' : job.status, action, ['awaiting_review']);
    this.busy.add(id);
    try {
      const { dataset, file } = await this.datasetOf(job);
      const [rowLabels, humanLabels] = await Promise.all([
        this.labels.ofRows(id, labels.map((l) => l.row).filter(Number.isInteger)),
        this.labels.human(id),
      ]);
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
      await this.startPass(id, action === 'review' ? 'full' : 'resample', false);
      return await this.get(id);
    } finally {
      this.busy.delete(id);
    }
  }

  /**
   * Stops a job as every job is stopped (the job system's cancel): a pass is aborted, its finished
   * rows keep their labels; a job awaiting review just ends. Resolves once stopped (or after `waitMs`).
   */
  async cancel(id: string, waitMs = 10_000): Promise<LabelJobRecord> {
    const job = await this.get(id);
    const allowed = ['sampling', 'awaiting_review', 'running'];
    if (this.busy.has(id)) throw wrongStatus(id, 'being reviewed', 'be cancelled', allowed);
    let passes = await this.passes(id);
    if (!passes.length && FINAL_LABEL_JOB_STATUSES.includes(job.status)) throw wrongStatus(id, job.status, 'be cancelled', allowed);
    if (!passes.length && job.status !== 'awaiting_review') throw inAnotherProcess(id, job.status);
    // A pass that ends as it is cancelled may start the next one: stop that too.
    while (passes.length) {
      for (const pass of passes) if (!(await this.runner.cancel(pass.id, waitMs))) throw inAnotherProcess(id, job.status);
      passes = await this.passes(id);
    }
    // Awaiting review, or a pass stopped before it started: nothing runs, so it just ends.
    if (!FINAL_LABEL_JOB_STATUSES.includes((await this.get(id)).status))
      await this.jobs.update(id, { status: 'cancelled', error: 'cancelled' });
    return this.get(id);
  }

  /**
   * Waits until the job reaches `until` or a final status (default: the next stop — awaiting_review
   * or final), polling the store so that a job run by another process is followed too.
   */
  async wait(
    id: string,
    options: { until?: 'awaiting_review' | 'completed'; intervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<LabelJobRecord> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const job = await this.get(id);
      const stop = FINAL_LABEL_JOB_STATUSES.includes(job.status) || (options.until !== 'completed' && job.status === 'awaiting_review');
      if (stop && !this.busy.has(id) && !(job.status === 'awaiting_review' && (await this.passes(id)).length)) return job;
      if (options.signal?.aborted || Date.now() > deadline) return job;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  }

  /** Stops the passes of an embedded job system of its own (they resume when one starts again on this store). */
  async shutdown(): Promise<void> {
    if (this.ownsRunner) await this.runner.shutdown();
  }

  /**
   * Marks label jobs left sampling or running with no pass to resume them (stored by an older
   * Juror) as failed; returns how many.
   */
  failAbandoned(): Promise<number> {
    return this.jobs.failAbandoned(
      'the process stopped while this job was running, before jobs could resume; finished rows keep their labels',
    );
  }

  /** Queues a pass of the job. */
  private async startPass(id: string, phase: LabelPhasePayload['phase'], thenFull: boolean): Promise<void> {
    await this.runner.start<LabelPhasePayload>(
      'label',
      { label_job_id: id, phase, ...(thenFull ? { then_full: true } : {}) },
      { target: id },
    );
  }

  /**
   * Runs one pass as a job: labels the rows still without a label, moves the label job on (to
   * awaiting_review, or to the full pass), and records a stop or fault on the label job — except a
   * stop of the process, after which the pass resumes.
   */
  async runPass(job: JobRecord<LabelPhasePayload>, ctx: JobContext): Promise<void> {
    const { label_job_id: id, phase, then_full: thenFull = false } = job.payload;
    const pass = phase === 'full' ? 'full' : 'sample';
    // A pass resumed after its label job ended (cancelled while its process was down) has nothing to do.
    if (FINAL_LABEL_JOB_STATUSES.includes((await this.get(id)).status)) return;
    this.running.set(id, { jobId: job.id, phase: pass });
    let last: LabelProgress | undefined;
    try {
      const status = await this.pass(id, pass, ctx, thenFull, (progress) => (last = progress));
      if (pass === 'sample' && status === 'running') {
        // Stopped just as the sample ended: no full pass; a stopped process runs this pass (0 rows) again.
        ctx.signal.throwIfAborted();
        await this.startPass(id, 'full', false);
      }
    } catch (error) {
      if (!ctx.signal.aborted || cancelled(ctx.signal)) {
        const message = cancelled(ctx.signal)
          ? 'cancelled'
          : error instanceof JurorError
            ? error.describe()
            : String((error as Error)?.message ?? error);
        await this.jobs.update(id, {
          status: cancelled(ctx.signal) ? 'cancelled' : 'failed',
          error: message,
          ...(last ? { progress: { ...last } } : {}),
        });
      } else if (last) {
        await this.jobs.update(id, { progress: { ...last } });
      }
      throw error;
    } finally {
      this.running.delete(id);
    }
  }

  /**
   * One pass: labels the rows it covers that the current version has not labelled yet; returns the
   * job's next status (`running` after the sample when `thenFull`: no review).
   */
  private async pass(
    id: string,
    phase: 'sample' | 'full',
    ctx: JobContext,
    thenFull: boolean,
    onProgress: (progress: LabelProgress) => void,
  ): Promise<LabelJobStatus> {
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
    let last: LabelProgress = { phase, rows_done: rows.length, row_count: rows.length, errors: 0, calls: 0, cost_usd: 0 };
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
      signal: ctx.signal,
      env: ctx.env,
      onProgress: (engineProgress) => {
        const progress = toJobProgress(engineProgress);
        last = labelProgress(phase, progress);
        onProgress(last);
        ctx.progress(progress);
      },
      onRunCreated: async (runId) => {
        const current = await this.get(id);
        await this.jobs.update(id, { runs: [...current.runs, { run_id: runId, phase, judge_id: judgeId }] });
      },
    });
    if (result.status === 'interrupted') {
      ctx.signal.throwIfAborted();
      throw new Error(result.stopReason ?? 'stopped');
    }
    const next = phase === 'full' ? 'completed' : thenFull ? 'running' : 'awaiting_review';
    await this.jobs.update(id, { status: next, progress: { ...last } });
    return next;
  }
}

/** The handler of `label` jobs: one pass of `engine`. */
export function labelPhaseHandler(engine: LabelJobs): JobHandler<LabelPhasePayload> {
  return (job, ctx) => engine.runPass(job, ctx);
}

/** A pass's progress as a label job shows it. */
function labelProgress(phase: 'sample' | 'full', p: EvaluationProgress): LabelProgress {
  return { phase, rows_done: p.rows_done, row_count: p.row_count, errors: p.errors, calls: p.calls, cost_usd: p.cost_usd };
}

/** A pass of the job runs in another process, which alone can stop it. */
function inAnotherProcess(id: string, status: string): LabelJobError {
  return new LabelJobError('conflict', `label job ${id} is ${status} in another process`, {
    hint: 'cancel it where it runs (Ctrl-C in `juror label`, or the server that started it)',
  });
}

/** The job's versions with `stored` added (once), and the rows whose human labels are its examples. */
function withVersion(versions: JobVersion[], stored: StoredVersion, exampleRows: number[]): JobVersion[] {
  if (versions.some((v) => v.judge_id === stored.judgeId)) return versions;
  return [
    ...versions,
    { judge_id: stored.judgeId, version: stored.version, example_rows: exampleRows, created_at: new Date().toISOString() },
  ];
}
