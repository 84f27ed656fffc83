/**
 * Judge vs human: pairs each row's judge label with its human label (dropping rows where either is
 * missing), and reports every agreement statistic that fits the label scheme, with percentile
 * bootstrap intervals and a note for every value that is undefined and why.
 */
import { accuracy } from './accuracy.js';
import { bootstrapIntervals, type BootstrapOptions } from './bootstrap.js';
import { f1, flagCounts, precision, recall } from './classification.js';
import { cohenKappa } from './cohen-kappa.js';
import { kendallTauBFromTable } from './kendall-tau.js';
import { krippendorffAlphaFromTable, type AlphaMetric } from './krippendorff-alpha.js';
import { spearmanFromTable } from './spearman.js';
import { undefinedBecause, type Statistic } from './statistic.js';
import { tableFromCodes, type ContingencyTable } from './table.js';
import { quadraticWeightedKappa } from './weighted-kappa.js';

/** The statistics reported, in report order; also the keys of the `--json` document. */
export const STATISTICS = [
  'accuracy',
  'cohen_kappa',
  'weighted_kappa',
  'krippendorff_alpha',
  'spearman',
  'kendall_tau',
  'precision',
  'recall',
  'f1',
] as const;
export type StatisticName = (typeof STATISTICS)[number];

/** What a label means: how the judge's output kind orders and values its labels. */
export interface LabelScheme {
  /** The output kind the labels come from. */
  kind: 'binary' | 'yes_no' | 'scale' | 'categories';
  /** Every label, in order (ascending for scales); the confusion matrix's rows and columns. */
  labels: ReadonlyArray<string | number>;
  /** Numeric value of each label (the scale's integers; 0/1; a category's score). */
  values: readonly number[];
  /** Whether each label is a negative verdict, the positive class of precision/recall/F1. */
  negative: readonly boolean[];
  /**
   * Whether the labels are ordered (scales; binary and yes/no trivially), which weighted κ needs.
   * Categories are ordered when their scores are distinct.
   */
  ordered: boolean;
  /** Spearman and Kendall are computed for numeric scales only. */
  ranked: boolean;
  /** Krippendorff's α difference function: interval for scales, nominal otherwise. */
  alphaMetric: AlphaMetric;
}

/** The comparison of a judge with human labels. */
export interface AgreementReport {
  /** Pairs compared: rows with both a judge label and a human label. */
  n: number;
  /** Rows left out: no judge label (an error row), no human label, or neither. */
  dropped: number;
  droppedDetail: { noJudge: number; noHuman: number; neither: number };
  statistics: Record<StatisticName, number | null>;
  /** matrix[i][j]: rows the human labelled labels[i] and the judge labels[j]. */
  confusion: { labels: Array<string | number>; matrix: number[][] };
  /** Percentile bootstrap intervals; null where the statistic has no value. */
  ci: Record<StatisticName, [number, number] | null>;
  bootstrap: { resamples: number; seed: number; level: number };
  /** Why a statistic is null, and anything else a reader of the numbers should know. */
  notes: string[];
}

/**
 * Compares judge labels with human labels row by row. Labels are looked up in `scheme.labels`
 * (`===`); null or undefined is missing and drops the row. Throws when no row has both.
 */
