/** What every route handler works with: the store, its repositories, the job system and the server's settings. */
import type { Jobs } from '../jobs/types.js';
import type { LabelJobs } from '../labeling/engine.js';
import { ApiTokenRepository } from '../store/api-tokens.js';
import { DatasetRepository } from '../store/datasets.js';
import { JobRepository } from '../store/jobs.js';
import { ResultsPage } from '../store/results-page.js';
import { RunQueries } from '../store/run-queries.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';

export interface ServerContext {
  store: Store;
  datasets: DatasetRepository;
  jobs: JobRepository;
  tokens: ApiTokenRepository;
  runs: RunQueries;
  results: ResultsPage;
  /** The job system every background job (evaluation, label pass, align check) starts, is followed and stops through. */
  runner: Jobs;
  /** Label jobs (LLM Judge++), their passes run as jobs of `runner`. */
  labeling: LabelJobs;
  /** Where uploaded datasets are kept. */
  dataDir: string;
  maxUploadBytes: number;
  /** Largest ingest body (OTLP or JSON, after gunzip), in bytes. */
  maxIngestBytes: number;
  /** The environment evaluations see (provider keys and base URLs). */
  env: Record<string, string | undefined>;
  /** Whether /api calls need a token. */
  auth: boolean;
  /** Whether configs sent over the API may declare `endpoints` (and so send the server's keys elsewhere). */
  allowConfigEndpoints: boolean;
}

/** The repositories over a store. */
export function repositories(store: Store): Pick<ServerContext, 'datasets' | 'jobs' | 'tokens' | 'runs' | 'results'> {
  const db = serverDb(store);
  return {
    datasets: new DatasetRepository(db),
    jobs: new JobRepository(db),
    tokens: new ApiTokenRepository(db),
    runs: new RunQueries(db),
    results: new ResultsPage(db),
  };
}
