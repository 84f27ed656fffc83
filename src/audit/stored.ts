/**
 * The checks a server makes before it audits anything for `POST /api/judges/:name/audit`: the
 * stored judge version asked for, the uploaded dataset (its first `rows` rows), the human labels of
 * `human_col`, and the built-in probe suite (a suite file from the server's disk is not the API's to
 * name). A problem is a Juror error naming the request's field; nothing is created. What comes back
 * is the audit's plan.
 */
import { labelScheme } from '../agreement/scheme.js';
import { readHumanLabels } from '../align/human-labels.js';
import { storedJudge } from '../align/stored-check.js';
import { openDataset, type DataRecord } from '../data/dataset.js';
import { storedFile } from '../datasets/index.js';
import { ConfigError, InputError, JurorError, NotFoundError } from '../errors.js';
import { judgeMetric } from '../metrics/judge-metric.js';
import { DatasetRepository, type DatasetRecord } from '../store/datasets.js';
import { serverDb } from '../store/server-tables.js';
import type { Store } from '../store/store.js';
import { probesFor, responseColumn, type AuditPlan } from './audit.js';
import { pairColumns } from './position.js';
import type { Probe } from './perturb.js';
import { loadSuite } from './suite.js';

/** What an audit of a stored judge is asked for, as the request names it. */
export interface StoredAuditInput {
  dataset_id: string;
  version?: string | undefined;
  judge_id?: string | undefined;
  /** Default all that apply to the judge. */
  probes?: Probe[] | undefined;
  samples: number;
  temperature: number;
  rows: number;
  human_col?: string | undefined;
  col_mapping?: Record<string, string> | undefined;
  judge_model?: string | undefined;
  threshold?: number | undefined;
  seed: number;
  cache: boolean;
}

/** A planned audit, with the judge version's id and the dataset. */
export interface StoredAudit {
  plan: AuditPlan;
  judgeId: string;
  dataset: DatasetRecord;
}

/** Checks everything an audit of judge `name` needs, before any call. */
export async function planStoredAudit(
  ctx: { store: Store; dataDir: string; env?: Record<string, string | undefined> },
  name: string,
  input: StoredAuditInput,
): Promise<StoredAudit> {
  const { judge, id: judgeId } = await storedJudge(ctx.store, name, input);
  if (judge.assessmentType === 'RETRIEVAL') {
    throw new ConfigError(`judge '${name}' ${judge.version} is a RETRIEVAL judge: it grades retrieved chunks, not a response to perturb`, {
      where: { field: 'version' },
      hint: 'audit an ANSWER judge',
    });
  }
  const dataset = await new DatasetRepository(serverDb(ctx.store)).get(input.dataset_id);
  if (!dataset)
    throw new NotFoundError(`no dataset '${input.dataset_id}'`, {
      where: { field: 'dataset_id' },
      hint: 'list them with GET /api/datasets',
    });
  const file = storedFile(ctx.dataDir, dataset).file;
  const records: DataRecord[] = [];
  for await (const row of (await openDataset(file)).rows()) {
    if (records.length >= input.rows) break;
    records.push(row.record);
  }
  let probes: Probe[];
  try {
    probes = probesFor(judge, input.probes ?? 'all', 'probes');
    if (judge.pairwise) pairColumns(judge, dataset.columns, input.col_mapping);
    else responseColumn(judge, dataset.columns, input.col_mapping);
  } catch (error) {
    throw asField(
      error,
      error instanceof JurorError && error.where.field === 'probes' ? 'probes' : input.col_mapping ? 'col_mapping' : 'version',
    );
  }
  const scheme = labelScheme(judge.output, input.threshold === undefined ? {} : { threshold: input.threshold });
  const human = input.human_col === undefined ? undefined : await humanLabels(file, dataset, input.human_col, scheme, records.length);
  const plan: AuditPlan = {
    judge,
    metric: judgeMetric(judge),
    records,
    dataName: dataset.original_name,
    dataHash: dataset.hash,
    ...(input.col_mapping ? { colMapping: input.col_mapping } : {}),
    ...(input.judge_model ? { judgeModel: input.judge_model } : {}),
    probes,
    suite: await loadSuite(),
    samples: input.samples,
    temperature: input.temperature,
    scheme,
    ...(human ? { human: { column: input.human_col!, labels: human } } : {}),
    seed: input.seed,
    resamples: 1000,
    cache: input.cache,
    ...(ctx.env ? { env: ctx.env } : {}),
    datasetRecord: { id: dataset.id, name: dataset.name },
  };
  return { plan, judgeId, dataset };
}

/** The human labels of the audited rows; a label that cannot be read names its line of the upload. */
async function humanLabels(file: string, dataset: DatasetRecord, column: string, scheme: ReturnType<typeof labelScheme>, rows: number) {
  try {
    return (await readHumanLabels({ path: file, shownAs: dataset.original_name, columnField: 'human_col' }, column, scheme)).labels.slice(
      0,
      rows,
    );
  } catch (error) {
    throw asField(error, 'human_col');
  }
}

/** A config or input error about a request's field, named as the request names it. */
function asField(error: unknown, field: string): unknown {
  if (!(error instanceof JurorError && (error.kind === 'config' || error.kind === 'input'))) return error;
  const { line } = error.where;
  return new InputError(error.message, {
    where: { field, ...(line !== undefined ? { line } : {}) },
    ...(error.hint ? { hint: error.hint } : {}),
  });
}
