/**
 * Fine-tunes of a label job's judge at a provider (issue #15 §3, migration 0017): which label job
 * and judge version they start from, the provider's file and job ids, the provider's status and
 * events as last seen, and — once it succeeded — the fine-tuned model and the judge version that
 * uses it. Kept so that `juror finetune status` and the label job's page work after a restart.
 * The only place that knows their SQL.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { JurorError } from '../errors.js';
import { serverDb, type ServerDatabase } from './server-tables.js';
import type { Store } from './store.js';

/**
 * `pending` until the provider has the job (the export is being uploaded), then the provider's own
 * statuses (OpenAI's fine_tuning.job.status).
 */
export type FinetuneStatus = 'pending' | 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Statuses a fine-tune does not leave. */
export const FINAL_FINETUNE_STATUSES: readonly FinetuneStatus[] = ['succeeded', 'failed', 'cancelled'];

/** One provider event, as shown to the user (the provider's message, time and level). */
export interface FinetuneEvent {
  id: string;
  /** ISO time the provider gives the event. */
  at: string;
  level: string;
  message: string;
}

export interface FinetuneTable {
  id: string;
  label_job_id: string;
  /** The judge name the new version is stored under (the label job's). */
  judge_name: string;
  /** The judge version fine-tuned from: the new version is this definition with the model replaced. */
  base_judge_id: string;
  /** The base model as given, e.g. `openai:/gpt-4o-mini-2024-07-18`. */
  base_model: string;
  suffix: string | null;
  epochs: number | null;
  /** Training examples uploaded (null before the upload). */
  examples: number | null;
  /** The provider's file id of the uploaded export. */
  training_file: string | null;
  /** The provider's fine-tuning job id (`ftjob-…`). */
  provider_job_id: string | null;
  status: FinetuneStatus;
  /** The provider's id of the fine-tuned model (`ft:gpt-4o-mini-2024-07-18:org::abc123`). */
  fine_tuned_model: string | null;
  /** The judge version registered with the fine-tuned model. */
  judge_id: string | null;
  judge_version: string | null;
  /** The provider's message when it failed (or why Juror could not follow it). */
  error: string | null;
  trained_tokens: number | null;
  /** The newest provider events (at most {@link KEPT_EVENTS}), oldest first, as JSON. */
  events: string;
  created_at: string;
  updated_at: string;
}

/** Provider events kept per fine-tune (a long training run logs one per step). */
export const KEPT_EVENTS = 200;

interface FinetuneDatabase extends ServerDatabase {
  finetunes: FinetuneTable;
}

/** A fine-tune with its events parsed. */
export type FinetuneRecord = Omit<Selectable<FinetuneTable>, 'events'> & { events: FinetuneEvent[] };

/** What may change on a fine-tune; `events` are appended (those already kept, by id, are skipped). */
export type FinetunePatch = Partial<
  Pick<
    FinetuneRecord,
    | 'status'
    | 'examples'
    | 'training_file'
    | 'provider_job_id'
    | 'fine_tuned_model'
    | 'judge_id'
    | 'judge_version'
    | 'error'
    | 'trained_tokens'
  >
> & { events?: FinetuneEvent[] };

/** The finetunes table: create, find (by id, prefix or provider job id), list a label job's, update. */
export class FinetuneRepository {
  private readonly db: Kysely<FinetuneDatabase>;

  constructor(store: Store) {
    this.db = serverDb(store).withTables<{ finetunes: FinetuneTable }>();
  }

  /** Stores a new fine-tune in status `pending`. */
  async create(finetune: {
    labelJobId: string;
    judgeName: string;
    baseJudgeId: string;
    baseModel: string;
    suffix?: string | undefined;
    epochs?: number | undefined;
  }): Promise<FinetuneRecord> {
    const now = new Date().toISOString();
    const row: Selectable<FinetuneTable> = {
      id: randomUUID().replaceAll('-', ''),
      label_job_id: finetune.labelJobId,
      judge_name: finetune.judgeName,
      base_judge_id: finetune.baseJudgeId,
      base_model: finetune.baseModel,
      suffix: finetune.suffix ?? null,
      epochs: finetune.epochs ?? null,
      examples: null,
      training_file: null,
      provider_job_id: null,
      status: 'pending',
      fine_tuned_model: null,
      judge_id: null,
      judge_version: null,
      error: null,
      trained_tokens: null,
      events: '[]',
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('finetunes').values(row).execute();
    return { ...row, events: [] };
  }

  /** A fine-tune by id, or undefined. */
  async get(id: string): Promise<FinetuneRecord | undefined> {
    const row = await this.db.selectFrom('finetunes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && parse(row);
  }

  /**
   * A fine-tune by its id, a unique prefix of it, or the provider's job id; an input error naming
   * `field` otherwise.
   */
  async find(idOrPrefix: string, field: string): Promise<FinetuneRecord> {
    const byProvider = await this.db.selectFrom('finetunes').selectAll().where('provider_job_id', '=', idOrPrefix).executeTakeFirst();
    if (byProvider) return parse(byProvider);
    const rows = /^[0-9a-f]+$/i.test(idOrPrefix)
      ? await this.db.selectFrom('finetunes').selectAll().where('id', 'like', `${idOrPrefix.toLowerCase()}%`).limit(2).execute()
      : [];
    if (rows.length === 1) return parse(rows[0]!);
    throw new JurorError('input', rows.length ? `fine-tune id prefix '${idOrPrefix}' is ambiguous` : `no fine-tune '${idOrPrefix}'`, {
      where: { field },
      hint: rows.length
        ? 'give more characters of the id'
        : 'give the id `juror finetune submit` printed, or the provider job id (ftjob-…); check --db',
    });
  }

  /** A label job's fine-tunes, newest first. */
  async ofLabelJob(labelJobId: string): Promise<FinetuneRecord[]> {
    const rows = await this.db
      .selectFrom('finetunes')
      .selectAll()
      .where('label_job_id', '=', labelJobId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(parse);
  }

  /** Changes a fine-tune and returns it as stored. */
  async update(id: string, patch: FinetunePatch): Promise<FinetuneRecord> {
    const { events, ...fields } = patch;
    let kept: string | undefined;
    if (events?.length) {
      const current = await this.get(id);
      const seen = new Set(current?.events.map((e) => e.id));
      kept = JSON.stringify([...(current?.events ?? []), ...events.filter((e) => !seen.has(e.id))].slice(-KEPT_EVENTS));
    }
    await this.db
      .updateTable('finetunes')
      .set({ ...fields, ...(kept !== undefined ? { events: kept } : {}), updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    const updated = await this.get(id);
    if (!updated) throw new JurorError('store', `fine-tune ${id} is gone from the store`);
    return updated;
  }
}

function parse(row: Selectable<FinetuneTable>): FinetuneRecord {
  return { ...row, events: JSON.parse(row.events) as FinetuneEvent[] };
}
