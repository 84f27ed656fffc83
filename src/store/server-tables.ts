/**
 * The tables `juror serve` adds to the tracking store (migration 0003): uploaded datasets,
 * background jobs, and hashed API tokens. Kept apart from schema.ts so that the engine's
 * `Database` type stays what the engine uses; `serverDb()` gives a Kysely handle over both.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** A dataset uploaded to the server; its bytes are kept in the server's data directory. */
export interface DatasetTable {
  id: string;
  /** The uploaded file's name without its extension, or the name given with the upload. */
  name: string;
  format: 'csv' | 'jsonl' | 'json' | 'parquet';
  /** The column names as JSON, in the order `openDataset` reports them. */
  columns: string;
  row_count: number;
  /** `sha256:<hex>` of the file's bytes, as `openDataset` computes it (and runs record). */
  hash: string;
  size_bytes: number;
  /** The file's name inside the data directory: `<id>.<ext>`. */
  file: string;
  /** The name the file was uploaded under. */
  original_name: string;
  created_at: string;
}

/** Where a job is: `queued` until a handler takes it (and again after its process stopped), then `running`, then final. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** What a job does (src/jobs/): an evaluation, a label-job phase, an align check, a monitor judging traffic, a canary's ticks. */
export type JobKind = 'evaluate' | 'label' | 'align' | 'monitor' | 'canary' | 'finetune' | 'audit' | 'pairwise' | 'distill';

/** Long work run by the job system (src/jobs/): evaluations, label-job phases, align checks. */
export interface JobTable {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** What the handler needs to run or resume the job, as JSON (migration 0007; null on older jobs). */
  payload: string | null;
  /** The domain object the job works for (a label job's id), to find its jobs. */
  target_id: string | null;
  /** The last progress snapshot as JSON, or null before the first row finished. */
  progress: string | null;
  /** Why the job failed, when it did. */
  error: string | null;
  run_id: string | null;
  created_at: string;
  updated_at: string;
}

/** An API token, stored as the SHA-256 of the token: the token itself is shown once, never kept. */
export interface ApiTokenTable {
  id: string;
  name: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  /** What the token may reach (migration 0008): null for every route, `ingest` for the ingest routes only. */
  scope: TokenScope | null;
}

/** A token limited to part of the API: `ingest` reaches only the routes that take in production traffic. */
export type TokenScope = 'ingest';

/** The tracking store's tables plus the server's. */
export interface ServerDatabase extends Database {
  datasets: DatasetTable;
  jobs: JobTable;
  api_tokens: ApiTokenTable;
}

/** A Kysely handle over a store's connection that also knows the server's tables. */
export function serverDb(store: Store): Kysely<ServerDatabase> {
  return store.db.withTables<{ datasets: DatasetTable; jobs: JobTable; api_tokens: ApiTokenTable }>();
}
