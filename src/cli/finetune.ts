/**
 * `juror finetune submit | status | cancel`: fine-tune a label job's judge at OpenAI (issue #15 §3)
 * through src/finetune/. `submit` uploads the job's export, creates the fine-tuning job and — unless
 * `--no-wait` — follows it, printing the provider's events as they come; on success the fine-tuned
 * model becomes a new version of the judge, written as `<judge>-<version>.yaml` for `juror align`.
 * Exit codes: 0 succeeded (or submitted / still running), 1 the fine-tune failed or was cancelled
 * (with the provider's message), 2 bad input before anything was uploaded; 130 when Ctrl-C stops
 * following (the provider's job goes on: `juror finetune status <id> --wait` follows it again).
 */
import { writeFile } from 'node:fs/promises';
import { Finetunes } from '../finetune/finetunes.js';
import { ConfigError, InputError } from '../errors.js';
import { judgeToYaml } from '../judges/serialize.js';
import { LabelJobs } from '../labeling/engine.js';
import { defaultDataDir } from '../store/data-dir.js';
import type { FinetuneEvent, FinetuneRecord } from '../store/finetunes.js';
import { FINAL_FINETUNE_STATUSES } from '../store/finetunes.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { EXIT, reportError } from './exit.js';

/** The flags of `juror finetune submit`. */
export interface SubmitFlags {
  labelJob: string;
  model: string;
  suffix?: string;
  epochs?: string;
  /** False with `--no-wait`. */
  wait: boolean;
  json?: boolean;
  db?: string;
}

/** The flags of `juror finetune status` and `cancel`. */
export interface StatusFlags {
  wait?: boolean;
  json?: boolean;
  db?: string;
}

const FIELDS = { model: '--model', epochs: '--epochs', suffix: '--suffix' };

/** What a command works with. */
interface Session {
  store: Store;
  labeling: LabelJobs;
  finetunes: Finetunes;
}

/** Runs `juror finetune submit`. */
export function finetuneSubmitCommand(flags: SubmitFlags): Promise<number> {
  return withSession(flags, async (session) => {
    const { finetunes, labeling } = session;
    if (flags.epochs !== undefined && !/^\d+$/.test(flags.epochs))
      throw new ConfigError(`--epochs must be a whole number from 1 to 50, not ${JSON.stringify(flags.epochs)}`, {
        where: { field: '--epochs' },
        hint: "leave it out to let the provider choose ('auto')",
      });
    const epochs = flags.epochs === undefined ? undefined : Number(flags.epochs);
    const labelJobId = await labeling.jobs.findId(flags.labelJob);
    const created = await finetunes.create({ labelJobId, model: flags.model, suffix: flags.suffix, epochs }, FIELDS);
    process.stderr.write(`juror: fine-tune ${created.id}: uploading the labelled rows of label job ${labelJobId}\n`);
    const submitted = await finetunes.submit(created.id);
    process.stderr.write(
      `juror: ${submitted.examples} examples uploaded as ${submitted.training_file}; fine-tuning job ${submitted.provider_job_id} on ${flags.model} is ${submitted.status}\n`,
    );
    if (!flags.wait) {
      await report(session, submitted, flags.json);
      return EXIT.ok;
    }
    return follow(session, submitted, flags.json);
  });
}

/** Runs `juror finetune status <id>`: asks the provider once (or, with `--wait`, until it ends). */
export function finetuneStatusCommand(id: string, flags: StatusFlags): Promise<number> {
  return withSession(flags, async (session) => {
    const found = await session.finetunes.find(id, '<job-id>');
    if (flags.wait) return follow(session, found, flags.json);
    const finetune = await session.finetunes.poll(found.id);
    await report(session, finetune, flags.json, { events: 10 });
    return exitCode(finetune);
  });
}

/** Runs `juror finetune cancel <id>`. */
export function finetuneCancelCommand(id: string, flags: StatusFlags): Promise<number> {
  return withSession(flags, async (session) => {
    const found = await session.finetunes.find(id, '<job-id>');
    if (FINAL_FINETUNE_STATUSES.includes(found.status))
      throw new InputError(`fine-tune ${found.id} has already ended: ${found.status}`, {
        where: { field: '<job-id>' },
        hint: 'only a fine-tune still validating, queued or running can be cancelled',
      });
    const finetune = await session.finetunes.cancel(found.id);
    await report(session, finetune, flags.json);
    return EXIT.ok;
  });
}

