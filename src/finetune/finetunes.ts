/**
 * Fine-tuning a label job's judge at the provider (issue #15 §3), shared by `juror finetune` and
 * `POST /api/label-jobs/:id/finetune`: check the request (the label job, an `openai:` base model,
 * a key, at least one labelled row) before anything leaves the machine; upload the job's export
 * (exactly `juror export finetune`'s JSON Lines) through the Files API; create the fine-tuning job;
 * follow it — polling with backoff, each new provider event reported once — and, when it
 * succeeds, store a new version of the label job's judge: the same definition (prompts, examples,
 * output) with the fine-tuned model as its model, so that its agreement is measured by the normal
 * align. Each step is stored as it happens (src/store/finetunes.ts), so following resumes after a
 * restart without uploading or creating anything twice.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, InputError, JurorError } from '../errors.js';
import { storeVersion } from '../judges/versions.js';
import type { LabelJobs } from '../labeling/engine.js';
import { LabelJobError } from '../labeling/errors.js';
import { parseModelUri } from '../providers/models.js';
import { FINAL_FINETUNE_STATUSES, FinetuneRepository, type FinetuneEvent, type FinetuneRecord } from '../store/finetunes.js';
import type { Store } from '../store/store.js';
import { OpenAIFineTuning, transient, type OpenAIAccount, type ProviderEvent, type ProviderJob } from './openai.js';

/** What a fine-tune is started with. */
export interface FinetuneRequest {
  /** The label job's full id. */
  labelJobId: string;
  /** The base model, `openai:/gpt-4o-mini-2024-07-18`. */
  model: string;
  suffix?: string | undefined;
  epochs?: number | undefined;
}

/** How errors name the request's parts: CLI flags or API fields. */
export interface RequestFields {
  model: string;
  epochs: string;
  suffix: string;
}

/** How a fine-tune is followed. */
export interface FollowOptions {
  /** Stops following (the provider's job goes on) when aborted. */
  signal?: AbortSignal | undefined;
  /** Each provider event, once, in order. */
  onEvent?: ((event: FinetuneEvent) => void) | undefined;
  /** The fine-tune each time its stored state changes. */
  onChange?: ((finetune: FinetuneRecord) => void) | undefined;
}

/** The first wait between polls (`JUROR_FINETUNE_POLL_MS` overrides it); waits double while nothing changes. */
const FIRST_POLL_MS = 5_000;
const MAX_POLL_MS = 60_000;
/** Consecutive failed polls (network, 5xx, 429) before following gives up; the provider's job goes on. */
const MAX_POLL_FAILURES = 20;
/** The provider's suffix limit (OpenAI: up to 64 characters). */
const MAX_SUFFIX = 64;

/** Label job statuses whose labels can be fine-tuned on: not while a pass is still labelling. */
const SETTLED_LABEL_JOB_STATUSES = ['completed', 'awaiting_review', 'failed', 'cancelled'];

/**
 * The fine-tunes of label jobs' judges: create (check, store), submit (upload, create at the
 * provider), follow, poll once, cancel.
 * @example
 * const finetunes = new Finetunes({ store, labeling });
 * const created = await finetunes.create({ labelJobId, model: 'openai:/gpt-4o-mini-2024-07-18' }, fields);
 * await finetunes.submit(created.id);
 * const ended = await finetunes.follow(created.id, { onEvent: (e) => console.log(e.message) });
 */
export class Finetunes {
  readonly repository: FinetuneRepository;
  private readonly store: Store;
  private readonly labeling: LabelJobs;
  private readonly env: Record<string, string | undefined>;

  constructor(options: { store: Store; labeling: LabelJobs; env?: Record<string, string | undefined> }) {
    this.store = options.store;
    this.labeling = options.labeling;
    this.env = options.env ?? options.labeling.env;
    this.repository = new FinetuneRepository(options.store);
  }

  /**
   * Checks the request and stores the fine-tune (`pending`); nothing is sent anywhere. Bad input
   * (an unknown or still-labelling label job, a model not at OpenAI, no key, nothing labelled, a bad
   * suffix or epoch count) throws a Juror error naming `fields`.
   */
  async create(request: FinetuneRequest, fields: RequestFields): Promise<FinetuneRecord> {
    const job = await this.labeling.get(request.labelJobId);
    baseModel(request.model, fields.model);
    openaiAccount(this.env, request.model, fields.model);
    if (request.suffix !== undefined && !/^[\w.-]{1,64}$/.test(request.suffix))
      throw new ConfigError(`suffix ${JSON.stringify(request.suffix)} is not a model name suffix`, {
        where: { field: fields.suffix },
        hint: `use up to ${MAX_SUFFIX} letters, digits, '-', '_' or '.'`,
      });
    if (request.epochs !== undefined && !(Number.isInteger(request.epochs) && request.epochs >= 1 && request.epochs <= 50))
      throw new ConfigError(`epochs must be a whole number from 1 to 50, not ${request.epochs}`, {
        where: { field: fields.epochs },
        hint: "leave it out to let the provider choose ('auto')",
      });
    if (!SETTLED_LABEL_JOB_STATUSES.includes(job.status))
      throw new LabelJobError('conflict', `label job ${job.id} is ${job.status}: its labels are not settled yet`, {
        hint: `fine-tune once it is ${SETTLED_LABEL_JOB_STATUSES.join(', ')}`,
      });
    if (!job.judge_id) throw new InputError(`label job ${job.id} has no judge version yet`, { hint: 'wait for it to label its sample' });
    for await (const _ of this.labeling.finetune(job.id)) {
      return this.repository.create({
        labelJobId: job.id,
        judgeName: job.name,
        baseJudgeId: job.judge_id,
        baseModel: request.model,
        suffix: request.suffix,
        epochs: request.epochs,
      });
    }
    throw new InputError(`label job ${job.id} has no labelled row to fine-tune on`, {
      hint: 'label the dataset first (juror label, or finish the review), then fine-tune',
    });
  }

