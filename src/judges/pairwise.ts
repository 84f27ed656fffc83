/**
 * Pairwise judging (issue #14 §2): a pairwise judge (judges/pairwise-output.ts) sees two responses
 * to one request and answers A, B or tie. LLM judges favour a position (MT-Bench: GPT-4 kept its
 * verdict on swapped pairs about 65% of the time), so every pair is judged in both orders — A's
 * response shown first, then B's — and a verdict that changes with the order is a tie, counted as
 * inconsistent. Both orders are rows of one evaluation, so the calls go through the engine's
 * scheduler, limits, cache and retries, and the run (prompts, answers, errors) is kept.
 */
import { bootstrapIntervals, type BootstrapOptions } from '../agreement/bootstrap.js';
import type { DataRecord } from '../data/dataset.js';
import { evaluate, type EvaluateOptions, type EvaluationResult } from '../engine/evaluate.js';
import { ConfigError } from '../errors.js';
import type { Store } from '../store/store.js';
import { judgeKey, type Judge } from './definition.js';

/** Two responses to one request: `a` and `b`, with the request's record (its columns fill the judge's other variables). */
export interface ResponsePair {
  id: string;
  a: string;
  b: string;
  record?: DataRecord;
}

/** What a pairwise judge answers about the two responses in the order shown: A is the first. */
export type PairwiseLabel = 'A' | 'B' | 'tie';

/** The verdict in one order, or why there is none (an error row of the run). */
export type OrderVerdict = { label: PairwiseLabel; justification: string } | { error: string };

/** A pair judged in both orders. */
export interface PairVerdict {
  id: string;
  /** Response `a` shown first (as `response_a`). */
  aFirst: OrderVerdict;
  /** Response `b` shown first. */
  bFirst: OrderVerdict;
  /** The better response after both orders: an order-dependent verdict is a tie; null when an order failed. */
  winner: 'a' | 'b' | 'tie' | null;
  /** Whether both orders named the same winner (or both a tie); null when an order failed. */
  consistent: boolean | null;
}

/** Pairs judged, with the run that holds their calls. */
export interface JudgedPairs {
  runId: string | undefined;
  result: EvaluationResult;
  verdicts: PairVerdict[];
}

/** Options of {@link judgePairs}: those of `evaluate()` but the data and metrics, which it makes. */
export interface JudgePairsOptions extends Omit<EvaluateOptions, 'data' | 'metrics' | 'extraMetrics' | 'model' | 'modelType' | 'examples'> {
  /** Runs the evaluation: `evaluate()` by default; a job passes its own (resumable, with progress). */
  run?: (options: EvaluateOptions) => Promise<EvaluationResult>;
}

/** Columns each judged row carries besides the pair's record and the two responses. */
const PAIR_COLUMN = 'pair_id';
const FIRST_COLUMN = 'shown_first';

/**
 * Judges each pair in both orders with a pairwise judge and returns the verdicts per pair (what
 * `juror compare` reports and the audit's position probe measures).
 * @example
 * const { verdicts } = await judgePairs(judge, [{ id: '0', a: 'Paris.', b: 'Lyon.' }], { judgeModel: 'openai:/gpt-4o-mini' });
 * verdicts[0].winner // 'a'
 */
export async function judgePairs(judge: Judge, pairs: readonly ResponsePair[], options: JudgePairsOptions = {}): Promise<JudgedPairs> {
  if (!judge.pairwise) {
    throw new ConfigError(`judge '${judge.name}' is not a pairwise judge`, {
      where: { field: 'judge' },
      hint: 'use a prompt judge whose judge_prompt shows {response_a} and {response_b}, or a rubric judge with pairwise: true',
    });
  }
  const { run = evaluate, ...rest } = options;
  const result = await run({ ...rest, data: pairRecords(pairs), metrics: [judge] });
  const table = result.tables.eval_results_table;
  const rows =
    table.length === pairs.length * 2 || !(options.store && typeof (options.store as Store).results === 'function')
      ? table
      : await storedRows(options.store as Store, result.runId);
  return { runId: result.storedAt ? result.runId : undefined, result, verdicts: verdictsOf(rows, judgeKey(judge), pairs) };
}

