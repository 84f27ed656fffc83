/**
 * Distilled judges (issue #15): a small, calibrated classifier trained on a judge's labels, stored
 * as a judge version of kind `distilled`, scoring rows in process. One use case serves the CLI
 * (`juror distill`) and the API (a job of kind `distill`): check the request with one schema,
 * read the labelled rows, train with cross-validation, store.
 */
import { z } from 'zod';
import type { LabelJobs } from '../labeling/engine.js';
import type { Store } from '../store/store.js';
import { fromFile, fromLabelJob, type LabelledData } from './sources.js';
import { distillAndStore, type StoredDistilled } from './stored.js';
import type { DistillOptions } from './train.js';

export { listDistilled, readDistilled, type DistilledSummary, type StoredDistilled } from './stored.js';
export type { DistillReport } from './train.js';

/** How to distil, as the API's body and the CLI's flags give it (snake_case). */
export const distillRequest = z.strictObject({
  /** The distilled judge's name: a new version of it is stored. */
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w.-]+$/, 'use letters, digits, _ . and -'),
  folds: z.number().int().min(2).max(20).default(5),
  features: z.enum(['ngrams', 'embeddings']).default('ngrams'),
  /** With `embeddings`: a Hub model id, or the name of the model in `embedding_path`. */
  embedding_model: z.string().min(1).max(500).default('Xenova/all-MiniLM-L6-v2'),
  /** With `embeddings`: a folder holding the model (config.json, tokenizer.json, onnx/model.onnx). */
  embedding_path: z.string().min(1).max(4096).optional(),
  seed: z.number().int().min(0).default(1),
  /** Inverse regularisation strength (scikit-learn's C). */
  c: z.number().positive().max(1e6).default(10),
});
export type DistillRequest = z.input<typeof distillRequest>;

/** Where the labels come from: a label job, or a file with a label column. */
export type DistillSource = { labelJob: string; engine: LabelJobs } | { file: string; labelCol: string; textCols?: string[] };

/**
 * Reads the labelled rows, trains with cross-validation and stores the result as the next version
 * of `request.name`.
 * @example const stored = await distillJudge(store, { file: 'labelled.csv', labelCol: 'label' }, { name: 'helpful' });
 */
export async function distillJudge(
  store: Store,
  source: DistillSource,
  request: DistillRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<StoredDistilled> {
  const options = distillRequest.parse(request);
  const data: LabelledData =
    'labelJob' in source
      ? await fromLabelJob(source.engine, source.labelJob)
      : await fromFile(source.file, source.labelCol, source.textCols);
  const features: DistillOptions['features'] =
    options.features === 'ngrams'
      ? 'ngrams'
      : { embeddings: { model: options.embedding_model, ...(options.embedding_path ? { localPath: options.embedding_path } : {}) } };
  return distillAndStore(store, data, {
    name: options.name,
    folds: options.folds,
    seed: options.seed,
    C: options.c,
    features,
    ...(onProgress ? { onProgress } : {}),
  });
}
