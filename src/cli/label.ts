/**
 * `juror label <dataset-file>`: the LLM Judge++ loop in a terminal. The file becomes a dataset of
 * the store, a judge (a prompt or a built-in) labels a sample, the person reviews it (`--review`:
 * keep, flip, set, edit the justification — one line of input per answer, so it can be piped), the
 * corrections become few-shot examples of a new judge version, and that version labels every
 * other row; `--out` writes the rows with their label columns. Without `--review` (as LastMile's
 * `label_dataset`) the judge labels every row straight away. `--examples` gives the judge few-shot
 * examples from a file. Ctrl-C cancels the job (finished rows keep their labels).
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { writeTable } from '../data/write.js';
import { ConfigError, JurorError } from '../errors.js';
import { makeCriterion } from '../labeling/criterion.js';
import { importDataset, streamRows } from '../datasets/index.js';
import { readExampleFile } from '../labeling/example-file.js';
import { LabelJobs } from '../labeling/engine.js';
import { LabelLookup, labeledRecords } from '../labeling/labeled-rows.js';
import { parseLabelJobOptions, type LabelJobOptions } from '../labeling/options.js';
import type { LabelProgress } from '../labeling/phase.js';
import { defaultDataDir } from '../store/data-dir.js';
import type { LabelJobRecord } from '../store/label-jobs.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { reviewInTerminal, type ReviewOutcome } from './label-review.js';
import { EXIT, reportError } from './exit.js';

/** The flags of `juror label`, as commander parses them. */
export interface LabelFlags {
  prompt?: string;
  builtin?: string;
  output?: string;
  model?: string;
  sample: string;
  seed?: string;
  name?: string;
  colMapping: string[];
  examples?: string;
  review?: boolean;
  out?: string;
  json?: boolean;
  db?: string;
}

/** Runs `juror label` and returns its exit code. */
export async function labelCommand(file: string, flags: LabelFlags): Promise<number> {
  let store: Store | undefined;
  try {
    const options = parseFlags(flags);
    store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    const engine = new LabelJobs({ store, dataDir: defaultDataDir(store) });
    const dataset = await importDataset(engine.datasets, resolve(file), engine.dataDir);
    const examples =
      flags.examples === undefined
        ? undefined
        : await readExampleFile(resolve(flags.examples), makeCriterion(options), { shownAs: flags.examples });
    const created = await engine.create({ datasetId: dataset.id, ...options, examples });
    process.stderr.write(
      `juror: label job ${created.id}: judge ${created.name} labels ${flags.review ? `a sample of ${created.sample.length} for your review, then the rest` : 'every row'} of ${dataset.row_count} rows\n`,
    );
    return await withCancel(engine, created.id, async () => {
      // Without --review the job goes on to every row by itself and this returns it completed.
      let job = await follow(engine, created.id, 'awaiting_review');
      if (job.status !== 'awaiting_review') return finish(engine, job, undefined, flags);
      const page = await engine.labelsPage(job.id, { limit: job.sample.length });
      const io = terminalIo();
      let review: ReviewOutcome;
      try {
        review = await reviewInTerminal(page.labels, job.criterion.output, io);
      } finally {
        io.close();
      }
      job = await engine.review(job.id, review.labels);
      const version = `${job.name} ${job.versions.find((v) => v.judge_id === job.judge_id)?.version ?? ''}`;
      process.stderr.write(
        `juror: ${review.labels.length ? `${review.labels.length} reviewed labels are few-shot examples of ${version}, which` : `no row was reviewed; ${version}`} labels every other row\n`,
      );
      job = await follow(engine, job.id, 'completed');
      return finish(engine, job, review, flags);
    });
  } catch (error) {
    return reportError(asFlag(error));
  } finally {
    await store?.close();
  }
}

/** The label-job fields an error names (as the API names them), as the flags that set them. */
const FLAGS: Record<string, string> = {
  prompt: '--prompt',
  builtin: '--builtin',
  output: '--output',
  model: '--model',
  sample_size: '--sample',
  seed: '--seed',
  name: '--name',
  dataset_id: '<dataset-file>',
};

