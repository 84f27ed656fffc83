/**
 * Panels of verdicts: a jury of judge models (Verga et al., 2024, "Replacing Judges with Juries:
 * Evaluating LLM Generations with a Panel of Diverse Models"), k samples of one model at a
 * temperature (self-consistency), and log-probability scores (logprobs.ts), whose one call keeps
 * its distribution. Each call is an ordinary judgement (same prompt, re-ask, scheduler, cache);
 * the panel keeps every verdict, and the row's value is their aggregate:
 * - `majority` (yes/no, 1/0, categories; allowed for scales): the most frequent value; a tie has no
 *   majority and makes an error row naming the split (use an odd number of models or samples);
 * - `mean`, `median` (scales, RETRIEVAL precision, logprob scores): median as numpy's, the middle
 *   two averaged.
 * With both a jury and samples, each model's value is the aggregate of its samples, and the row's
 * the aggregate of the models'. A member that failed makes the row an error row (a jury short of a
 * member is another jury), with the verdicts that were given kept.
 *
 * Per row, the spread: for votes the share of verdicts that differ from the row's value, for scores
 * their population standard deviation (one logprob call: the standard deviation of its
 * distribution). Per run, {@link PanelAgreement}: Krippendorff's α across the members (models, or
 * samples), nominal for votes and interval for scores, and the share of rows they disagree on.
 */
import { krippendorffAlpha } from '../agreement/krippendorff-alpha.js';
import { ConfigError } from '../errors.js';
import type { AssessmentType, Judge, OutputKind } from './definition.js';
import { TOP_LOGPROBS } from './logprobs.js';
import { runJudge, type Chat, type Chunk, type ChunkVerdict, type Judgement, type Values } from './run-judge.js';

/** How a jury's or samples' verdicts become the row's value. */
export type PanelAggregate = 'majority' | 'mean' | 'median';
export const PANEL_AGGREGATES: readonly PanelAggregate[] = ['majority', 'mean', 'median'];

/** Models of a jury at most, and samples per model at most: each is a paid call per row. */
export const MAX_JURY = 10;
export const MAX_SAMPLES = 20;

/** The panel fields of a judge as its maker takes them. */
export interface PanelOptions {
  /** A jury: several judge models (instead of `model`). */
  models?: string[];
  aggregate?: PanelAggregate;
  /** Calls per model and row at the judge's temperature (above 0). */
  samples?: number;
  scoring?: 'logprobs';
}

/** The panel fields of a judge, checked: errors name the field (`models`, `aggregate`, `samples`, `scoring`). */
export function panelFields(
  options: PanelOptions & { model?: string | undefined },
  output: OutputKind,
  assessment: AssessmentType,
  parameters: Record<string, unknown>,
  where: string,
): PanelOptions {
  const fail = (field: string, message: string, hint: string): never => {
    throw new ConfigError(`${where}: ${message}`, { where: { field }, hint });
  };
  const { models, samples, scoring } = options;
  if (models !== undefined) {
    if (!Array.isArray(models) || models.some((m) => typeof m !== 'string' || m.trim() === ''))
      fail('models', 'models must be a list of model URIs', 'write models: [openai:/gpt-4o-mini, anthropic:/claude-3-5-haiku-latest]');
    if (options.model !== undefined)
      fail('models', 'both model and models are given', 'give model (one judge model) or models (a jury), not both');
    if (models.length < 2 || models.length > MAX_JURY)
      fail('models', `a jury has 2 to ${MAX_JURY} models, not ${models.length}`, 'for one judge model write model: instead');
    const repeated = models.find((m, i) => models.indexOf(m) !== i);
    if (repeated !== undefined)
      fail('models', `${repeated} is twice in the jury`, 'list each model once; to ask one model several times, use samples:');
  }
  if (samples !== undefined) {
    if (!Number.isInteger(samples) || samples < 1 || samples > MAX_SAMPLES)
      fail('samples', `samples must be an integer from 1 to ${MAX_SAMPLES}, not ${JSON.stringify(samples)}`, 'e.g. samples: 5');
    const temperature = parameters.temperature;
    if (samples > 1 && typeof temperature === 'number' && temperature <= 0) {
      fail(
        'samples',
        `samples: ${samples} at temperature ${temperature} would ask for the same answer ${samples} times`,
        'set parameters.temperature above 0 (e.g. 0.7) for samples that can differ, or drop samples',
      );
    }
  }
  const sampled = (samples ?? 1) > 1;
  if (scoring !== undefined) {
    if (scoring !== 'logprobs') fail('scoring', `unknown scoring ${JSON.stringify(scoring)}`, 'the one scoring is logprobs');
    if (output.type === 'categories')
      fail(
        'scoring',
        'scoring: logprobs reads numeric scores, and a categories judge answers labels',
        'use a scale, yes_no or binary output',
      );
    if (output.type === 'scale' && output.max - output.min + 1 > TOP_LOGPROBS)
      fail(
        'scoring',
        `a ${output.min}–${output.max} scale has more scores than the ${TOP_LOGPROBS} alternatives a provider returns`,
        'use a scale of at most 20 scores (1–5, 1–10)',
      );
    if (assessment === 'RETRIEVAL')
      fail('scoring', 'scoring: logprobs scores ANSWER judges', 'drop scoring, or judge the whole answer (assessment_type: ANSWER)');
    if (sampled)
      fail(
        'scoring',
        'scoring: logprobs and samples both measure what the judge is unsure of',
        'choose one: drop samples, or drop scoring',
      );
  }
  const panel = models !== undefined || sampled;
  const scores = output.type === 'scale' || scoring !== undefined || assessment === 'RETRIEVAL';
  if (options.aggregate !== undefined) {
    if (!PANEL_AGGREGATES.includes(options.aggregate))
      fail('aggregate', `unknown aggregate ${JSON.stringify(options.aggregate)}`, `use one of ${PANEL_AGGREGATES.join(', ')}`);
    if (!panel) fail('aggregate', 'aggregate combines several verdicts, and this judge makes one', 'give models: (a jury) or samples:');
    if (!scores && options.aggregate !== 'majority')
      fail('aggregate', `a ${output.type} judge's verdicts are votes, whose ${options.aggregate} is no verdict`, 'use aggregate: majority');
    if (scores && (output.type !== 'scale' || scoring !== undefined) && options.aggregate === 'majority')
      fail('aggregate', 'these values are probabilities, shares or weighted scores, not votes', 'use aggregate: mean or median');
  }
  return {
    ...(models !== undefined ? { models: [...models] } : {}),
    ...(panel ? { aggregate: options.aggregate ?? (scores ? 'mean' : 'majority') } : {}),
    ...(sampled ? { samples } : {}),
    ...(scoring !== undefined ? { scoring } : {}),
  };
}

