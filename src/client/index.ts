/** The TypeScript client of Juror's REST API, and the API's types. */
export { JurorClient, type JurorClientOptions, type LabelDatasetRequest, type UploadSource, type WaitOptions } from './client.js';
export { JurorApiError } from './errors.js';
export type { ExperimentsList, JudgesList } from '../server/schemas/catalog.js';
export type { ErrorBody, Health } from '../server/schemas/common.js';
export type { Dataset, DatasetDetail, DatasetsList, DatasetsQuery } from '../server/schemas/datasets.js';
export type {
  IngestResponse,
  InteractionInput,
  InteractionRecord,
  InteractionsList,
  InteractionsQuery,
} from '../server/schemas/interactions.js';
export type { Job, JobProgress, JobsList, JobsQuery } from '../server/schemas/jobs.js';
export type {
  AlertsResponse,
  CreateMonitorBody,
  MonitorDetail,
  MonitorsList,
  PatchMonitorRequest,
  SeriesQuery,
  SeriesResponse,
} from '../server/schemas/monitors.js';
export type { ResultRow, ResultsPage, ResultsQuery } from '../server/schemas/results.js';
export type { CreateRunBody, RunDetail, RunSummary, RunsList, RunsQuery } from '../server/schemas/runs.js';
export type {
  CreateLabelJobBody,
  HumanLabel,
  JudgeAgreementHistory,
  LabelAgreement,
  LabelJob,
  LabelJobQuery,
  UncertainQuery,
  UncertainResponse,
} from '../server/schemas/label-jobs.js';