/** The error with its field named as the flag that sets it (`sample_size` → `--sample`, `col_mapping.context` → `--col-mapping`). */
function asFlag(error: unknown): unknown {
  if (error instanceof JurorError && error.where.field !== undefined) {
    const field = error.where.field;
    const [head] = field.split(/[.[]/);
    error.where.field = FLAGS[field] ?? (head === 'col_mapping' ? '--col-mapping' : head === 'examples' ? '--examples' : field);
  }
  return error;
}

/** Writes `--out` and the summary; the exit code of the job's end. */
async function finish(engine: LabelJobs, job: LabelJobRecord, review: ReviewOutcome | undefined, flags: LabelFlags): Promise<number> {
  if (job.status !== 'completed') {
    process.stderr.write(`juror: label job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}\n`);
    return job.status === 'cancelled' ? 130 : EXIT.failed;
  }
  const { dataset, file } = await engine.datasetOf(job);
  if (flags.out)
    await writeTable(
      flags.out,
      labeledRecords(streamRows(file), new LabelLookup(engine.labels, engine.store.judges, job, dataset.columns)),
    );
  const counts = { human: 0, llm: 0, unlabelled: 0 };
  for (let offset = 0; offset < dataset.row_count; offset += 5000) {
    for (const label of (await engine.labelsPage(job.id, { offset, limit: 5000 })).labels) {
      if (label.label === null) counts.unlabelled++;
      else if (label.source === 'human') counts.human++;
      else counts.llm++;
    }
  }
  const agreement = review?.labels.length ? (await engine.agreement(job.id)).versions[0] : undefined;
  const version = job.versions.find((v) => v.judge_id === job.judge_id)?.version;
  if (flags.json) {
    const summary = {
      job_id: job.id,
      dataset_id: dataset.id,
      status: job.status,
      judge: { name: job.name, version },
      rows: dataset.row_count,
      labels: counts,
      review: review ?? null,
      agreement: agreement ?? null,
      out: flags.out ?? null,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const lines = [
      `label job ${job.id} completed: ${dataset.row_count} rows — ${counts.human} labelled by you, ${counts.llm} by ${job.name} ${version}${counts.unlabelled ? `, ${counts.unlabelled} without a usable answer` : ''}`,
    ];
    if (agreement) {
      const { accuracy, cohen_kappa: kappa } = agreement.statistics;
      lines.push(
        `${job.name} ${agreement.version} agreed with you on ${Math.round((accuracy ?? 0) * agreement.n)} of ${agreement.n} reviewed rows (accuracy ${fmt(accuracy)}, Cohen's κ ${fmt(kappa)})`,
      );
    }
    if (flags.out) lines.push(`labelled rows written to ${flags.out}`);
    lines.push(`fine-tuning data: juror export finetune --label-job ${job.id.slice(0, 12)}${flags.db ? ` --db ${flags.db}` : ''}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return EXIT.ok;
}

/** Waits for the job, reporting progress on stderr every few seconds. */
async function follow(engine: LabelJobs, id: string, until: 'awaiting_review' | 'completed'): Promise<LabelJobRecord> {
  let last = '';
  let lastAt = 0;
  for (;;) {
    const job = await engine.wait(id, { until, timeoutMs: 2000 });
    const progress = engine.liveProgress(id) ?? (job.progress as LabelProgress | null);
    const line = progress
      ? `${progress.phase === 'sample' ? 'sample' : 'all rows'}: ${progress.rows_done}/${progress.row_count} rows, ${progress.calls} calls, $${progress.cost_usd.toFixed(4)}`
      : '';
    if (line && line !== last && Date.now() - lastAt > 1500) {
      process.stderr.write(`juror: ${line}\n`);
      last = line;
      lastAt = Date.now();
    }
    if (['completed', 'failed', 'cancelled'].includes(job.status) || (until === 'awaiting_review' && job.status === 'awaiting_review'))
      return job;
  }
}

/** Runs `work`; Ctrl-C / SIGTERM cancels the job (a second one exits at once). */
async function withCancel(engine: LabelJobs, id: string, work: () => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      `\njuror: ${signal}: cancelling label job ${id}; finished rows keep their labels (${signal} again to quit at once)\n`,
    );
    controller.abort();
    void engine.cancel(id).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Lines of stdin, and the review shown on stderr (stdout stays for the summary). */
function terminalIo() {
  const reader = createInterface({ input: process.stdin, terminal: false });
  const lines = reader[Symbol.asyncIterator]();
  return {
    close: () => reader.close(),
    readLine: async () => {
      const next = await lines.next();
      return next.done ? undefined : next.value;
    },
    write: (text: string) => void process.stderr.write(text),
  };
}

/** The flags as label-job options, checked by the schema the API checks them with (errors name the field; {@link asFlag} names the flag). */
function parseFlags(flags: LabelFlags): LabelJobOptions {
  if (flags.out && !/\.(json|jsonl|csv)$/i.test(flags.out))
    throw new ConfigError(`--out ${flags.out}: unknown file type`, {
      where: { field: '--out' },
      hint: 'give a file ending in .csv, .jsonl or .json',
    });
  const colMapping = Object.fromEntries(
    flags.colMapping.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0 || at === pair.length - 1)
        throw new ConfigError(`--col-mapping ${pair} is not name=column`, {
          where: { field: '--col-mapping' },
          hint: 'e.g. --col-mapping context=docs',
        });
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  return parseLabelJobOptions({
    prompt: flags.prompt,
    builtin: flags.builtin,
    output: flags.output,
    model: flags.model,
    sampleSize: Number(flags.sample),
    seed: flags.seed === undefined ? undefined : Number(flags.seed),
    name: flags.name,
    colMapping: Object.keys(colMapping).length ? colMapping : undefined,
    review: flags.review === true,
  });
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? 'undefined' : value.toFixed(3);
}