/** Whether a judge runs as a panel (a jury, samples, or logprob scores) rather than one plain call. */
export function isPanel(judge: Judge): boolean {
  return judge.models !== undefined || (judge.samples ?? 1) > 1 || judge.scoring !== undefined;
}

/** The agreement keys a judge's runs report beside its aggregations (`jury_alpha`, `samples_disagreement`…). */
export function panelAggregates(judge: Judge): string[] {
  const prefix = judge.models ? 'jury' : (judge.samples ?? 1) > 1 ? 'samples' : undefined;
  return prefix ? [`${prefix}_alpha`, `${prefix}_disagreement`] : [];
}

/** One verdict of a panel: which model (and sample) gave it, and what it said. */
export interface PanelVerdict {
  model: string;
  /** 1-based, when the judge samples. */
  sample?: number;
  value?: number;
  score?: number | string;
  label?: string;
  justification?: string;
  /** The probability of each score (logprob scoring). */
  distribution?: Record<string, number>;
  /** Per-chunk verdicts (RETRIEVAL). */
  chunks?: ChunkVerdict[];
  error?: string;
}

/** What a panel said of a row, stored with its result. */
export interface Panel {
  /** A jury of models, samples of one model, or one logprob-scored call. */
  kind: 'jury' | 'samples' | 'single';
  /** How the verdicts became the value; absent for one logprob-scored call. */
  aggregate?: PanelAggregate;
  /** `nominal`: the values are votes (spread: share disagreeing); `interval`: scores (spread: standard deviation). */
  level: 'nominal' | 'interval';
  /** Who α compares: the models of a jury (each its samples' aggregate), else the samples; null where one gave no value. */
  members: Array<{ name: string; value: number | null }>;
  verdicts: PanelVerdict[];
  /** See {@link Panel.level}; null when the row has no value. */
  spread: number | null;
}

/** A judge model of a panel and the chat that calls it. */
export interface PanelMember {
  model: string;
  chat: Chat;
}

/**
 * Judges one row with a panel: every model of `members` (one for a judge without a jury), each
 * `judge.samples` times, in parallel under the engine's scheduler.
 */