async function withSession(flags: { db?: string | undefined }, action: (session: Session) => Promise<number>): Promise<number> {
  let store: Store | undefined;
  try {
    store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    const labeling = new LabelJobs({ store, dataDir: defaultDataDir(store) });
    return await action({ store, labeling, finetunes: new Finetunes({ store, labeling }) });
  } catch (error) {
    return reportError(error);
  } finally {
    await store?.close();
  }
}

/** Follows a fine-tune to its end, printing events on stderr; Ctrl-C stops following, not the fine-tune. */
async function follow(session: Session, finetune: FinetuneRecord, json: boolean | undefined): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  for (const event of finetune.events) printEvent(event);
  let status = finetune.status;
  try {
    const ended = await session.finetunes.follow(finetune.id, {
      signal: controller.signal,
      onEvent: printEvent,
      onChange: (changed) => {
        if (changed.status !== status) process.stderr.write(`juror: ${changed.provider_job_id} is ${(status = changed.status)}\n`);
      },
    });
    await report(session, ended, json);
    return exitCode(ended);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    process.stderr.write(
      `\njuror: stopped following; the fine-tune goes on at the provider: juror finetune status ${finetune.id} --wait\n`,
    );
    return EXIT.interrupted;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printEvent(event: FinetuneEvent): void {
  process.stderr.write(`  ${event.at.slice(11, 19)} ${event.level === 'info' ? '' : `${event.level}: `}${event.message}\n`);
}

function exitCode(finetune: FinetuneRecord): number {
  return finetune.status === 'failed' || finetune.status === 'cancelled' ? EXIT.failed : EXIT.ok;
}

/**
 * Prints the fine-tune (JSON, or lines for a person). A succeeded one has its judge version
 * written to `<judge>-<version>.yaml`, and the command to measure it is printed.
 */
async function report(
  session: Session,
  finetune: FinetuneRecord,
  json: boolean | undefined,
  options: { events?: number } = {},
): Promise<void> {
  const judgeFile = finetune.judge_id ? `${finetune.judge_name}-${finetune.judge_version}.yaml` : undefined;
  if (judgeFile) await writeFile(judgeFile, judgeToYaml(await session.store.judges.get(finetune.judge_id!)));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...finetune, ...(judgeFile ? { judge_file: judgeFile } : {}) })}\n`);
    return;
  }
  const lines = [`fine-tune ${finetune.id} of label job ${finetune.label_job_id}: ${finetune.status}`];
  if (finetune.provider_job_id)
    lines.push(`  provider job  ${finetune.provider_job_id} (${finetune.base_model}, ${finetune.examples} examples)`);
  if (options.events) for (const event of finetune.events.slice(-options.events)) lines.push(`  ${event.at}  ${event.message}`);
  switch (finetune.status) {
    case 'succeeded':
      lines.push(`  model         openai:/${finetune.fine_tuned_model}`);
      if (judgeFile) {
        lines.push(
          `  judge         ${finetune.judge_name} ${finetune.judge_version}: the label job's judge with this model, written to ${judgeFile}`,
        );
        const { criterion } = await session.labeling.get(finetune.label_job_id);
        const mapping = Object.entries(criterion.col_mapping ?? {}).map(([name, column]) => ` --col-mapping ${name}=${column}`);
        lines.push('measure it against your labels (the labelled rows `juror label --out labeled.csv` wrote):');
        lines.push(`  juror align --judge ${judgeFile} --data labeled.csv --human-col label${mapping.join('')}`);
      }
      break;
    case 'failed':
      lines.push(`  failed: ${finetune.error}`);
      break;
    case 'cancelled':
      lines.push(`  cancelled${finetune.error && finetune.error !== 'cancelled' ? `: ${finetune.error}` : ''}`);
      break;
    default:
      lines.push(`follow it: juror finetune status ${finetune.id} --wait`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
