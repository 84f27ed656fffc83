/** What every route handler works with: the store, its repositories, the job runner and the server's settings. */
import type { LabelJobs } from '../labeling/engine.js';
import { ApiTokenRepository } from '../store/api-tokens.js';
import { DatasetRepository } from '../store/datasets.js';
import { JobRepository } from '../store/jobs.js';
import { ResultsPage } from '../store/results-page.js';
import { RunQueries } from '../store/run-queries.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import type { JobRunner } from './job-runner.js';

export interface ServerContext {
  store: Store;
  datasets: DatasetRepository;
  jobs: JobRepository;
  tokens: ApiTokenRepository;
  runs: RunQueries;
  results: ResultsPage;
  runner: JobRunner;
  /** Label jobs (LLM Judge++), run in this process. */
  labeling: LabelJobs;
  /** Where uploaded datasets are kept. */
  dataDir: string;
  maxUploadBytes: number;
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
  return { datasets: new DatasetRepository(db), jobs: new JobRepository(db), tokens: new ApiTokenRepository(db), runs: new RunQueries(db), results: new ResultsPage(db) };
}