export async function runPanel(
  judge: Judge,
  values: Values,
  chunks: Chunk[] | undefined,
  members: PanelMember[],
): Promise<Judgement & { panel: Panel }> {
  const k = judge.samples ?? 1;
  const calls = members.flatMap((member) =>
    Array.from({ length: k }, (_, s) => ({
      member,
      sample: k > 1 ? s + 1 : undefined,
      chat: k > 1 ? (((request) => member.chat({ ...request, sample: s + 1 })) satisfies Chat) : member.chat,
    })),
  );
  const settled = await Promise.allSettled(calls.map((call) => runJudge(judge, values, chunks, call.chat)));
  const rejected = settled.find((s) => s.status === 'rejected');
  // A call that failed for good fails the row as a single judge's would (or stops the run).
  if (rejected) throw rejected.reason;
  const judgements = settled.map((s) => (s as PromiseFulfilledResult<Judgement>).value);
  const verdicts = judgements.map((j, i) => toPanelVerdict(j, calls[i]!.member.model, calls[i]!.sample));
  const first = judgements[0]!;
  const spent = {
    prompt: first.prompt,
    usage: {
      inputTokens: judgements.reduce((sum, j) => sum + j.usage.inputTokens, 0),
      outputTokens: judgements.reduce((sum, j) => sum + j.usage.outputTokens, 0),
    },
    costUsd: judgements.reduce((sum, j) => sum + j.costUsd, 0),
    latencyMs: judgements.reduce((sum, j) => sum + j.latencyMs, 0),
    raw: judgements.length === 1 ? first.raw : judgements.map((j, i) => `[${verdictName(verdicts[i]!)}]\n${j.raw ?? ''}`).join('\n\n'),
  };
  const level: Panel['level'] =
    judge.output.type === 'scale' || judge.scoring !== undefined || judge.assessmentType === 'RETRIEVAL' ? 'interval' : 'nominal';
  const aggregate = judge.aggregate ?? 'mean';
  const byModel = members.map((m) => verdicts.filter((v) => v.model === m.model));
  const modelValues = byModel.map((group) => combine(group, aggregate));
  const jury = members.length > 1;
  const panel: Panel = {
    kind: jury ? 'jury' : k > 1 ? 'samples' : 'single',
    ...(judge.aggregate ? { aggregate: judge.aggregate } : {}),
    level,
    // α compares the models of a jury (each its samples' aggregate), else the samples of the one model.
    members: jury
      ? members.map((m, i) => ({ name: m.model, value: modelValues[i]!.ok ? modelValues[i]!.value : null }))
      : verdicts.map((v) => ({ name: verdictName(v), value: v.value ?? null })),
    verdicts,
    spread: null,
  };
  const failed = verdicts.find((v) => v.error !== undefined);
  if (failed) return { ok: false, error: `${verdictName(failed)}: ${failed.error}`, panel, ...spent };
  const split = modelValues.find((m) => !m.ok);
  if (split && !split.ok) return { ok: false, error: split.reason, panel, ...spent };
  const row = jury
    ? combine(
        panel.members.map((m, i) => ({ ...byModel[i]![0]!, value: m.value! })),
        aggregate,
      )
    : modelValues[0]!;
  if (!row.ok) return { ok: false, error: row.reason, panel, ...spent };
  const value = row.value;
  panel.spread = spreadOf(level, verdicts, value, judge.output);
  const shown = verdicts.find((v) => v.value === value);
  const label =
    level === 'nominal' ? shown?.label : judge.output.type === 'yes_no' && judge.scoring ? (value >= 0.5 ? 'yes' : 'no') : undefined;
  const justification =
    verdicts.length === 1
      ? (verdicts[0]!.justification ?? '')
      : verdicts.map((v) => `${verdictName(v)}: ${v.label ?? formatNumber(v.score)} — ${v.justification ?? ''}`).join('\n');
  return {
    ok: true,
    value,
    score: level === 'nominal' && shown?.score !== undefined ? shown.score : verdicts.length === 1 ? verdicts[0]!.score! : value,
    ...(label !== undefined ? { label } : {}),
    justification,
    panel,
    ...spent,
  };
}

function toPanelVerdict(judgement: Judgement, model: string, sample: number | undefined): PanelVerdict {
  const where = { model, ...(sample !== undefined ? { sample } : {}) };
  const chunks = judgement.details ? { chunks: judgement.details } : {};
  if (!judgement.ok) return { ...where, error: judgement.error, ...chunks };
  return {
    ...where,
    value: judgement.value,
    score: judgement.score,
    ...(judgement.label !== undefined ? { label: judgement.label } : {}),
    justification: judgement.justification,
    ...(judgement.distribution ? { distribution: judgement.distribution } : {}),
    ...chunks,
  };
}

function verdictName(v: Pick<PanelVerdict, 'model' | 'sample'>): string {
  return v.sample !== undefined ? `${v.model} sample ${v.sample}` : v.model;
}

