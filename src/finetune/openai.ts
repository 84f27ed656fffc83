/**
 * OpenAI's Files and Fine-tuning Jobs APIs, as far as fine-tuning a judge needs them:
 * `POST /files` (multipart, `purpose=fine-tune`), `POST /fine_tuning/jobs` (supervised method,
 * `n_epochs`), `GET /fine_tuning/jobs/{id}`, `GET /fine_tuning/jobs/{id}/events` (newest first) and
 * `POST /fine_tuning/jobs/{id}/cancel`. Job statuses are `validating_files`, `queued`, `running`,
 * `succeeded`, `failed` and `cancelled`; a failed job carries `error.message`.
 *
 * Plain fetch rather than the `openai` package: five calls with small JSON bodies do not justify a
 * second client (and its own retry, timeout and proxy settings) beside the AI SDK's. Calls go
 * through {@link providerFetch}, so they honour the same proxy variables and keep-alive agent as
 * judge calls; the multipart upload is handed by it to the global fetch with the same dispatcher.
 */
import { ProviderError } from '../errors.js';
import { providerFetch } from '../providers/fetch.js';

/** Where the API is and the key that opens it (OPENAI_BASE_URL / OPENAI_API_KEY, as judge calls read them). */
export interface OpenAIAccount {
  /** e.g. `https://api.openai.com/v1`, without a trailing slash. */
  baseUrl: string;
  /** Absent for an OpenAI-compatible server that needs none. */
  apiKey: string | undefined;
}

/** A fine-tuning job as the provider reports it (the fields Juror reads). */
export interface ProviderJob {
  id: string;
  status: 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  model: string;
  fine_tuned_model: string | null;
  error: { code?: string | null; message?: string | null; param?: string | null } | null;
  trained_tokens?: number | null;
}

/** One event of a job (`fine_tuning.job.event`). */
export interface ProviderEvent {
  id: string;
  /** Unix seconds. */
  created_at: number;
  level: string;
  message: string;
}

/** What a fine-tuning job is created with. */
export interface CreateJob {
  trainingFile: string;
  /** The base model's id at the provider (`gpt-4o-mini-2024-07-18`). */
  model: string;
  suffix?: string | undefined;
  epochs?: number | undefined;
}

/** Statuses a provider job does not leave. */
export const FINAL_PROVIDER_STATUSES: ReadonlySet<ProviderJob['status']> = new Set(['succeeded', 'failed', 'cancelled']);

/** The fine-tuning endpoints of one account. */
export class OpenAIFineTuning {
  constructor(private readonly account: OpenAIAccount) {}

  /** Uploads training data (JSON Lines) with `purpose=fine-tune`; returns the file id. */
  async uploadFile(name: string, data: Blob, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    form.append('file', data, name);
    const file = await this.call<{ id: string }>('POST', '/files', { body: form, signal, what: 'uploading the training file' });
    return file.id;
  }

  /** Creates a supervised fine-tuning job on an uploaded file. */
  createJob(job: CreateJob, signal?: AbortSignal): Promise<ProviderJob> {
    const body = {
      model: job.model,
      training_file: job.trainingFile,
      ...(job.suffix ? { suffix: job.suffix } : {}),
      method: {
        type: 'supervised',
        supervised: { hyperparameters: { n_epochs: job.epochs ?? 'auto' } },
      },
    };
    return this.call<ProviderJob>('POST', '/fine_tuning/jobs', { json: body, signal, what: 'creating the fine-tuning job' });
  }

  /** The job as it is now. */
  job(id: string, signal?: AbortSignal): Promise<ProviderJob> {
    return this.call<ProviderJob>('GET', `/fine_tuning/jobs/${encodeURIComponent(id)}`, { signal, what: `reading fine-tuning job ${id}` });
  }

  /** The job's newest events (up to 100), oldest first. */
  async events(id: string, signal?: AbortSignal): Promise<ProviderEvent[]> {
    const page = await this.call<{ data: ProviderEvent[] }>('GET', `/fine_tuning/jobs/${encodeURIComponent(id)}/events?limit=100`, {
      signal,
      what: `reading the events of fine-tuning job ${id}`,
    });
    return [...(page.data ?? [])].sort((a, b) => a.created_at - b.created_at);
  }

  /** Asks the provider to cancel the job; returns it as the provider then reports it. */
  cancel(id: string, signal?: AbortSignal): Promise<ProviderJob> {
    return this.call<ProviderJob>('POST', `/fine_tuning/jobs/${encodeURIComponent(id)}/cancel`, {
      signal,
      what: `cancelling fine-tuning job ${id}`,
    });
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { json?: unknown; body?: FormData; signal?: AbortSignal | undefined; what: string },
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.account.apiKey) headers.authorization = `Bearer ${this.account.apiKey}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.account.baseUrl}${path}`;
    let response: Response;
    try {
      response = await providerFetch(url, {
        method,
        headers,
        ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.body ? { body: options.body } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (cause) {
      if (options.signal?.aborted) throw cause;
      throw new ProviderError(`${options.what}: cannot reach ${this.account.baseUrl}: ${describeCause(cause)}`, {
        cause,
        hint: 'check OPENAI_BASE_URL, the network and HTTPS_PROXY',
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new ProviderError(`${options.what}: ${response.status} from ${this.account.baseUrl}: ${providerMessage(text)}`, {
        status: response.status,
        ...(response.status === 401 ? { hint: 'check OPENAI_API_KEY' } : {}),
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new ProviderError(`${options.what}: ${url} answered something that is not JSON: ${text.slice(0, 200)}`, { cause });
    }
  }
}

/** Whether a failed call may succeed if tried again (the network, a rate limit, the provider's own fault). */
export function transient(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  return error.status === undefined || error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

/** The provider's `error.message` of an error body, else the body itself (cut short). */
function providerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: the text is the message
  }
  return body.trim().slice(0, 500) || '(no message)';
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