  /** A fine-tune by id, unique id prefix or provider job id. */
  find(idOrPrefix: string, field = 'id'): Promise<FinetuneRecord> {
    return this.repository.find(idOrPrefix, field);
  }

  /**
   * Uploads the export and creates the provider's job, each only if not done before (a restart
   * resumes where it stopped); returns the fine-tune with its provider job id.
   */
  async submit(id: string, signal?: AbortSignal): Promise<FinetuneRecord> {
    let finetune = await this.get(id);
    if (finetune.provider_job_id || finetune.status !== 'pending') return finetune;
    const api = this.api(finetune);
    try {
      if (!finetune.training_file) {
        const { examples, fileId } = await this.upload(finetune, api, signal);
        finetune = await this.repository.update(id, { training_file: fileId, examples });
      }
      const job = await api.createJob(
        {
          trainingFile: finetune.training_file!,
          model: baseModel(finetune.base_model, 'model'),
          suffix: finetune.suffix ?? undefined,
          epochs: finetune.epochs ?? undefined,
        },
        signal,
      );
      return await this.record(finetune, job, []);
    } catch (error) {
      // Stopped, it resumes from what is stored; refused, it has ended (the provider's message kept).
      if (!signal?.aborted) await this.repository.update(id, { status: 'failed', error: (error as Error).message });
      throw error;
    }
  }

  /**
   * Polls the provider's job until it ends (waits double from the first, up to a minute, while
   * nothing changes), reporting each new event; on success, stores the judge version with the
   * fine-tuned model. Resolves with the final fine-tune (succeeded, failed or cancelled); rejects
   * when aborted or when the provider cannot be reached for long (the job goes on there).
   */
  async follow(id: string, options: FollowOptions = {}): Promise<FinetuneRecord> {
    const first = Number(this.env.JUROR_FINETUNE_POLL_MS) || FIRST_POLL_MS;
    let wait = first;
    let failures = 0;
    for (;;) {
      const before = await this.get(id);
      if (FINAL_FINETUNE_STATUSES.includes(before.status) && (before.status !== 'succeeded' || before.judge_id)) return before;
      let after: FinetuneRecord;
      try {
        after = await this.refresh(before, options);
        failures = 0;
      } catch (error) {
        if (options.signal?.aborted || !transient(error) || ++failures >= MAX_POLL_FAILURES) throw error;
        after = before;
      }
      if (FINAL_FINETUNE_STATUSES.includes(after.status) && (after.status !== 'succeeded' || after.judge_id)) return after;
      const changed = after.status !== before.status || after.events.length !== before.events.length;
      wait = changed ? first : Math.min(wait * 2, MAX_POLL_MS);
      await sleep(wait, undefined, options.signal ? { signal: options.signal } : {});
    }
  }

  /** Reads the provider's job once and stores what changed (registering the judge version on success). */
  async poll(id: string, options: FollowOptions = {}): Promise<FinetuneRecord> {
    return this.refresh(await this.get(id), options);
  }

  /**
   * Asks the provider to cancel the job (a fine-tune not yet at the provider is just marked
   * cancelled); returns the fine-tune as stored after. A fine-tune that has ended is returned as it is.
   */
  async cancel(id: string, signal?: AbortSignal): Promise<FinetuneRecord> {
    const finetune = await this.get(id);
    if (FINAL_FINETUNE_STATUSES.includes(finetune.status)) return finetune;
    if (!finetune.provider_job_id)
      return this.repository.update(id, { status: 'cancelled', error: 'cancelled before it reached the provider' });
    const job = await this.api(finetune).cancel(finetune.provider_job_id, signal);
    return this.record(finetune, job, []);
  }

  /** A label job's fine-tunes, newest first. */
  ofLabelJob(labelJobId: string): Promise<FinetuneRecord[]> {
    return this.repository.ofLabelJob(labelJobId);
  }

  private async get(id: string): Promise<FinetuneRecord> {
    const finetune = await this.repository.get(id);
    if (!finetune)
      throw new JurorError('input', `no fine-tune '${id}'`, { hint: 'list them on the label job (GET /api/label-jobs/:id/finetunes)' });
    return finetune;
  }

