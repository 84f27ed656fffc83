/**
 * The labels a dataset's download carries: those of the label job named by `?label_job=`, else of
 * the dataset's newest completed label job, else of its newest job with any label; none when the
 * dataset has never been labelled.
 */
import { LabelLookup } from '../../labeling/labeled-rows.js';
import type { DatasetRecord } from '../../store/datasets.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';

/** The label lookup for a download, or undefined when the rows go out as they are. */
export async function downloadLabels(
  ctx: ServerContext,
  dataset: DatasetRecord,
  labelJobId: string | undefined,
): Promise<LabelLookup | undefined> {
  const { jobs, labels, store } = ctx.labeling;
  if (labelJobId !== undefined) {
    const job = await jobs.get(labelJobId);
    if (!job)
      throw new ApiError(404, `no label job '${labelJobId}'`, {
        field: 'label_job',
        hint: 'leave label_job out to get the labels of the newest label job',
      });
    if (job.dataset_id !== dataset.id)
      throw new ApiError(400, `label_job: label job ${labelJobId} labels dataset ${job.dataset_id}, not ${dataset.id}`, {
        field: 'label_job',
        hint: 'name a label job of this dataset',
      });
    return new LabelLookup(labels, store.judges, job, dataset.columns);
  }
  const job = await jobs.forDataset(dataset.id);
  return job ? new LabelLookup(labels, store.judges, job, dataset.columns) : undefined;
}
