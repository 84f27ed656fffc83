/**
 * Every job kind's handler, registered in one place for every process that runs jobs: `juror serve`
 * (embedded backend) and `juror worker` (queue backend) run the same kinds with the same handlers.
 */
import type { LabelJobs } from '../../labeling/engine.js';
import { labelPhaseHandler } from '../../labeling/engine.js';
import type { JobHandlers } from '../registry.js';
import { alignHandler } from './align.js';
import { auditHandler } from './audit.js';
import { canaryHandler } from './canary.js';
import { distillHandler } from './distill.js';
import { evaluateChunks, evaluateHandler } from './evaluate.js';
import { finetuneHandler } from './finetune.js';
import { monitorHandler } from './monitor.js';
import { pairwiseHandler } from './pairwise.js';

/** What the handlers need from the process that runs them. */
export interface HandlerContext {
  /** Where uploaded datasets live. */
  dataDir: string;
  /** The label jobs, whose phases are jobs of kind `label`. */
  labeling: LabelJobs;
}

/** Registers the handler of every job kind (and how evaluations split into chunks, for the queue backend). */
export function registerHandlers(handlers: JobHandlers, context: HandlerContext): JobHandlers {
  const { dataDir, labeling } = context;
  return handlers
    .register('evaluate', evaluateHandler(dataDir))
    .registerChunked('evaluate', evaluateChunks(dataDir))
    .register('align', alignHandler(dataDir))
    .register('audit', auditHandler(dataDir))
    .register('label', labelPhaseHandler(labeling))
    .register('finetune', finetuneHandler(labeling), { longRunning: true })
    .register('monitor', monitorHandler(dataDir), { longRunning: true })
    .register('pairwise', pairwiseHandler())
    .register('distill', distillHandler(labeling))
    .register('canary', canaryHandler(dataDir), { longRunning: true });
}
