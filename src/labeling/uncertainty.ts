/**
 * Where a person's time goes next: rows the judge is least sure of. The current judge version
 * answers each candidate row k times at a temperature above 0 (or once per judge model, when a
 * second model is given), and the rows whose answers disagree most are offered for review, each
 * with why ("2 of 3 samples said 1, 1 said 0"). Candidates are up to `pool` rows without a human
 * label outside the sample (chosen with the job's seed, so the same rows each time); the probes are
 * not stored as labels or runs (fresh samples, no cache). Reviewing these rows adds their human
 * labels to the examples and the agreement set.
 *
 * A judge that is a jury (`models:`) is probed by asking each of its models once: the rows its
 * models disagree on — where the jury's majority is least sure — are the ones offered, ranked by
 * how split the jury is.
 */
import { evaluate } from '../engine/evaluate.js';
import { ConfigError } from '../errors.js';
import { judgeKey, type Judge } from '../judges/definition.js';
import type { LabelJobRecord, UncertainRow } from '../store/label-jobs.js';
import { recordsAt } from '../datasets/index.js';
import type { LabelJobs } from './engine.js';
import { wrongStatus } from './errors.js';
import { fromJudgeValue, showLabel } from './label-values.js';
import { MAX_SEED, seededChoice } from './sample.js';
import type { DataRecord } from '../data/dataset.js';

