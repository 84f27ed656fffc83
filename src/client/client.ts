/**
 * `JurorClient`: the REST API of `juror serve` from TypeScript, over fetch (Node 20+ or a
 * browser). Request and response types come from the server's zod schemas, so they cannot
 * drift from what the server validates and documents.
 * @example
 * const juror = new JurorClient({ baseUrl: 'http://127.0.0.1:4173', token: process.env.JUROR_TOKEN });
 * const dataset = await juror.uploadDataset('qa.csv');
 * const { runId, jobId } = await juror.evaluate({ datasetId: dataset.id, config: { judge_model: 'openai:/gpt-4o-mini', metrics: ['exact_match'] } });
 * await juror.waitForJob(jobId);
 * const page = await juror.getResults(runId, { sort: '-exact_match', limit: 20 });
 */
import type { ExperimentsList, JudgesList } from '../server/schemas/catalog.js';
import type { Health } from '../server/schemas/common.js';
import type { IngestResponse, InteractionInput, InteractionsList, InteractionsQuery } from '../server/schemas/interactions.js';
import type { Dataset, DatasetDetail, DatasetsList, DatasetsQuery, FromInteractionsBody } from '../server/schemas/datasets.js';
import type { CreateFinetuneBody, Finetune, FinetunesList } from '../server/schemas/finetunes.js';
import type { DistillBody, DistilledList } from '../server/schemas/distill.js';
import type { Job, JobsList, JobsQuery } from '../server/schemas/jobs.js';
import type {
  AlertsResponse,
  CreateMonitorBody,
  MonitorDetail,
  MonitorsList,
  PatchMonitorRequest,
  SeriesQuery,
  SeriesResponse,
  WindowInteractions,
  WindowInteractionsQuery,
} from '../server/schemas/monitors.js';
import type {
  CanariesList,
  CanaryAlertsResponse,
  CanaryDetail,
  CreateCanaryBody,
  PatchCanaryRequest,
  RunCanaryResponse,
} from '../server/schemas/canaries.js';
import type { AuditRequest, AuditResponse, JudgeAudits } from '../server/schemas/audits.js';
import type { ResultRow, ResultsPage, ResultsQuery } from '../server/schemas/results.js';
import type {
  AlignRequest,
  AlignResponse,
  CreateLabelJobResponse,
  HumanLabel,
  JudgeAgreementHistory,
  LabelAgreement,
  LabelJob,
  LabelJobQuery,
  LabelJobsList,
  LabelJobsQuery,
  UncertainQuery,
  UncertainResponse,
} from '../server/schemas/label-jobs.js';
import type { CreateRunResponse, RunDetail, RunsList, RunsQuery } from '../server/schemas/runs.js';
import type { PairwiseBody, PairwiseResult, PairwiseStarted, RunComparisonBody } from '../server/schemas/compare.js';
import { JurorApiError } from './errors.js';

export interface JurorClientOptions {
  /** Where the server is, e.g. `http://127.0.0.1:4173` (with or without a trailing slash or `/api`). */
  baseUrl: string;
  /** An API token (`juror tokens create`); needed when the server requires auth. */
  token?: string;
  /** A fetch implementation (default the global one). */
  fetch?: typeof fetch;
}

/** A file to upload: a path (Node only), a Blob/File, or named bytes. */
export type UploadSource = string | Blob | { name: string; data: Blob | Uint8Array | string };

/** Statuses a job does not leave. */
const FINAL = new Set<Job['status']>(['completed', 'failed', 'cancelled']);

/** How {@link JurorClient.labelDataset} starts a label job: a prompt (with `{column}` variables) or a built-in judge. */
export interface LabelDatasetRequest {
  datasetId: string;
  prompt?: string;
  builtin?: string;
  output?: 'binary' | 'yes_no' | 'scale_1_5';
  model?: string;
  examples?: Array<{
    input?: string;
    output: string;
    score: number | string;
    justification: string;
    grading_context?: Record<string, string>;
  }>;
  /** Rows labelled first, for review with `review: true` (default 16). */
  sampleSize?: number;
  seed?: number;
  /** The judge name its versions are stored under. */
  name?: string;
  colMapping?: Record<string, string>;
  /**
   * true: the job stops at awaiting_review for a person to review the sample ({@link JurorClient.reviewLabels}).
   * Default false: every row is labelled, as LastMile's `label_dataset`.
   */
  review?: boolean;
  /** Wait until the job has completed (or failed; with `review`, until it awaits review) before resolving. */
  waitForCompletion?: boolean;
}

