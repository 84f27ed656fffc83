/**
 * A person's review of a job's labels, checked and turned into what it changes: human labels to
 * store, the revised criterion, and the next judge definition — the criterion with every human
 * label of the job (newest per row) as a few-shot example after the user's own examples.
 * Nothing is stored here, so that a bad label (a 400) leaves the job as it was.
 */
import { Columns } from '../data/columns.js';
import { ConfigError, InputError } from '../errors.js';
import type { Judge } from '../judges/definition.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { LabelJobRecord } from '../store/label-jobs.js';
import { newestPerRow, type LabelRecord, type NewLabel } from '../store/labels.js';
import { checkRunnable } from './checks.js';
import { judgeForCriterion, type Criterion } from './criterion.js';
import { recordsAt, type StoredFile } from '../datasets/index.js';
import { rowExample } from './examples.js';
import { judgeScore, readLabel, showLabel, type LabelValue } from './label-values.js';

/** A person's label of a row; `label` is checked against the job's output kind. */
export interface HumanLabelInput {
  row: number;
  label: unknown;
  justification?: string | null | undefined;
}

/** What a review changes, once stored. */
export interface PreparedReview {
  criterion: Criterion;
  inserts: NewLabel[];
  /** The judge definition of the reviewed criterion under a version name. */
  build(version: string): Judge;
  /** Rows whose human labels are few-shot examples of that definition. */
  exampleRows: number[];
}

/** What checking a review reads. */
export interface ReviewContext {
  job: LabelJobRecord;
  dataset: DatasetRecord;
  file: StoredFile;
  /** Every label the job has on the reviewed rows, and all its human labels, oldest first. */
  rowLabels: LabelRecord[];
  humanLabels: LabelRecord[];
  env: Record<string, string | undefined>;
}

/** Checks a review and works out what it changes. Errors name `labels[i].row`, `labels[i].label` or `prompt`. */
export async function prepareReview(
  ctx: ReviewContext,
  input: { labels: HumanLabelInput[]; prompt?: string | undefined },
): Promise<PreparedReview> {
  const { job } = ctx;
  const criterion = revisedCriterion(job.criterion, input.prompt);
  const allowed = new Set([...job.sample, ...(job.uncertain ?? []).map((u) => u.row)]);
  const seen = new Set<number>();
  const given = input.labels.map((item, i) => {
    const field = `labels[${i}]`;
    if (!Number.isInteger(item.row) || !allowed.has(item.row)) {
      throw new InputError(
        `${field}.row: row ${JSON.stringify(item.row)} is neither in the sample nor among the uncertain rows of label job ${job.id}`,
        {
          where: { field: `${field}.row` },
          hint: 'review rows of the sample (GET /api/label-jobs/:id) or of GET /api/label-jobs/:id/uncertain',
        },
      );
    }
    if (seen.has(item.row))
      throw new InputError(`${field}.row: row ${item.row} is labelled twice`, {
        where: { field: `${field}.row` },
        hint: 'give each row once',
      });
    seen.add(item.row);
    const value = readLabel(criterion.output, item.label, `${field}.label`);
    const justification =
      typeof item.justification === 'string' && item.justification.trim() !== '' ? item.justification.trim() : undefined;
    return { row: item.row, value, justification: justification ?? defaultJustification(ctx, item.row, value) };
  });

  const inserts: NewLabel[] = given.map((g) => ({
    dataset_id: job.dataset_id,
    row_index: g.row,
    label: g.value.label,
    label_text: g.value.text,
    justification: g.justification,
    source: 'human',
    judge_id: null,
    label_job_id: job.id,
    run_id: null,
    run_row_index: null,
    error: null,
  }));

  // Every human label of the job becomes an example, the newest per row (this review's win).
  const human = new Map(
    [...newestPerRow(ctx.humanLabels)].map(([row, l]) => [row, { label: l.label!, justification: l.justification ?? '' }]),
  );
  for (const g of given) human.set(g.row, { label: g.value.label, justification: g.justification });
  // The criterion's own columns first, so that a revised prompt's unknown `{variable}` is named as the prompt's.
  await checkRunnable(judgeForCriterion(criterion, { name: job.name, version: 'v0' }), ctx.dataset.columns, criterion.col_mapping, ctx.env);
  const exampleRows = [...human.keys()].sort((a, b) => a - b);
  const records = await recordsAt(ctx.file, exampleRows);
  const columns = new Columns({
    columns: ctx.dataset.columns,
    ...(criterion.col_mapping ? { colMapping: criterion.col_mapping } : {}),
    hasModel: false,
  });
  const build = (version: string): Judge => {
    const base = judgeForCriterion(criterion, { name: job.name, version });
    const extra = exampleRows.map((row) =>
      rowExample(base, columns, {
        record: records.get(row) ?? {},
        score: judgeScore(criterion.output, human.get(row)!.label),
        justification: human.get(row)!.justification,
      }),
    );
    return judgeForCriterion(criterion, { name: job.name, version, extra });
  };
  build('v0'); // the examples checked (a score the output kind does not allow) before anything is stored
  return { criterion, inserts, build, exampleRows };
}

function revisedCriterion(criterion: Criterion, prompt: string | undefined): Criterion {
  if (prompt === undefined) return criterion;
  if (criterion.builtin !== undefined) {
    throw new ConfigError(`prompt: the job labels with the built-in judge ${criterion.builtin}, which has no prompt to revise`, {
      where: { field: 'prompt' },
      hint: 'start a new label job with a prompt of your own instead',
    });
  }
  if (prompt.trim() === '')
    throw new ConfigError('prompt: the revised prompt is empty', {
      where: { field: 'prompt' },
      hint: 'send the whole revised prompt, or leave prompt out',
    });
  return { ...criterion, prompt };
}

/**
 * The justification of a person's label given without one: the judge's own when the person kept
 * its label (or, for an uncertain row, a sample's with that label); else a note that a person
 * overruled the judge.
 */
function defaultJustification(ctx: ReviewContext, row: number, value: LabelValue): string {
  const llm = newestPerRow(
    ctx.rowLabels,
    (l) => l.row_index === row && l.source === 'llm' && l.label !== null && l.judge_id === ctx.job.judge_id,
  ).get(row);
  if (llm && llm.label === value.label && llm.justification) return llm.justification;
  const sample = ctx.job.uncertain?.find((u) => u.row === row)?.samples.find((s) => s.label === value.label && s.justification);
  if (!llm && sample?.justification) return sample.justification;
  const human = showLabel({ label: value.label, text: value.text });
  return llm
    ? `A human reviewer labelled this ${human}, overruling the judge's ${showLabel(llm)}.`
    : `A human reviewer labelled this ${human}.`;
}