/** The aggregate of verdicts' values, or why there is none (no majority). */
function combine(verdicts: PanelVerdict[], aggregate: PanelAggregate): { ok: true; value: number } | { ok: false; reason: string } {
  const values = verdicts.map((v) => v.value).filter((v): v is number => v !== undefined);
  if (values.length !== verdicts.length || values.length === 0) return { ok: false, reason: 'a verdict is missing' };
  if (aggregate === 'mean') return { ok: true, value: values.reduce((sum, v) => sum + v, 0) / values.length };
  if (aggregate === 'median') {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = (sorted.length - 1) / 2;
    return { ok: true, value: (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2 };
  }
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length > 1 && ranked[0]![1] === ranked[1]![1]) {
    const said = ranked.map(([v, n]) => `${n} said ${verdicts.find((x) => x.value === v)?.label ?? v}`).join(', ');
    return { ok: false, reason: `no majority: ${said} (use an odd number of models or samples)` };
  }
  return { ok: true, value: ranked[0]![0] };
}

/** The share of verdicts differing from the row's value (votes), or their standard deviation (scores). */
function spreadOf(level: Panel['level'], verdicts: PanelVerdict[], value: number, output: OutputKind): number {
  if (level === 'nominal') return verdicts.filter((v) => v.value !== value).length / verdicts.length;
  const distribution = verdicts.length === 1 ? verdicts[0]!.distribution : undefined;
  if (distribution) {
    // One logprob call: the spread of what the model considered, in the value's own units.
    if (output.type !== 'scale') return Math.sqrt(value * (1 - value));
    return Math.sqrt(Object.entries(distribution).reduce((sum, [s, p]) => sum + p * (Number(s) - value) ** 2, 0));
  }
  const values = verdicts.map((v) => v.value!);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
}

function formatNumber(score: number | string | undefined): string {
  return typeof score === 'number' && !Number.isInteger(score) ? score.toFixed(2) : String(score);
}

/**
 * A run's agreement across a panel's members, from each scored row's panel: Krippendorff's α
 * (nominal for votes, interval for scores) and the share of rows on which the members' values are
 * not all equal. Reported as `<prefix>_alpha` and `<prefix>_disagreement` (`jury_…` for a jury,
 * `samples_…` for samples), beside the metric's aggregates.
 */
export class PanelAgreement {
  private readonly units: Array<Array<number | null>> = [];
  private level: Panel['level'] = 'nominal';
  private prefix: 'jury' | 'samples' | undefined;

  /** Counts a row's panel (rows of one member, a single logprob call, say nothing of agreement). */
  add(panel: Panel): void {
    if (panel.kind === 'single' || panel.members.length < 2) return;
    this.level = panel.level;
    this.prefix = panel.kind;
    this.units.push(panel.members.map((m) => m.value));
  }

  /** `{ jury_alpha, jury_disagreement }` (or `samples_…`); α is left out when undefined (one value throughout). */
  summary(): Record<string, number> {
    if (!this.prefix || this.units.length === 0) return {};
    const complete = this.units.filter((u) => u.every((v) => v !== null));
    const disagreeing = complete.filter((u) => u.some((v) => v !== u[0])).length;
    const alpha = this.level === 'interval' ? intervalAlpha(this.units) : krippendorffAlpha(this.units, 'nominal').value;
    return {
      ...(alpha !== null ? { [`${this.prefix}_alpha`]: alpha } : {}),
      ...(complete.length ? { [`${this.prefix}_disagreement`]: disagreeing / complete.length } : {}),
    };
  }
}

/**
 * Krippendorff's interval α in one pass, for values too many and too varied for a coincidence
 * matrix (logprob scores): with δ² = (c − k)², Σ over ordered pairs of a unit's m values of
 * (a − b)² is 2(m·Σa² − (Σa)²), so D_o = Σ_u 2(m_u·S2_u − S1_u²)/(m_u − 1) / n and
 * D_e = 2(n·S2 − S1²) / (n(n − 1)) over the n pairable values; α = 1 − D_o / D_e. Equal to
 * krippendorffAlpha(units, 'interval') (checked in the tests); null when there is no variation.
 */
export function intervalAlpha(units: ReadonlyArray<ReadonlyArray<number | null>>): number | null {
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  let within = 0;
  for (const unit of units) {
    const present = unit.filter((v): v is number => v !== null);
    const m = present.length;
    if (m < 2) continue;
    let u1 = 0;
    let u2 = 0;
    for (const v of present) {
      u1 += v;
      u2 += v * v;
    }
    within += (2 * (m * u2 - u1 * u1)) / (m - 1);
    n += m;
    s1 += u1;
    s2 += u2;
  }
  const expected = 2 * (n * s2 - s1 * s1);
  if (n < 2 || !(expected > 1e-12 * n * s2)) return null;
  return 1 - ((n - 1) * within) / expected;
}