/** Options of the waits: how often to poll and for how long. */
export interface WaitOptions<T> {
  intervalMs?: number;
  timeoutMs?: number;
  onProgress?: (job: T) => void;
}

export class JurorClient {
  private readonly base: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: JurorClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Whether the server is up and needs a token. */
  health(): Promise<Health> {
    return this.json('GET', '/api/health');
  }

  /**
   * Sends interactions of your app (request, response, retrieved context…) to be monitored; resolves
   * once the server has stored them. Give each an `id` to make retries safe: an id is stored once.
   * @example
   * await juror.logInteractions([{ id: requestId, app: 'rag-bot', request: question, response: answer, retrieved_context: chunks }]);
   */
  logInteractions(interactions: InteractionInput[]): Promise<IngestResponse> {
    return this.json('POST', '/api/interactions', { body: { interactions } });
  }

  /** Stored interactions, newest first (of one app with `app`). */
  listInteractions(query: InteractionsQuery = {}): Promise<InteractionsList> {
    return this.json('GET', '/api/interactions', { query });
  }

  /** Uploads a CSV, JSONL, JSON or Parquet file; the server validates it end to end. */
  async uploadDataset(source: UploadSource, options: { name?: string; format?: Dataset['format'] } = {}): Promise<Dataset> {
    const { blob, filename } = await toBlob(source);
    const form = new FormData();
    if (options.name) form.append('name', options.name);
    if (options.format) form.append('format', options.format);
    form.append('file', blob, filename);
    return this.json('POST', '/api/datasets', { body: form });
  }

  /** Uploaded datasets, newest first. */
  listDatasets(query: DatasetsQuery = {}): Promise<DatasetsList> {
    return this.json('GET', '/api/datasets', { query });
  }

  /** A dataset with its columns, row count and first 20 rows. */
  getDataset(id: string): Promise<DatasetDetail> {
    return this.json('GET', `/api/datasets/${encodeURIComponent(id)}`);
  }

  /**
   * A dataset's rows as CSV or JSON Lines text (default: its own format if CSV, else JSON Lines).
   * A labelled dataset has the columns label, label_justification, label_source and
   * label_judge_version (from `labelJob`, else its newest completed label job).
   */
  async downloadDataset(id: string, format?: 'csv' | 'jsonl', options: { labelJob?: string } = {}): Promise<string> {
    return (
      await this.request(
        'GET',
        `/api/datasets/${encodeURIComponent(id)}/download`,
        { query: { format, label_job: options.labelJob } },
        `download dataset ${id}`,
      )
    ).text();
  }