export function compareLabels(
  human: ReadonlyArray<string | number | null | undefined>,
  judge: ReadonlyArray<string | number | null | undefined>,
  scheme: LabelScheme,
  options: BootstrapOptions = {},
): AgreementReport {
  if (human.length !== judge.length) throw new RangeError(`${human.length} human labels but ${judge.length} judge labels`);
  const index = new Map(scheme.labels.map((label, i) => [label, i]));
  const code = (label: string | number, who: string): number => {
    const i = index.get(label);
    if (i === undefined) throw new RangeError(`${who} label ${JSON.stringify(label)} is not one of ${JSON.stringify(scheme.labels)}`);
    return i;
  };
  const humanCodes: number[] = [];
  const judgeCodes: number[] = [];
  const droppedDetail = { noJudge: 0, noHuman: 0, neither: 0 };
  human.forEach((h, row) => {
    const j = judge[row];
    const noHuman = h === null || h === undefined;
    const noJudge = j === null || j === undefined;
    if (noHuman && noJudge) droppedDetail.neither++;
    else if (noHuman) droppedDetail.noHuman++;
    else if (noJudge) droppedDetail.noJudge++;
    else {
      humanCodes.push(code(h, 'human'));
      judgeCodes.push(code(j, 'judge'));
    }
  });
  const n = humanCodes.length;
  if (n === 0) throw new RangeError('no row has both a judge label and a human label');
  const k = scheme.labels.length;
  const table = tableFromCodes(k, humanCodes, judgeCodes);
  const point = tableStatistics(table, scheme);

  const notes: string[] = [];
  const dropped = droppedDetail.noJudge + droppedDetail.noHuman + droppedDetail.neither;
  if (dropped > 0) {
    const parts = [
      droppedDetail.noJudge ? `${droppedDetail.noJudge} without a judge value (error rows)` : '',
      droppedDetail.noHuman ? `${droppedDetail.noHuman} without a human label` : '',
      droppedDetail.neither ? `${droppedDetail.neither} with neither` : '',
    ].filter(Boolean);
    notes.push(`${dropped} of ${human.length} rows dropped: ${parts.join(', ')}`);
  }
  if (!scheme.ranked)
    notes.push(
      `spearman and kendall_tau are computed for numeric scales only; this judge's output is ${scheme.kind === 'yes_no' ? 'yes/no' : scheme.kind}`,
    );
  for (const name of STATISTICS) {
    const s = point[name];
    if (s.value === null && !(scheme.ranked === false && (name === 'spearman' || name === 'kendall_tau')))
      notes.push(`${name} is undefined (null): ${s.reason}`);
  }

  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const level = options.level ?? 0.95;
  const bootstrap = bootstrapIntervals(
    n,
    STATISTICS,
    (rows) => {
      const stats = tableStatistics(tableFromCodes(k, humanCodes, judgeCodes, rows), scheme);
      return Object.fromEntries(STATISTICS.map((name) => [name, stats[name].value])) as Record<StatisticName, number | null>;
    },
    { resamples, seed, level },
  );
  const ci = {} as Record<StatisticName, [number, number] | null>;
  for (const name of STATISTICS) {
    const { interval, undefinedIn } = bootstrap[name];
    ci[name] = point[name].value === null ? null : interval;
    if (point[name].value !== null && undefinedIn > 0) {
      notes.push(
        interval
          ? `${name}: undefined in ${undefinedIn} of ${resamples} bootstrap resamples (a resample with too little variety); its interval is from the other ${resamples - undefinedIn}`
          : `${name}: undefined in every bootstrap resample, so it has no interval`,
      );
    }
  }
  if (n === 1) notes.push('a single pair: every bootstrap resample is that pair, so the intervals are degenerate');
  else if (n < 30) notes.push(`only ${n} pairs: the intervals are wide and the percentile bootstrap is rough at this size`);

  return {
    n,
    dropped,
    droppedDetail,
    statistics: Object.fromEntries(STATISTICS.map((name) => [name, point[name].value])) as Record<StatisticName, number | null>,
    confusion: { labels: [...scheme.labels], matrix: table.counts.map((row) => [...row]) },
    ci,
    bootstrap: { resamples, seed, level },
    notes,
  };
}

/** Every statistic of one table under a scheme (the point estimate, and each bootstrap resample). */
export function tableStatistics(table: ContingencyTable, scheme: LabelScheme): Record<StatisticName, Statistic> {
  const flags = flagCounts(table, scheme.negative);
  const notRanked = undefinedBecause(`computed for numeric scales only; this judge's output is ${scheme.kind}`);
  return {
    accuracy: accuracy(table),
    cohen_kappa: cohenKappa(table),
    weighted_kappa: scheme.ordered
      ? quadraticWeightedKappa(table)
      : undefinedBecause('the labels have no order (two categories share a score), so quadratic weights mean nothing'),
    krippendorff_alpha: krippendorffAlphaFromTable(table, scheme.values, scheme.alphaMetric),
    spearman: scheme.ranked ? spearmanFromTable(table) : notRanked,
    kendall_tau: scheme.ranked ? kendallTauBFromTable(table) : notRanked,
    precision: precision(flags),
    recall: recall(flags),
    f1: f1(flags),
  };
}
