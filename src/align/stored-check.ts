/**
 * The checks a server makes before it judges anything for `POST /api/judges/:name/align`: the
 * stored judge version asked for, the uploaded dataset, and every human label — a column of the
 * file (`human_col`), or the labels people gave in a label job of it (`label_job`; by default its
 * label job of this judge), without the version's own few-shot rows. A problem is a Juror error
 * naming the request's field (a NotFoundError when something named does not exist); nothing is
 * created. What comes back is what the run needs: the judge, the scheme, the labelled rows.
 */
import type { LabelScheme } from '../agreement/compare.js';
import { labelScheme } from '../agreement/scheme.js';
import { storedFile } from '../datasets/index.js';
import { ConfigError, InputError, JurorError, NotFoundError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import { DatasetRepository, type DatasetRecord } from '../store/datasets.js';
import { LabelJobRepository, type LabelJobRecord } from '../store/label-jobs.js';
import { labelDb } from '../store/label-tables.js';
import { LabelRepository, newestPerRow } from '../store/labels.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import { readHumanLabels, reviewedRows, withoutExamples, type LabelledRows } from './human-labels.js';

/** What a check of a stored judge is asked for, as the request names it. */
export interface StoredCheckInput {
  dataset_id: string;
  human_col?: string | undefined;
  label_job?: string | undefined;
  version?: string | undefined;
  judge_id?: string | undefined;
  threshold?: number | undefined;
}

/** A check ready to run: the judge version, the dataset, and the rows people labelled. */
export interface StoredCheck {
  judge: Judge;
  judgeId: string;
  dataset: DatasetRecord;
  scheme: LabelScheme;
  labelled: LabelledRows;
}

/** Where stored checks find their judges, datasets and labels. */
export interface StoredCheckContext {
  store: Store;
  /** The folder uploaded dataset files are kept in. */
  dataDir: string;
}

/** Checks everything a check of judge `name` needs, before any call. */
export async function planStoredCheck(ctx: StoredCheckContext, name: string, input: StoredCheckInput): Promise<StoredCheck> {
  const { judge, id: judgeId } = await storedJudge(ctx.store, name, input);
  if (judge.assessmentType === 'RETRIEVAL') {
    throw new ConfigError(
      `judge '${name}' ${judge.version} is a RETRIEVAL judge, whose row value is a share of chunks, not a verdict to compare with a label`,
      { where: { field: 'version' }, hint: 'align an ANSWER judge' },
    );
  }
  const dataset = await new DatasetRepository(serverDb(ctx.store)).get(input.dataset_id);
  if (!dataset)
    throw new NotFoundError(`no dataset '${input.dataset_id}'`, {
      where: { field: 'dataset_id' },
      hint: 'list them with GET /api/datasets',
    });
  const scheme = labelScheme(judge.output, input.threshold === undefined ? {} : { threshold: input.threshold });
  const labelled =
    input.human_col !== undefined
      ? await columnLabels(ctx.dataDir, dataset, input.human_col, scheme)
      : await reviewedLabels(
          ctx,
          dataset,
          await labelJobOf(ctx.store, dataset, judge.name, input.label_job),
          { judge, id: judgeId },
          scheme,
        );
  return { judge, judgeId, dataset, scheme, labelled };
}

/** The judge version asked for: `judge_id`, else `version`, else the newest under the name. */
export async function storedJudge(store: Store, name: string, input: StoredCheckInput): Promise<{ judge: Judge; id: string }> {
  const found =
    input.judge_id !== undefined
      ? await store.judges.definition(name, input.judge_id)
      : input.version !== undefined
        ? await store.judges.version(name, input.version)
        : await store.judges.latest(name);
  if (found) return found;
  const known = await store.judges.versions(name);
  if (known.length === 0)
    throw new NotFoundError(`no judge '${name}'`, { where: { field: 'name' }, hint: 'list judges with GET /api/judges' });
  const field = input.judge_id !== undefined ? 'judge_id' : 'version';
  throw new NotFoundError(
    `judge '${name}' has no ${field === 'version' ? `version '${input.version}'` : `definition '${input.judge_id}'`}`,
    {
      where: { field },
      hint: `its versions are: ${[...new Set(known.map((k) => k.version))].join(', ')}`,
    },
  );
}

/** The labelled rows of a column of the uploaded file; a label that cannot be read names its line. */
async function columnLabels(dataDir: string, dataset: DatasetRecord, column: string, scheme: LabelScheme): Promise<LabelledRows> {
  try {
    return (
      await readHumanLabels(
        { path: storedFile(dataDir, dataset).file, shownAs: dataset.original_name, columnField: 'human_col' },
        column,
        scheme,
        { keepRecords: true },
      )
    ).labelled;
  } catch (error) {
    if (!(error instanceof JurorError && (error.kind === 'config' || error.kind === 'input'))) throw error;
    // The request names the column, so every problem with it is the field human_col's; the file is the upload.
    const { line } = error.where;
    throw new InputError(line !== undefined ? `${dataset.original_name}:${line}: ${error.message}` : error.message, {
      where: { field: 'human_col', ...(line !== undefined ? { line } : {}) },
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
}

/**
 * The label job whose human labels a check compares with: the one named (of this dataset), else
 * the dataset's newest label job of this judge (label jobs keep their judge versions under the
 * job's name). Labels of other criteria are never mixed in.
 */
async function labelJobOf(store: Store, dataset: DatasetRecord, judgeName: string, named: string | undefined): Promise<LabelJobRecord> {
  const jobs = new LabelJobRepository(labelDb(store));
  if (named !== undefined) {
    const job = await jobs.get(named);
    if (!job)
      throw new NotFoundError(`no label job '${named}'`, {
        where: { field: 'label_job' },
        hint: `list the dataset's label jobs with GET /api/label-jobs?dataset_id=${dataset.id}`,
      });
    if (job.dataset_id !== dataset.id)
      throw new InputError(`label job '${named}' labels another dataset (${job.dataset_id})`, {
        where: { field: 'label_job' },
        hint: 'name a label job of this dataset, or the dataset of that job',
      });
    return job;
  }
  const own = (await jobs.list({ datasetId: dataset.id, limit: 500, offset: 0 })).jobs.find((j) => j.name === judgeName);
  if (!own) {
    throw new InputError(`dataset '${dataset.name}' has no label job of judge '${judgeName}' to take human labels from`, {
      where: { field: 'human_col' },
      hint: 'name the column of human labels with human_col, or a label job of this dataset with label_job',
    });
  }
  return own;
}

/** The rows people labelled in a label job (the newest label of each), without the checked version's few-shot examples. */
async function reviewedLabels(
  ctx: StoredCheckContext,
  dataset: DatasetRecord,
  job: LabelJobRecord,
  checked: { judge: Judge; id: string },
  scheme: LabelScheme,
): Promise<LabelledRows> {
  const human = newestPerRow(await new LabelRepository(labelDb(ctx.store)).human(job.id));
  if (human.size === 0) {
    throw new InputError(`label job ${job.id} has no human labels yet`, {
      where: { field: 'label_job' },
      hint: 'review its sample first (POST /api/label-jobs/:id/review), or name a column of human labels with human_col',
    });
  }
  const { fair } = withoutExamples(human, job.versions.find((v) => v.judge_id === checked.id)?.example_rows ?? []);
  if (fair.size === 0) {
    throw new InputError(
      `every row people labelled in label job ${job.id} is a few-shot example of ${checked.judge.name} ${checked.judge.version}, so there is nothing fair to compare`,
      {
        where: { field: 'version' },
        hint: 'check an earlier version, label more rows (GET /api/label-jobs/:id/uncertain offers some), or name a column of human labels with human_col',
      },
    );
  }
  return reviewedRows(storedFile(ctx.dataDir, dataset), fair, scheme, 'label_job');
}