  /** The same as {@link downloadDataset}, as a stream for large datasets. */
  async downloadDatasetStream(id: string, format?: 'csv' | 'jsonl'): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request(
      'GET',
      `/api/datasets/${encodeURIComponent(id)}/download`,
      { query: { format } },
      `download dataset ${id}`,
    );
    if (!response.body) throw new JurorApiError(response.status, `download dataset ${id}: the response has no body`);
    return response.body;
  }

  /**
   * Starts an evaluation of an uploaded dataset with a config (the YAML config as an object,
   * without `data`) and any `thresholds` besides the config's (`{ 'quality/v1/mean': '>= 4' }`).
   * Resolves once the run exists; follow it with {@link waitForJob}, then {@link getRun} has
   * `thresholds` (each with `passed`) and `passed`, as `juror eval` reports them.
   */
  async evaluate(request: {
    datasetId: string;
    config: Record<string, unknown>;
    thresholds?: Record<string, string | number>;
  }): Promise<{ runId: string; jobId: string }> {
    const body = {
      dataset_id: request.datasetId,
      config: request.config,
      ...(request.thresholds ? { thresholds: request.thresholds } : {}),
    };
    const started: CreateRunResponse = await this.json('POST', '/api/runs', { body });
    return { runId: started.run_id, jobId: started.job_id };
  }

  /** A job's status, progress and error. */
  getJob(id: string): Promise<Job> {
    return this.json('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }

  /** Jobs, newest first. */
  listJobs(query: JobsQuery = {}): Promise<JobsList> {
    return this.json('GET', '/api/jobs', { query });
  }

  /** Stops a running job (its run becomes interrupted, resumable); resolves with the job once stopped. */
  cancelJob(id: string): Promise<Job> {
    return this.json('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`);
  }

  /**
   * Polls a job until it is completed, failed or cancelled, and returns it (a failed job is
   * returned, not thrown: look at `status` and `error`). Throws after `timeoutMs` (default 1 hour).
   */
  async waitForJob(id: string, options: { intervalMs?: number; timeoutMs?: number; onProgress?: (job: Job) => void } = {}): Promise<Job> {
    const interval = options.intervalMs ?? 500;
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const job = await this.getJob(id);
      options.onProgress?.(job);
      if (FINAL.has(job.status)) return job;
      if (Date.now() + interval > deadline) {
        throw new JurorApiError(0, `job ${id} is still ${job.status} after ${options.timeoutMs ?? 3_600_000} ms`, {
          code: 'timeout',
          hint: 'wait longer (timeoutMs), or cancel it with cancelJob',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /**
   * Starts a label job (LastMile's `label_dataset`): the judge labels every row of the dataset, or
   * with `review: true` a sample for a person to review first ({@link reviewLabels}). Resolves with
   * the job id at once, or — with `waitForCompletion` — once the job stops (see {@link waitForLabelJob}).
   * @example
   * const jobId = await juror.labelDataset({ datasetId, builtin: 'faithfulness' });
   * await juror.waitForLabelJob(jobId);
   * const labelled = await juror.downloadDataset(datasetId); // every row with its label
   */
  async labelDataset(request: LabelDatasetRequest): Promise<string> {
    const started: CreateLabelJobResponse = await this.json('POST', '/api/label-jobs', {
      body: {
        dataset_id: request.datasetId,
        prompt: request.prompt,
        builtin: request.builtin,
        output: request.output,
        model: request.model,
        examples: request.examples,
        sample_size: request.sampleSize,
        seed: request.seed,
        name: request.name,
        col_mapping: request.colMapping,
        review: request.review,
      },
    });
    if (request.waitForCompletion) await this.waitForLabelJob(started.job_id);
    return started.job_id;
  }

  /**
   * Checks a stored judge version against a dataset's human labels (a column, or by default the
   * labels of its label jobs); follow the job with `waitForJob`, then read `judgeAgreement(name)`.
   */
  alignJudge(name: string, body: AlignRequest): Promise<AlignResponse> {
    return this.json('POST', `/api/judges/${encodeURIComponent(name)}/align`, { body });
  }

  /**
   * Audits a stored judge version for biases over a dataset (verbosity, authority, injection,
   * self-consistency); follow the job with `waitForJob`, then read `judgeAudits(name)`.
   */
  auditJudge(name: string, body: AuditRequest): Promise<AuditResponse> {
    return this.json('POST', `/api/judges/${encodeURIComponent(name)}/audit`, { body });
  }

  /** A judge's audits, oldest first, each under its version with its headline numbers and whole report. */
  judgeAudits(name: string): Promise<JudgeAudits> {
    return this.json('GET', `/api/judges/${encodeURIComponent(name)}/audits`);
  }

  /** Label jobs, newest first (of one dataset or status when given). */
  listLabelJobs(query: LabelJobsQuery = {}): Promise<LabelJobsList> {
    return this.json('GET', '/api/label-jobs', { query });
  }

  /** A label job: status, progress, and its labels (the sample in review; every row, paged, once completed). */
  getLabelJob(id: string, query: LabelJobQuery = {}): Promise<LabelJob> {
    return this.json('GET', `/api/label-jobs/${encodeURIComponent(id)}`, { query });
  }

  /**
   * Submits a person's labels of sample (or uncertain) rows; they become few-shot examples of a new
   * judge version, which labels every other row.
   */
  reviewLabels(id: string, labels: HumanLabel[], options: { prompt?: string } = {}): Promise<LabelJob> {
    return this.json('POST', `/api/label-jobs/${encodeURIComponent(id)}/review`, { body: { labels, ...options } });
  }

  /** Re-labels the sample with a revised prompt (and labels given as examples) as a new judge version. */
  resampleLabels(id: string, options: { prompt?: string; labels?: HumanLabel[] } = {}): Promise<LabelJob> {
    return this.json('POST', `/api/label-jobs/${encodeURIComponent(id)}/resample`, { body: options });
  }

  /** Stops a label job; labels of finished rows are kept. */
  cancelLabelJob(id: string): Promise<LabelJob> {
    return this.json('POST', `/api/label-jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** Rows the judge is least sure of (k samples that disagree), each with why. */
  uncertainRows(id: string, query: UncertainQuery = {}): Promise<UncertainResponse> {
    return this.json('GET', `/api/label-jobs/${encodeURIComponent(id)}/uncertain`, { query });
  }

  /**
   * Polls a label job until it is `until` or has ended. By default it stops at the next status
   * that needs someone or is final (awaiting_review, completed, failed, cancelled); with
   * `until: 'completed'` it waits through a review made elsewhere (the UI).
   */
  async waitForLabelJob(id: string, options: WaitOptions<LabelJob> & { until?: 'awaiting_review' | 'completed' } = {}): Promise<LabelJob> {
    const interval = options.intervalMs ?? 500;
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const job = await this.getLabelJob(id, { limit: 1 });
      options.onProgress?.(job);
      if (['completed', 'failed', 'cancelled'].includes(job.status) || (options.until !== 'completed' && job.status === 'awaiting_review'))
        return this.getLabelJob(id);
      if (Date.now() + interval > deadline) {
        throw new JurorApiError(0, `label job ${id} is still ${job.status} after ${options.timeoutMs ?? 3_600_000} ms`, {
          code: 'timeout',
          hint: 'wait longer (timeoutMs), or cancel it with cancelLabelJob',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /** Each judge version's agreement with the reviewed rows' human labels (stored each time: see {@link judgeAgreement}). */
  labelAgreement(id: string): Promise<LabelAgreement> {
    return this.json('GET', `/api/label-jobs/${encodeURIComponent(id)}/agreement`);
  }

  /** A judge's agreement with human labels over time, a series per version. */
  judgeAgreement(name: string): Promise<JudgeAgreementHistory> {
    return this.json('GET', `/api/judges/${encodeURIComponent(name)}/agreement`);
  }

  /** The job's labelled rows as chat-format fine-tuning data (JSON Lines text). */
  async exportFinetune(id: string): Promise<string> {
    return (await this.request('GET', `/api/label-jobs/${encodeURIComponent(id)}/export/finetune`, {}, `export label job ${id}`)).text();
  }

  /**
   * Fine-tunes the label job's judge at OpenAI on its labelled rows (the server's OPENAI_API_KEY);
   * on success the fine-tuned model is a new judge version. Follow it with {@link getFinetune}.
   * @example await juror.finetuneJudge(labelJobId, { model: 'openai:/gpt-4o-mini-2024-07-18' })
   */
  finetuneJudge(labelJobId: string, body: CreateFinetuneBody): Promise<{ id: string; job_id: string; status: Finetune['status'] }> {
    return this.json('POST', `/api/label-jobs/${encodeURIComponent(labelJobId)}/finetune`, { body });
  }

  /**
   * Trains a distilled judge on a label job's labels (a job: follow it with `waitForJob`, then read
   * `distilledJudges(labelJobId)`); usable as the metric `{ metric: distilled, judge, version }`.
   * @example const { job_id } = await juror.distillLabelJob(labelJobId, { name: 'helpful-fast' })
   */
  distillLabelJob(labelJobId: string, body: DistillBody = {}): Promise<{ job_id: string; name: string }> {
    return this.json('POST', `/api/label-jobs/${encodeURIComponent(labelJobId)}/distill`, { body });
  }

  /** Distilled judge versions with their cross-validated reports: a label job's, or every one stored. */
  distilledJudges(labelJobId?: string): Promise<DistilledList> {
    return this.json('GET', labelJobId ? `/api/label-jobs/${encodeURIComponent(labelJobId)}/distilled` : '/api/distilled');
  }

  /** A fine-tune: the provider's status and events as last seen, the fine-tuned model and its judge version. */
  getFinetune(id: string): Promise<Finetune> {
    return this.json('GET', `/api/finetunes/${encodeURIComponent(id)}`);
  }

  /** A label job's fine-tunes, newest first. */
  async listFinetunes(labelJobId: string): Promise<FinetunesList['finetunes']> {
    return (await this.json<FinetunesList>('GET', `/api/label-jobs/${encodeURIComponent(labelJobId)}/finetunes`)).finetunes;
  }

  /** Cancels a fine-tune at the provider (and the job following it). */
  cancelFinetune(id: string): Promise<Finetune> {
    return this.json('POST', `/api/finetunes/${encodeURIComponent(id)}/cancel`);
  }

  /** Runs, newest first, with their aggregates. */
  listRuns(query: RunsQuery = {}): Promise<RunsList> {
    return this.json('GET', '/api/runs', { query });
  }

  /** A run: config, judges with system prompts, aggregates, per-metric counts, cost, timings, dataset. */
  getRun(id: string): Promise<RunDetail> {
    return this.json('GET', `/api/runs/${encodeURIComponent(id)}`);
  }

  /** A page of a run's rows with every metric's outcome; `sort: '-faithfulness'` sorts by a metric descending. */
  getResults(runId: string, query: ResultsQuery = {}): Promise<ResultsPage> {
    return this.json('GET', `/api/runs/${encodeURIComponent(runId)}/results`, { query });
  }

  /** One row with each judge's prompt as sent, raw answer and per-chunk details. */
  getResultRow(runId: string, row: number): Promise<ResultRow> {
    return this.json('GET', `/api/runs/${encodeURIComponent(runId)}/results/${row}`);
  }

  /**
   * Deletes a run with everything it holds. A run still `running` is refused (409) unless
   * `force` says the process that ran it is gone.
   */
  async deleteRun(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.json('DELETE', `/api/runs/${encodeURIComponent(id)}`, { query: { force: options.force } });
  }

  /**
   * Compares run `b` with run `a` (same dataset) metric by metric: the paired difference with its
   * 95% interval, McNemar or Wilcoxon, and a verdict ("B is better", "B is worse", "not distinguishable").
   */
  compareRuns(a: string, b: string, options: { seed?: number; resamples?: number } = {}): Promise<RunComparisonBody> {
    return this.json('GET', '/api/runs/compare', { query: { a, b, ...options } });
  }

  /**
   * Starts judging run `b`'s outputs against run `a`'s with a pairwise judge (a stored judge's
   * name, or a definition with {response_a} and {response_b}); follow it with {@link getPairwiseComparison}.
   */
  comparePairwise(request: Omit<PairwiseBody, 'seed'> & { seed?: number }): Promise<PairwiseStarted> {
    return this.json('POST', '/api/runs/compare/pairwise', { body: request });
  }

  /** A pairwise comparison job, with its report (win / loss / tie rates, consistency, position preference) once completed. */
  getPairwiseComparison(jobId: string): Promise<PairwiseResult> {
    return this.json('GET', `/api/runs/compare/pairwise/${encodeURIComponent(jobId)}`);
  }

  /** Experiments with their run counts. */
  async listExperiments(): Promise<ExperimentsList['experiments']> {
    return (await this.json<ExperimentsList>('GET', '/api/experiments')).experiments;
  }

  /** Judge definitions grouped by name, with their versions. */
  async listJudges(): Promise<JudgesList['judges']> {
    return (await this.json<JudgesList>('GET', '/api/judges')).judges;
  }

  /** Creates a monitor (a bad one is a 400 naming the field); returns its id. Its judging starts at once. */
  async createMonitor(monitor: CreateMonitorBody): Promise<string> {
    return (await this.json<{ id: string }>('POST', '/api/monitors', { body: monitor })).id;
  }

  /** A monitor with how many interactions it judged and its lag. */
  getMonitor(id: string): Promise<MonitorDetail> {
    return this.json('GET', `/api/monitors/${encodeURIComponent(id)}`);
  }

  /** Every monitor, newest first. */
  async listMonitors(): Promise<MonitorsList['monitors']> {
    return (await this.json<MonitorsList>('GET', '/api/monitors')).monitors;
  }

  /** Changes a monitor; `{ status: 'paused' }` stops its judging, `'active'` resumes it. */
  updateMonitor(id: string, patch: PatchMonitorRequest): Promise<MonitorDetail> {
    return this.json('PATCH', `/api/monitors/${encodeURIComponent(id)}`, { body: patch });
  }

  /** A metric's aggregates per window (`metric` is `name/version`). */
  async series(id: string, query: SeriesQuery): Promise<SeriesResponse['points']> {
    return (await this.json<SeriesResponse>('GET', `/api/monitors/${encodeURIComponent(id)}/series`, { query })).points;
  }

  /** A monitor's alert events (firing, resolved), oldest first. */
  async alerts(id: string): Promise<AlertsResponse['alerts']> {
    return (await this.json<AlertsResponse>('GET', `/api/monitors/${encodeURIComponent(id)}/alerts`)).alerts;
  }

  /** A window's interactions (`from`–`to`) with every score and justification, lowest `metric` score first. */
  windowInteractions(id: string, query: WindowInteractionsQuery): Promise<WindowInteractions> {
    return this.json('GET', `/api/monitors/${encodeURIComponent(id)}/interactions`, { query });
  }

  /** Saves stored interactions as a dataset (one row each, in order); an unknown id is a 400 naming it. */
  datasetFromInteractions(body: FromInteractionsBody): Promise<Dataset> {
    return this.json('POST', '/api/datasets/from-interactions', { body });
  }

  /** Creates a canary (a bad one is a 400 naming the field); returns its id. Its first check runs at once. */
  async createCanary(canary: CreateCanaryBody): Promise<string> {
    return (await this.json<{ id: string }>('POST', '/api/canaries', { body: canary })).id;
  }

  /** A canary with its agreement over time, its alert's state and when it checks next. */
  getCanary(id: string): Promise<CanaryDetail> {
    return this.json('GET', `/api/canaries/${encodeURIComponent(id)}`);
  }

  /** Every canary, newest first. */
  async listCanaries(): Promise<CanariesList['canaries']> {
    return (await this.json<CanariesList>('GET', '/api/canaries')).canaries;
  }

  /** Changes a canary; `{ status: 'paused' }` stops its schedule, `'active'` resumes it. */
  updateCanary(id: string, patch: PatchCanaryRequest): Promise<CanaryDetail> {
    return this.json('PATCH', `/api/canaries/${encodeURIComponent(id)}`, { body: patch });
  }

  /** Deletes a canary with its checks and alert events. */
  async deleteCanary(id: string): Promise<void> {
    await this.json('DELETE', `/api/canaries/${encodeURIComponent(id)}`);
  }

  /** Asks for a check now; resolves at once with when it was asked (a check starting after it answers). */
  async runCanary(id: string): Promise<string> {
    return (await this.json<RunCanaryResponse>('POST', `/api/canaries/${encodeURIComponent(id)}/run`)).requested_at;
  }

  /** A canary's alert events (firing, resolved), oldest first. */
  async canaryAlerts(id: string): Promise<CanaryAlertsResponse['alerts']> {
    return (await this.json<CanaryAlertsResponse>('GET', `/api/canaries/${encodeURIComponent(id)}/alerts`)).alerts;
  }

  private async json<T>(method: string, path: string, options: { query?: object; body?: unknown } = {}): Promise<T> {
    const response = await this.request(method, path, options, `${method} ${path}`);
    return (await response.json()) as T;
  }

  private async request(method: string, path: string, options: { query?: object; body?: unknown }, what: string): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: RequestInit['body'];
    if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (cause) {
      throw new JurorApiError(0, `${what}: cannot reach ${this.base}: ${(cause as Error).message}`, {
        cause,
        hint: 'check that `juror serve` is running and the base URL',
      });
    }
    if (!response.ok) throw await JurorApiError.fromResponse(response, what);
    return response;
  }
}

async function toBlob(source: UploadSource): Promise<{ blob: Blob; filename: string }> {
  if (typeof source === 'string') {
    // Node only: a file-backed Blob, streamed from disk rather than read into memory.
    const { openAsBlob } = await import('node:fs');
    const { basename } = await import('node:path');
    return { blob: await openAsBlob(source), filename: basename(source) };
  }
  if (source instanceof Blob)
    return { blob: source, filename: 'name' in source && typeof source.name === 'string' ? source.name : 'dataset' };
  const data = source.data;
  return { blob: data instanceof Blob ? data : new Blob([data]), filename: source.name };
}
