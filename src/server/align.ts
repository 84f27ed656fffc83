/**
 * `POST /api/judges/:name/align`: checks a stored judge version against a dataset's human labels —
 * a column of the uploaded file, or the labels people gave in a label job of it. Everything is checked
 * before the first call (the judge, the dataset, every human label, the judge model): a problem is
 * a 400 naming the field and nothing is created. Only the rows with a human label are judged, as a
 * run of experiment `align`; when it finishes, the agreement is computed and stored under the
 * judge version with the run, where `GET /api/judges/:name/agreement` shows it over time.
 */
import { labelScheme } from '../agreement/scheme.js';
import { readHumanLabel } from '../agreement/labels.js';
import type { DataRecord } from '../data/dataset.js';
import { JurorError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import { judgeToConfig } from '../judges/serialize.js';
import { compareRun, describeLabels, readHumanLabels, recordAlignment, type LabelledRows } from '../labeling/align.js';
import { recordsAt, storedFile } from '../labeling/dataset-rows.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { metricKey } from '../metrics/metric.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { LabelJobRecord } from '../store/label-jobs.js';
import { newestPerRow } from '../store/labels.js';
import type { ServerContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import { recordDataset } from './evaluations.js';
import type { AlignBody, AlignResponse } from './schemas/label-jobs.js';

export async function startAlignment(ctx: ServerContext, name: string, body: AlignBody): Promise<AlignResponse> {
  const { judge, id: judgeId } = await storedJudge(ctx, name, body);
  if (judge.assessmentType === 'RETRIEVAL') {
    throw new ApiError(400, `judge '${name}' ${judge.version} is a RETRIEVAL judge, whose row value is a share of chunks, not a verdict to compare with a label`, { field: 'version', hint: 'align an ANSWER judge' });
  }
  const dataset = await ctx.datasets.get(body.dataset_id);
  if (!dataset) throw notFound('dataset', body.dataset_id, 'dataset_id');
  const scheme = labelScheme(judge.output, body.threshold === undefined ? {} : { threshold: body.threshold });
  const labelled =
    body.human_col !== undefined ? await columnLabels(ctx, dataset, body.human_col, scheme) : await reviewedLabels(ctx, dataset, await labelJobOf(ctx, dataset, judge.name, body.label_job), { judge, id: judgeId }, scheme);

  const metric = judgeMetric(judge);
  const key = metricKey(metric);
  const options = {
    data: labelled.records,
    metrics: [metric],
    ...(body.col_mapping ? { colMapping: body.col_mapping } : {}),
    ...(body.judge_model ? { judgeModel: body.judge_model } : {}),
    experiment: 'align',
    cache: body.cache,
    runName: `align-${judge.name}-${judge.version}`,
    config: { command: 'align', judge: judgeToConfig(judge), dataset_id: dataset.id, human_col: body.human_col ?? null, col_mapping: body.col_mapping ?? {}, judge_model: body.judge_model ?? null, threshold: body.threshold ?? null, seed: body.seed, cache: body.cache },
    env: ctx.env,
  };
  try {
    const { runId, jobId } = await ctx.runner.startEvaluation(options, labelled.records.length, (id) => recordDataset(ctx, id, dataset, { labelled_rows: labelled.rows.length }), {
      collectTable: true,
      onFinished: async (result) => {
        const report = compareRun(result, key, scheme, labelled.labels, { seed: body.seed });
        await recordAlignment(ctx.store, { judge, runId: result.runId, dataHash: dataset.hash, datasetId: dataset.id, report });
      },
    });
    return { job_id: jobId, run_id: runId, judge: { id: judgeId, name: judge.name, version: judge.version }, rows: labelled.records.length };
  } catch (error) {
    if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
      const field = ['judge_model', 'col_mapping'].find((f) => error.where.field?.startsWith(f));
      throw new ApiError(400, error.message, { ...(field ? { field } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}

/** The judge version asked for: `judge_id`, else `version`, else the newest under the name. */
async function storedJudge(ctx: ServerContext, name: string, body: AlignBody): Promise<{ judge: Judge; id: string }> {
  let query = ctx.db.selectFrom('judges').select(['id', 'version', 'definition']).where('name', '=', name);
  if (body.judge_id !== undefined) query = query.where('id', '=', body.judge_id);
  else if (body.version !== undefined) query = query.where('version', '=', body.version);
  const found = await query.orderBy('created_at', 'desc').orderBy('id').executeTakeFirst();
  if (!found) {
    const known = await ctx.db.selectFrom('judges').select('version').where('name', '=', name).execute();
    if (known.length === 0) throw new ApiError(404, `no judge '${name}'`, { field: 'name', hint: 'list judges with GET /api/judges' });
    const field = body.judge_id !== undefined ? 'judge_id' : 'version';
    throw new ApiError(404, `judge '${name}' has no ${field === 'version' ? `version '${body.version}'` : `definition '${body.judge_id}'`}`, { field, hint: `its versions are: ${[...new Set(known.map((k) => k.version))].join(', ')}` });
  }
  return { judge: JSON.parse(found.definition) as Judge, id: found.id };
}

/** The labelled rows of a column of the uploaded file; a label that cannot be read is a 400 naming its line. */
async function columnLabels(ctx: ServerContext, dataset: DatasetRecord, column: string, scheme: ReturnType<typeof labelScheme>): Promise<LabelledRows> {
  try {
    return (await readHumanLabels({ path: storedFile(ctx.dataDir, dataset).file, shownAs: dataset.original_name, columnField: 'human_col' }, column, scheme, { keepRecords: true })).labelled;
  } catch (error) {
    if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
      throw new ApiError(400, error.where.line !== undefined ? `${dataset.original_name}:${error.where.line}: ${error.message}` : error.message, {
        field: 'human_col',
        ...(error.where.line !== undefined ? { line: error.where.line } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    throw error;
  }
}

/**
 * The label job whose human labels a check compares with: the one named (of this dataset), else
 * the dataset's newest label job of this judge (label jobs keep their judge versions under the
 * job's name). Labels of other criteria are never mixed in.
 */
async function labelJobOf(ctx: ServerContext, dataset: DatasetRecord, judgeName: string, named: string | undefined): Promise<LabelJobRecord> {
  if (named !== undefined) {
    const job = await ctx.labeling.jobs.get(named);
    if (!job) throw new ApiError(404, `no label job '${named}'`, { field: 'label_job', hint: `list the dataset's label jobs with GET /api/label-jobs?dataset_id=${dataset.id}` });
    if (job.dataset_id !== dataset.id) throw new ApiError(400, `label job '${named}' labels another dataset (${job.dataset_id})`, { field: 'label_job', hint: 'name a label job of this dataset, or the dataset of that job' });
    return job;
  }
  const own = (await ctx.labeling.jobs.list({ datasetId: dataset.id, limit: 500, offset: 0 })).jobs.find((j) => j.name === judgeName);
  if (!own) {
    throw new ApiError(400, `dataset '${dataset.name}' has no label job of judge '${judgeName}' to take human labels from`, {
      field: 'human_col',
      hint: 'name the column of human labels with human_col, or a label job of this dataset with label_job',
    });
  }
  return own;
}

/**
 * The rows people labelled in a label job (the newest label of each), as the judge's output reads
 * them — without the rows that are few-shot examples of the version checked: its answer to those
 * is in its prompt, so they would flatter it (as in the job's own agreement).
 */
async function reviewedLabels(ctx: ServerContext, dataset: DatasetRecord, job: LabelJobRecord, checked: { judge: Judge; id: string }, scheme: ReturnType<typeof labelScheme>): Promise<LabelledRows> {
  const human = newestPerRow(await ctx.labeling.labels.human(job.id));
  if (human.size === 0) {
    throw new ApiError(400, `label job ${job.id} has no human labels yet`, { field: 'label_job', hint: 'review its sample first (POST /api/label-jobs/:id/review), or name a column of human labels with human_col' });
  }
  const examples = job.versions.find((v) => v.judge_id === checked.id)?.example_rows ?? [];
  for (const row of examples) human.delete(row);
  if (human.size === 0) {
    throw new ApiError(400, `every row people labelled in label job ${job.id} is a few-shot example of ${checked.judge.name} ${checked.judge.version}, so there is nothing fair to compare`, {
      field: 'version',
      hint: 'check an earlier version, label more rows (GET /api/label-jobs/:id/uncertain offers some), or name a column of human labels with human_col',
    });
  }
  const records = await recordsAt(storedFile(ctx.dataDir, dataset), human.keys());
  const labelled: LabelledRows = { rows: [], records: [], labels: [] };
  for (const [row, label] of human) {
    const read = readHumanLabel(scheme, label.label);
    if ('error' in read || 'missing' in read) {
      throw new ApiError(400, `row ${row}: the human label ${label.label} does not fit this judge's output: ${'error' in read ? read.error : 'empty'}`, {
        field: 'label_job',
        hint: `this judge's labels are ${describeLabels(scheme)}: compare with a label job of the same output kind, or name a column of human labels with human_col`,
      });
    }
    labelled.rows.push(row);
    labelled.records.push(records.get(row) as DataRecord);
    labelled.labels.push(read.label);
  }
  return labelled;
}