/** The rows judging the pairs: for each pair, A's response first, then B's. */
export function pairRecords(pairs: readonly ResponsePair[]): DataRecord[] {
  return pairs.flatMap((pair) => [
    { ...pair.record, response_a: pair.a, response_b: pair.b, [PAIR_COLUMN]: pair.id, [FIRST_COLUMN]: 'a' },
    { ...pair.record, response_a: pair.b, response_b: pair.a, [PAIR_COLUMN]: pair.id, [FIRST_COLUMN]: 'b' },
  ]);
}

/**
 * The verdicts of pairs judged by a stored run of {@link judgePairs} (its rows carry the pair and
 * the order), for reading a finished comparison back.
 */
export async function storedPairVerdicts(store: Store, runId: string, judge: Pick<Judge, 'name' | 'version'>): Promise<PairVerdict[]> {
  return verdictsOf(await storedRows(store, runId), judgeKey(judge));
}

/** A stored run's rows in the results table's shape (`<key>/label`, `/justification`, `/error`). */
async function storedRows(store: Store, runId: string): Promise<DataRecord[]> {
  const run = await store.getRun(runId);
  const count = Number(run.row_count);
  const rows: DataRecord[] = [];
  const PAGE = 1000;
  for (let offset = 0; offset < count; offset += PAGE) {
    const page = await store.rows(runId, { offset, limit: PAGE });
    if (page.length === 0) break;
    const results = await store.results(runId, { from: page[0]!.row_index, to: page[page.length - 1]!.row_index });
    const byRow = new Map(page.map((row) => [row.row_index, JSON.parse(row.record) as DataRecord]));
    for (const r of results) {
      const record = byRow.get(r.row_index);
      if (!record) continue;
      record[`${r.metric}/label`] = r.label;
      record[`${r.metric}/justification`] = r.justification;
      if (r.error !== null) record[`${r.metric}/error`] = r.error;
    }
    rows.push(...byRow.values());
  }
  return rows;
}

/** Each pair's two verdicts from the judged rows, in the order of `pairs` (or of first appearance). */
function verdictsOf(rows: readonly DataRecord[], key: string, pairs?: readonly ResponsePair[]): PairVerdict[] {
  const orders = new Map<string, { a?: OrderVerdict; b?: OrderVerdict }>();
  for (const id of pairs?.map((p) => p.id) ?? []) orders.set(id, {});
  for (const row of rows) {
    const id = String(row[PAIR_COLUMN]);
    const entry = orders.get(id) ?? {};
    orders.set(id, entry);
    entry[row[FIRST_COLUMN] === 'b' ? 'b' : 'a'] = orderVerdict(row, key);
  }
  return [...orders].map(([id, { a, b }]) => {
    const aFirst = a ?? { error: 'not judged' };
    const bFirst = b ?? { error: 'not judged' };
    return { id, aFirst, bFirst, ...decide(aFirst, bFirst) };
  });
}

function orderVerdict(row: DataRecord, key: string): OrderVerdict {
  const label = row[`${key}/label`];
  if (label === 'A' || label === 'B' || label === 'tie') return { label, justification: String(row[`${key}/justification`] ?? '') };
  return { error: String(row[`${key}/error`] ?? 'no verdict') };
}

/** The winner of a pair from its two orders: `A` shown first is `a`; with `b` shown first, `A` is `b`. */
function decide(aFirst: OrderVerdict, bFirst: OrderVerdict): Pick<PairVerdict, 'winner' | 'consistent'> {
  if (!('label' in aFirst) || !('label' in bFirst)) return { winner: null, consistent: null };
  const first = aFirst.label === 'A' ? 'a' : aFirst.label === 'B' ? 'b' : 'tie';
  const second = bFirst.label === 'A' ? 'b' : bFirst.label === 'B' ? 'a' : 'tie';
  return first === second ? { winner: first, consistent: true } : { winner: 'tie', consistent: false };
}

