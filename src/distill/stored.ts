/**
 * Distilled judges in the store: trained, stored as the next version of their name, read back for
 * scoring and listing. The JSON stored is parsed here, so nothing else reads it.
 */
import { NotFoundError } from '../errors.js';
import { DistilledJudgeRepository } from '../store/judges.js';
import { defaultStoreLocation, Store, type StoreLocation } from '../store/store.js';
import { parseDistilled, type DistilledDefinition } from './model.js';
import type { LabelledData } from './sources.js';
import { distill, type DistillOptions, type DistillReport } from './train.js';

/** A stored distilled version as listed: no weights. */
export interface DistilledSummary {
  id: string;
  name: string;
  version: string;
  kind: 'distilled';
  created_at: string;
  source: Record<string, unknown>;
  report: DistillReport;
}

/** A distilled version with its definition. */
export interface StoredDistilled extends DistilledSummary {
  definition: DistilledDefinition;
}

/**
 * Trains a distilled judge on `data` and stores it as the next version of `name`.
 * @example const stored = await distillAndStore(store, await fromFile('labels.csv', 'label', ['answer']), { name: 'helpful' });
 */
export async function distillAndStore(
  store: Store,
  data: LabelledData,
  options: Omit<DistillOptions, 'version' | 'output' | 'columns'>,
): Promise<StoredDistilled> {
  const repository = new DistilledJudgeRepository(store.db);
  // Trained once under a placeholder version; the version is set when the next one is known.
  const { definition, report } = await distill(data.rows, { ...options, version: 'v0', output: data.output, columns: data.columns });
  const record = await repository.saveNext(options.name, (version) => ({
    definition: JSON.stringify({ ...definition, version }),
    report: JSON.stringify(report),
    source: JSON.stringify(data.source),
  }));
  return { ...summary(record), definition: { ...definition, version: record.version } };
}

/** The stored distilled version `version` of `name`; a missing one is a NotFoundError saying what exists. */
export async function readDistilled(store: Store, name: string, version: string): Promise<StoredDistilled> {
  const repository = new DistilledJudgeRepository(store.db);
  const record = await repository.get(name, version);
  if (!record) {
    const known = (await repository.list()).filter((r) => r.name === name).map((r) => r.version);
    throw new NotFoundError(`no distilled judge ${name} ${version} in the store`, {
      hint: known.length
        ? `distilled versions of ${name}: ${known.join(', ')}`
        : `distil one first: juror distill --label-job <id> --name ${name} (or --data <file> --label-col <column>)`,
    });
  }
  return { ...summary(record), definition: parseDistilled(record.definition, record.id) };
}

/**
 * A distilled judge's definition for a run: from the run's open store, or from its store location
 * (default `.juror/juror.db`), opened for the read only.
 */
export async function distilledForRun(
  store: Store | StoreLocation | undefined,
  env: Record<string, string | undefined>,
  name: string,
  version: string,
): Promise<DistilledDefinition> {
  if (store instanceof Store) return (await readDistilled(store, name, version)).definition;
  const opened = await Store.open(store ?? defaultStoreLocation(env));
  try {
    return (await readDistilled(opened, name, version)).definition;
  } finally {
    await opened.close();
  }
}

/** Every stored distilled version, without weights. */
export async function listDistilled(store: Store): Promise<DistilledSummary[]> {
  return (await new DistilledJudgeRepository(store.db).list()).map(summary);
}

function summary(record: {
  id: string;
  name: string;
  version: string;
  created_at: string;
  source: string;
  report: string;
}): DistilledSummary {
  return {
    id: record.id,
    name: record.name,
    version: record.version,
    kind: 'distilled',
    created_at: record.created_at,
    source: JSON.parse(record.source) as Record<string, unknown>,
    report: JSON.parse(record.report) as DistillReport,
  };
}
