/**
 * The one module that knows the server's endpoints. Every call goes through `request`, which adds
 * the bearer token kept in localStorage and, on a 401, asks the user for a token (through the
 * handler the app installs) and tries once more.
 */
import type {
  CreateRunResponse,
  Dataset,
  DatasetDetail,
  DatasetsList,
  ErrorBody,
  ExperimentsList,
  Health,
  Job,
  JudgeAgreementHistory,
  JudgesList,
  LabelAgreement,
  LabelJob,
  LabelJobsList,
  ResultRow,
  ResultsPage,
  RunDetail,
  RunsList,
  UncertainResponse,
} from '../../src/server/schemas/index.js';
import type { AlertsResponse, MonitorDetail, MonitorsList, SeriesResponse, WindowInteractions } from '../../src/server/schemas/monitors.js';
import type { CanariesList } from '../../src/server/schemas/canaries.js';
import type { PairwiseResult, PairwiseStarted, RunComparisonBody as RunComparison } from '../../src/server/schemas/compare.js';

export type { PairwiseResult, PairwiseStarted, RunComparisonBody as RunComparison } from '../../src/server/schemas/compare.js';
import type { CreateFinetuneBody, Finetune, FinetunesList } from '../../src/server/schemas/finetunes.js';
import type { DistillBody, DistilledList } from '../../src/server/schemas/distill.js';

/** A distilled judge version with its cross-validated report (src/distill/train.ts DistillReport). */
export type DistilledVersion = DistilledList['versions'][number];
import type { AuditRequest, AuditResponse, JudgeAudits } from '../../src/server/schemas/audits.js';

export type { JudgeAudits } from '../../src/server/schemas/audits.js';

export type { Finetune } from '../../src/server/schemas/finetunes.js';

export type { AlertsResponse, MonitorDetail, SeriesResponse, WindowInteractions } from '../../src/server/schemas/monitors.js';
export type SeriesPoint = SeriesResponse['points'][number];
export type AlertEvent = AlertsResponse['alerts'][number];
export type WindowInteraction = WindowInteractions['interactions'][number];

/** A canary (a judge version checked against human labels on a schedule), as `GET /api/canaries` lists it. */
export type Canary = CanariesList['canaries'][number];

export type {
  Dataset,
  DatasetDetail,
  ErrorBody,
  Job,
  JobProgress,
  JudgeAgreementHistory,
  JudgesList,
  LabelAgreement,
  LabelJob,
  LabelJobsList,
  ResultRow,
  ResultsPage,
  RunDetail,
  RunSummary,
  UncertainResponse,
} from '../../src/server/schemas/index.js';

export type PageRow = ResultsPage['rows'][number];
export type ResultSummary = PageRow['results'][string];
export type RunJudge = RunDetail['judges'][number];
export type JudgeGroup = JudgesList['judges'][number];
export type RunStatus = RunDetail['status'];
export type LabelItem = LabelJob['labels'][number];
export type LabelOutput = 'binary' | 'yes_no' | 'scale_1_5';
export type UncertainRow = UncertainResponse['rows'][number];
/** A person's label of a row, as the review and resample routes take it. */
export interface HumanLabel {
  row: number;
  label: number | string;
  justification?: string | null;
}

const TOKEN_KEY = 'juror.token';

/** An error answer of the API, with the field at fault when the server names one. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: Partial<ErrorBody>;

  constructor(status: number, body: Partial<ErrorBody>) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }

  get field(): string | undefined {
    return this.body.field;
  }

  get hint(): string | undefined {
    return this.body.hint;
  }
}

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Asks the user for a token; resolves with it, or with null when they cancel. */
type TokenPrompt = (reason: string) => Promise<string | null>;
let tokenPrompt: TokenPrompt | undefined;
let pendingPrompt: Promise<string | null> | undefined;

/** The app installs the dialog that asks for a token. */
export function onTokenNeeded(prompt: TokenPrompt): void {
  tokenPrompt = prompt;
}

/** One prompt at a time, however many calls got a 401 together. */
function askForToken(reason: string): Promise<string | null> {
  if (!tokenPrompt) return Promise.resolve(null);
  pendingPrompt ??= tokenPrompt(reason).finally(() => {
    pendingPrompt = undefined;
  });
  return pendingPrompt;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `/api${path}${qs ? `?${qs}` : ''}`;
}

/** Sends a call with the token, asking for one on a 401; answers the response, or throws an ApiError. */
async function send(
  method: string,
  path: string,
  options: { query?: Query; json?: unknown; form?: FormData; signal?: AbortSignal } = {},
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = options.form;
    }
    const response = await fetch(url(path, options.query), { method, headers, body, signal: options.signal });
    if (response.ok) return response;
    let errorBody: Partial<ErrorBody>;
    try {
      errorBody = (await response.json()) as Partial<ErrorBody>;
    } catch {
      errorBody = { status: response.status, message: `${method} ${path}: HTTP ${response.status} ${response.statusText}` };
    }
    if (response.status === 401 && attempt < 3) {
      const entered = await askForToken(errorBody.message ?? 'this server needs an API token');
      if (entered) {
        setToken(entered);
        continue;
      }
    }
    throw new ApiError(response.status, errorBody);
  }
}