  private async refresh(finetune: FinetuneRecord, options: FollowOptions): Promise<FinetuneRecord> {
    if (!finetune.provider_job_id) return finetune;
    const api = this.api(finetune);
    const job = FINAL_FINETUNE_STATUSES.includes(finetune.status) ? undefined : await api.job(finetune.provider_job_id, options.signal);
    const events = job ? await api.events(finetune.provider_job_id, options.signal) : [];
    const seen = new Set(finetune.events.map((e) => e.id));
    const fresh = events.filter((e) => !seen.has(e.id)).map(toEvent);
    let updated = job ? await this.record(finetune, job, fresh) : finetune;
    for (const event of fresh) options.onEvent?.(event);
    if (updated.status === 'succeeded' && !updated.judge_id) updated = await this.register(updated);
    if (job && (fresh.length || updated.status !== finetune.status || updated.judge_id !== finetune.judge_id)) options.onChange?.(updated);
    return updated;
  }

  /** Stores what the provider says of its job. */
  private record(finetune: FinetuneRecord, job: ProviderJob, events: FinetuneEvent[]): Promise<FinetuneRecord> {
    return this.repository.update(finetune.id, {
      provider_job_id: job.id,
      status: job.status,
      fine_tuned_model: job.fine_tuned_model ?? null,
      error:
        job.status === 'failed' ? (job.error?.message ?? 'the provider gave no reason') : job.status === 'cancelled' ? 'cancelled' : null,
      trained_tokens: job.trained_tokens ?? null,
      events,
    });
  }

  /** Stores the judge version with the fine-tuned model: the base version's definition, its model replaced. */
  private async register(finetune: FinetuneRecord): Promise<FinetuneRecord> {
    if (!finetune.fine_tuned_model)
      return this.repository.update(finetune.id, {
        status: 'failed',
        error: 'the provider reported success but named no fine-tuned model',
      });
    const base = await this.store.judges.get(finetune.base_judge_id);
    const model = `openai:/${finetune.fine_tuned_model}`;
    const stored = await storeVersion(this.store.judges, finetune.judge_name, (version) => ({ ...base, version, model }));
    return this.repository.update(finetune.id, { judge_id: stored.judgeId, judge_version: stored.version });
  }

  /** Writes the label job's export to a temporary file and uploads it; returns the file id and the example count. */
  private async upload(
    finetune: FinetuneRecord,
    api: OpenAIFineTuning,
    signal?: AbortSignal,
  ): Promise<{ fileId: string; examples: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'juror-finetune-'));
    try {
      const file = join(dir, `${finetune.judge_name}-${randomUUID().slice(0, 8)}.jsonl`);
      let examples = 0;
      const labeling = this.labeling;
      await pipeline(
        Readable.from(
          (async function* () {
            for await (const example of labeling.finetune(finetune.label_job_id)) {
              examples++;
              yield `${JSON.stringify(example)}\n`;
            }
          })(),
        ),
        createWriteStream(file),
      );
      if (examples === 0) throw new InputError(`label job ${finetune.label_job_id} has no labelled row to fine-tune on`);
      const fileId = await api.uploadFile(`${finetune.judge_name}-finetune.jsonl`, await openAsBlob(file), signal);
      return { fileId, examples };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private api(finetune: FinetuneRecord): OpenAIFineTuning {
    return new OpenAIFineTuning(openaiAccount(this.env, finetune.base_model, 'model'));
  }
}

/** The provider's id of an `openai:` base model; any other provider is a config error naming `field`. */
function baseModel(uri: string, field: string): string {
  const ref = parseModelUri(uri, field);
  if (ref.provider !== 'openai')
    throw new ConfigError(`fine-tuning goes through OpenAI's fine-tuning API, not '${ref.provider}' (${uri})`, {
      where: { field },
      hint: 'give an OpenAI base model that can be fine-tuned, e.g. openai:/gpt-4o-mini-2024-07-18',
    });
  if (ref.modelId.startsWith('ft:'))
    throw new ConfigError(`${uri} is already a fine-tuned model`, {
      where: { field },
      hint: 'give the base model, e.g. openai:/gpt-4o-mini-2024-07-18',
    });
  return ref.modelId;
}

/**
 * OPENAI_BASE_URL and OPENAI_API_KEY as judge calls read them (src/providers/models.ts): a key is
 * needed unless a base URL points at an OpenAI-compatible server.
 */
function openaiAccount(env: Record<string, string | undefined>, uri: string, field: string): OpenAIAccount {
  const baseUrl = env.OPENAI_BASE_URL || undefined;
  const apiKey = env.OPENAI_API_KEY || undefined;
  if (!apiKey && !baseUrl)
    throw new ConfigError(`${uri} needs an API key, but OPENAI_API_KEY is not set`, {
      where: { field },
      hint: 'export OPENAI_API_KEY=… (or set OPENAI_BASE_URL to an OpenAI-compatible server with the fine-tuning API)',
    });
  return { baseUrl: (baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, ''), apiKey };
}

function toEvent(event: ProviderEvent): FinetuneEvent {
  return {
    id: event.id,
    at: new Date(event.created_at * 1000).toISOString(),
    level: event.level ?? 'info',
    message: event.message ?? '',
  };
}
