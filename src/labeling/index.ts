/**
 * Label jobs (LastMile's LLM Judge++): a judge labels a sample, a person reviews it, the
 * corrections become few-shot examples of a new judge version, which labels every row; plus
 * uncertain rows for review, judge–human agreement per version, and fine-tuning exports.
 */
export { LabelJobs, type CreateLabelJob, type LabelJobsOptions } from './engine.js';
export { LABEL_OUTPUTS, type Criterion, type ExampleConfig, type LabelOutput } from './criterion.js';
export { LabelJobError } from './errors.js';
export type { HumanLabelInput } from './review.js';
export type { LabelItem, LabelsPage } from './view.js';
export type { UncertaintyOptions, UncertaintyReport } from './uncertainty.js';
export type { JobAgreement, VersionAgreement } from './agreement.js';
export type { FinetuneExample } from './finetune.js';
export type { LabelProgress } from './phase.js';
export { LABEL_COLUMNS, LabelLookup, labeledRecords } from './labeled-rows.js';
export type { LabelJobRecord, UncertainRow } from '../store/label-jobs.js';