async function request<T>(
  method: string,
  path: string,
  options: { query?: Query; json?: unknown; form?: FormData; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await send(method, path, options);
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

/** Filters and order of a run's rows (`GET /api/runs/:id/results`). */
export interface ResultsFilter {
  metric?: string;
  maxScore?: number;
  errorsOnly?: boolean;
  /** `metric` ascending, `-metric` descending. */
  sort?: string;
}

export const api = {
  health: () => request<Health>('GET', '/health'),

  experiments: () => request<ExperimentsList>('GET', '/experiments'),

  runs: (query: { experiment?: string; status?: string; limit?: number; offset?: number } = {}) =>
    request<RunsList>('GET', '/runs', { query }),

  run: (id: string, signal?: AbortSignal) => request<RunDetail>('GET', `/runs/${encodeURIComponent(id)}`, { signal }),

  compareRuns: (a: string, b: string, signal?: AbortSignal) => request<RunComparison>('GET', '/runs/compare', { query: { a, b }, signal }),

  comparePairwise: (body: { a: string; b: string; judge: string | Record<string, unknown>; judge_model?: string; seed?: number }) =>
    request<PairwiseStarted>('POST', '/runs/compare/pairwise', { json: body }),

  pairwiseComparison: (jobId: string, signal?: AbortSignal) =>
    request<PairwiseResult>('GET', `/runs/compare/pairwise/${encodeURIComponent(jobId)}`, { signal }),

  results: (id: string, page: { offset: number; limit: number } & ResultsFilter, signal?: AbortSignal) =>
    request<ResultsPage>('GET', `/runs/${encodeURIComponent(id)}/results`, {
      query: {
        offset: page.offset,
        limit: page.limit,
        metric: page.metric,
        max_score: page.maxScore,
        errors_only: page.errorsOnly ? 'true' : undefined,
        sort: page.sort,
      },
      signal,
    }),

  row: (id: string, rowIndex: number, signal?: AbortSignal) =>
    request<ResultRow>('GET', `/runs/${encodeURIComponent(id)}/results/${rowIndex}`, { signal }),

  createRun: (body: { dataset_id: string; config: Record<string, unknown> }) => request<CreateRunResponse>('POST', '/runs', { json: body }),

  job: (id: string, signal?: AbortSignal) => request<Job>('GET', `/jobs/${encodeURIComponent(id)}`, { signal }),

  cancelJob: (id: string) => request<Job>('POST', `/jobs/${encodeURIComponent(id)}/cancel`),

  datasets: (query: { limit?: number; offset?: number } = {}) => request<DatasetsList>('GET', '/datasets', { query }),

  dataset: (id: string) => request<DatasetDetail>('GET', `/datasets/${encodeURIComponent(id)}`),

  /** Uploads a file; fields go before the file, as the server reads the multipart stream in order. */
  uploadDataset: (file: File, name?: string) => {
    const form = new FormData();
    if (name) form.append('name', name);
    form.append('file', file, file.name);
    return request<Dataset>('POST', '/datasets', { form });
  },

  judges: () => request<JudgesList>('GET', '/judges'),

  alignJudge: (name: string, body: { dataset_id: string; version?: string; human_col?: string; judge_model?: string; cache?: boolean }) =>
    request<{ job_id: string; run_id: string; judge: { id: string; name: string; version: string }; rows: number }>(
      'POST',
      `/judges/${encodeURIComponent(name)}/align`,
      { json: body },
    ),

  judgeAgreement: (name: string, signal?: AbortSignal) =>
    request<JudgeAgreementHistory>('GET', `/judges/${encodeURIComponent(name)}/agreement`, { signal }),

  auditJudge: (name: string, body: AuditRequest) =>
    request<AuditResponse>('POST', `/judges/${encodeURIComponent(name)}/audit`, { json: body }),

  judgeAudits: (name: string, signal?: AbortSignal) =>
    request<JudgeAudits>('GET', `/judges/${encodeURIComponent(name)}/audits`, { signal }),

  labelJobs: (query: { dataset_id?: string; status?: string; limit?: number; offset?: number } = {}, signal?: AbortSignal) =>
    request<LabelJobsList>('GET', '/label-jobs', { query, signal }),

  createLabelJob: (body: {
    dataset_id: string;
    prompt?: string;
    builtin?: string;
    output?: LabelOutput;
    model?: string;
    sample_size?: number;
    name?: string;
    review?: boolean;
  }) => request<{ job_id: string; status: string }>('POST', '/label-jobs', { json: body }),

  labelJob: (id: string, page: { offset?: number; limit?: number } = {}, signal?: AbortSignal) =>
    request<LabelJob>('GET', `/label-jobs/${encodeURIComponent(id)}`, { query: page, signal }),

  reviewLabels: (id: string, labels: HumanLabel[], prompt?: string) =>
    request<LabelJob>('POST', `/label-jobs/${encodeURIComponent(id)}/review`, {
      json: { labels, ...(prompt !== undefined ? { prompt } : {}) },
    }),

  resampleLabels: (id: string, body: { labels?: HumanLabel[]; prompt?: string }) =>
    request<LabelJob>('POST', `/label-jobs/${encodeURIComponent(id)}/resample`, { json: body }),

  cancelLabelJob: (id: string) => request<LabelJob>('POST', `/label-jobs/${encodeURIComponent(id)}/cancel`),

  uncertainRows: (id: string, query: { k?: number; limit?: number; pool?: number } = {}) =>
    request<UncertainResponse>('GET', `/label-jobs/${encodeURIComponent(id)}/uncertain`, { query }),

  labelAgreement: (id: string, signal?: AbortSignal) =>
    request<LabelAgreement>('GET', `/label-jobs/${encodeURIComponent(id)}/agreement`, { signal }),

  finetunes: (labelJobId: string, signal?: AbortSignal) =>
    request<FinetunesList>('GET', `/label-jobs/${encodeURIComponent(labelJobId)}/finetunes`, { signal }),

  finetuneJudge: (labelJobId: string, body: CreateFinetuneBody) =>
    request<{ id: string; job_id: string; status: Finetune['status'] }>('POST', `/label-jobs/${encodeURIComponent(labelJobId)}/finetune`, {
      json: body,
    }),

  cancelFinetune: (id: string) => request<Finetune>('POST', `/finetunes/${encodeURIComponent(id)}/cancel`),
  distillLabelJob: (labelJobId: string, body: DistillBody) =>
    request<{ job_id: string; name: string }>('POST', `/label-jobs/${encodeURIComponent(labelJobId)}/distill`, { json: body }),
  /** A label job's distilled versions, or (without an id) every stored one. */
  distilled: (labelJobId: string | undefined, signal?: AbortSignal) =>
    request<DistilledList>('GET', labelJobId ? `/label-jobs/${encodeURIComponent(labelJobId)}/distilled` : '/distilled', { signal }),

  monitors: (signal?: AbortSignal) => request<MonitorsList>('GET', '/monitors', { signal }),

  monitor: (id: string, signal?: AbortSignal) => request<MonitorDetail>('GET', `/monitors/${encodeURIComponent(id)}`, { signal }),

  setMonitorStatus: (id: string, status: 'active' | 'paused') =>
    request<MonitorDetail>('PATCH', `/monitors/${encodeURIComponent(id)}`, { json: { status } }),

  monitorSeries: (id: string, query: { metric: string; from?: string; to?: string }, signal?: AbortSignal) =>
    request<SeriesResponse>('GET', `/monitors/${encodeURIComponent(id)}/series`, { query, signal }),

  monitorAlerts: (id: string, signal?: AbortSignal) =>
    request<AlertsResponse>('GET', `/monitors/${encodeURIComponent(id)}/alerts`, { signal }),

  windowInteractions: (
    id: string,
    query: { metric: string; from: string; to: string; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) => request<WindowInteractions>('GET', `/monitors/${encodeURIComponent(id)}/interactions`, { query, signal }),

  datasetFromInteractions: (body: { name: string; interaction_ids: string[]; monitor_id?: string }) =>
    request<Dataset>('POST', '/datasets/from-interactions', { json: body }),

  /** The canaries, or null on a server without them (404): the UI then shows none. */
  canaries: async (signal?: AbortSignal): Promise<Canary[] | null> => {
    try {
      return (await request<CanariesList>('GET', '/canaries', { signal })).canaries;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
};

/**
 * Saves what a GET answers as a file. A plain link would not carry the bearer token, so the file is
 * fetched with it and handed to the browser as a blob.
 */
export async function download(path: string, query: Query, filename: string): Promise<void> {
  const response = await send('GET', path, { query });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** How many rows of a run's `metric` have a value of at most `maxScore` (a COUNT on the server; no rows are sent). */
export async function countAtMost(id: string, metric: string, maxScore: number, signal?: AbortSignal): Promise<number> {
  return (await api.results(id, { offset: 0, limit: 1, metric, maxScore }, signal)).total;
}

/** The lowest or highest value of a metric in a run (via the sorted first row), or undefined when no row has one. */
export async function extremeValue(id: string, metric: string, which: 'min' | 'max', signal?: AbortSignal): Promise<number | undefined> {
  const page = await api.results(id, { offset: 0, limit: 1, sort: which === 'min' ? metric : `-${metric}` }, signal);
  const value = page.rows[0]?.results[metric]?.value;
  return value === null || value === undefined ? undefined : value;
}