/** How to probe. */
export interface UncertaintyOptions {
  /** Samples per row at `temperature` (default 3). Ignored when `compareModel` is given. */
  k?: number | undefined;
  /** Rows returned at most (default 16). */
  limit?: number | undefined;
  /** Candidate rows probed at most (default 100). */
  pool?: number | undefined;
  /** Temperature of the samples (default 1). */
  temperature?: number | undefined;
  /** A second judge model: rows where it and the job's model disagree are offered instead. */
  compareModel?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The rows offered, and what finding them cost. */
export interface UncertaintyReport {
  rows: Array<UncertainRow & { record: DataRecord }>;
  /** Candidate rows probed. */
  candidates: number;
  k: number;
  calls: number;
  cost_usd: number;
}

const ROW_KEY = '__juror_label_row';

/** Probes candidate rows and returns (and remembers on the job, for review) the least certain. */
export async function findUncertain(engine: LabelJobs, job: LabelJobRecord, options: UncertaintyOptions = {}): Promise<UncertaintyReport> {
  if (job.status !== 'awaiting_review') throw wrongStatus(job.id, job.status, 'look for uncertain rows', ['awaiting_review']);
  const judge = await engine.store.judges.get(job.judge_id!);
  const jury = options.compareModel ? undefined : judge.models;
  const k = options.compareModel ? 2 : (jury?.length ?? options.k ?? 3);
  if (!Number.isInteger(k) || k < 2)
    throw new ConfigError(`k ${k} is too small: disagreement needs at least 2 samples`, { where: { field: 'k' }, hint: 'e.g. k=3' });
  const temperature = options.temperature ?? 1;
  const { criterion } = job;
  const { dataset, file } = await engine.datasetOf(job);
  const reviewed = new Set((await engine.labels.human(job.id)).map((l) => l.row_index));
  const sample = new Set(job.sample);
  const outside: number[] = [];
  for (let row = 0; row < dataset.row_count; row++) if (!reviewed.has(row) && !sample.has(row)) outside.push(row);
  const eligible = outside.length ? outside : job.sample.filter((row) => !reviewed.has(row));
  const candidates = seededChoice(eligible, options.pool ?? 100, (job.seed + 1) % (MAX_SEED + 1));
  if (candidates.length === 0) return { rows: [], candidates: 0, k, calls: 0, cost_usd: 0 };

  const found = await recordsAt(file, candidates);
  const probes = jury ? juryProbes(judge, jury) : probeJudges(judge, k, temperature, options.compareModel);
  const result = await evaluate({
    data: candidates.map((row) => ({ ...found.get(row), [ROW_KEY]: row })),
    metrics: probes,
    ...(criterion.col_mapping ? { colMapping: criterion.col_mapping } : {}),
    store: false,
    cache: false,
    env: engine.env,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const models =
    jury ?? (options.compareModel ? [judge.model ?? engine.env.JUROR_JUDGE_MODEL ?? 'the judge model', options.compareModel] : undefined);
  const rows = result.tables.eval_results_table.flatMap((tableRow) => {
    const row = tableRow[ROW_KEY] as number;
    const samples = probes.map((probe, i) => {
      const key = judgeKey(probe);
      const value = tableRow[`${key}/score`];
      const label = typeof value === 'number' ? fromJudgeValue(criterion.output, value) : undefined;
      return {
        label: label?.label ?? null,
        label_text: label?.text ?? null,
        justification: (tableRow[`${key}/justification`] as string | null) ?? null,
        error: (tableRow[`${key}/error`] as string | undefined) ?? null,
        model: models?.[i] ?? null,
      };
    });
    const uncertain = judgeDisagreement(row, samples);
    return uncertain ? [{ ...uncertain, record: found.get(row) ?? {} }] : [];
  });
  rows.sort((a, b) => b.disagreement - a.disagreement || spread(b) - spread(a) || a.row - b.row);
  const chosen = rows.slice(0, options.limit ?? 16);
  const kept = new Map((job.uncertain ?? []).map((u) => [u.row, u]));
  for (const { record: _record, ...u } of chosen) kept.set(u.row, u);
  await engine.jobs.update(job.id, { uncertain: [...kept.values()].sort((a, b) => a.row - b.row) });
  return { rows: chosen, candidates: candidates.length, k, calls: result.calls.made, cost_usd: result.costUsd };
}

/** The judge copies that probe a row: k at `temperature`, or the judge on each of two models. */
function probeJudges(judge: Judge, k: number, temperature: number, compareModel: string | undefined): Judge[] {
  if (compareModel)
    return [
      { ...judge, version: `${judge.version}-m1` },
      { ...judge, version: `${judge.version}-m2`, model: compareModel },
    ];
  return Array.from({ length: k }, (_, i) => ({
    ...judge,
    version: `${judge.version}-s${i + 1}`,
    parameters: { ...judge.parameters, temperature },
  }));
}

/** The judge on each model of its jury, one call each, at the judge's own parameters. */
function juryProbes(judge: Judge, models: string[]): Judge[] {
  const { models: _models, aggregate: _aggregate, samples: _samples, scoring: _scoring, ...single } = judge;
  return models.map((model, i) => ({ ...single, version: `${judge.version}-m${i + 1}`, model }));
}

/** A row's disagreement and why, or undefined when its usable answers agree (or are fewer than two). */
function judgeDisagreement(row: number, samples: UncertainRow['samples']): UncertainRow | undefined {
  const usable = samples.filter((s) => s.label !== null);
  if (usable.length < 2) return undefined;
  const counts = new Map<number, { label: number; label_text: string | null; count: number }>();
  for (const s of usable) {
    const entry = counts.get(s.label!) ?? { label: s.label!, label_text: s.label_text, count: 0 };
    entry.count++;
    counts.set(s.label!, entry);
  }
  const votes = [...counts.values()].sort((a, b) => b.count - a.count || a.label - b.label);
  if (votes.length === 1) return undefined;
  const failed = samples.length - usable.length;
  const said = (v: { label: number | null; label_text: string | null }) => showLabel({ label: v.label, text: v.label_text });
  let reason: string;
  if (samples.some((s) => s.model))
    reason = samples.map((s) => `${s.model} said ${s.label === null ? 'nothing usable' : said(s)}`).join(', ');
  else if (votes.length === 2)
    reason = `${votes[0]!.count} of ${usable.length} samples said ${said(votes[0]!)}, ${votes[1]!.count} said ${said(votes[1]!)}`;
  else reason = `${usable.length} samples said ${usable.map(said).join(', ')}`;
  if (failed && !samples.some((s) => s.model)) reason += ` (${failed} gave no usable answer)`;
  return { row, reason, disagreement: (usable.length - votes[0]!.count) / usable.length, votes, samples };
}

/** The range of the labels a row's samples gave (for scales: 1 and 5 disagree more than 3 and 4). */
function spread(row: UncertainRow): number {
  const labels = row.votes.map((v) => v.label);
  return Math.max(...labels) - Math.min(...labels);
}