/** A share with its percentile bootstrap interval over pairs; null when there is nothing to share. */
export interface Rate {
  value: number | null;
  interval: [number, number] | null;
}

/** What pairwise judging found, from B's side: is B's response better than A's? */
export interface PairwiseSummary {
  pairs: number;
  /** Pairs with a verdict in both orders; the rates are over these. */
  judged: number;
  /** Pairs where an order failed (an error row), left out of the rates. */
  errors: number;
  /** B better. */
  wins: Rate;
  /** A better. */
  losses: Rate;
  /** Neither, including every order-dependent verdict. */
  ties: Rate;
  /** Share of pairs whose verdict did not change with the order. */
  consistency: Rate;
  /** Among answers naming a response (not tie), the share naming the one shown first: 0.5 is no preference. */
  first_position: Rate;
  /** Answers (two per judged pair) that named a response. */
  decisive: number;
}

/**
 * Rates of a comparison with 95% percentile bootstrap intervals (pairs resampled; seeded).
 * @example summarizePairs(verdicts, { seed: 1 }).wins.value
 */
export function summarizePairs(verdicts: readonly PairVerdict[], options: BootstrapOptions = {}): PairwiseSummary {
  const judged = verdicts.filter((v) => v.winner !== null);
  const n = judged.length;
  const wins = judged.map((v) => (v.winner === 'b' ? 1 : 0));
  const losses = judged.map((v) => (v.winner === 'a' ? 1 : 0));
  const ties = judged.map((v) => (v.winner === 'tie' ? 1 : 0));
  const consistent = judged.map((v) => (v.consistent ? 1 : 0));
  const first = judged.map((v) => positionCounts(v));
  const decisive = first.reduce((sum, c) => sum + c.decisive, 0);
  const share = (values: number[], rows: ArrayLike<number>) => {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += values[rows[i]!]!;
    return sum / rows.length;
  };
  const firstShare = (rows: ArrayLike<number>) => {
    let named = 0;
    let firsts = 0;
    for (let i = 0; i < rows.length; i++) {
      named += first[rows[i]!]!.decisive;
      firsts += first[rows[i]!]!.first;
    }
    return named === 0 ? null : firsts / named;
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const point = {
    wins: n ? share(wins, all) : null,
    losses: n ? share(losses, all) : null,
    ties: n ? share(ties, all) : null,
    consistency: n ? share(consistent, all) : null,
    first_position: firstShare(all),
  };
  const keys = ['wins', 'losses', 'ties', 'consistency', 'first_position'] as const;
  const intervals = n
    ? bootstrapIntervals(
        n,
        keys,
        (rows) => ({
          wins: share(wins, rows),
          losses: share(losses, rows),
          ties: share(ties, rows),
          consistency: share(consistent, rows),
          first_position: firstShare(rows),
        }),
        options,
      )
    : undefined;
  const rate = (key: (typeof keys)[number]): Rate => ({ value: point[key], interval: intervals?.[key].interval ?? null });
  return {
    pairs: verdicts.length,
    judged: n,
    errors: verdicts.length - n,
    wins: rate('wins'),
    losses: rate('losses'),
    ties: rate('ties'),
    consistency: rate('consistency'),
    first_position: rate('first_position'),
    decisive,
  };
}

/** How many of a pair's two answers named a response, and how many of those named the one shown first. */
function positionCounts(verdict: PairVerdict): { decisive: number; first: number } {
  let decisive = 0;
  let first = 0;
  for (const order of [verdict.aFirst, verdict.bFirst]) {
    if (!('label' in order) || order.label === 'tie') continue;
    decisive++;
    if (order.label === 'A') first++;
  }
  return { decisive, first };
}
