/** Agreement between a judge and human labels: pure statistics over paired ratings. */
export { accuracy } from './accuracy.js';
export { bootstrapIntervals, quantile, type BootstrapInterval, type BootstrapOptions } from './bootstrap.js';
export { f1, flagCounts, precision, recall, type FlagCounts } from './classification.js';
export { cohenKappa } from './cohen-kappa.js';
export { compareLabels, STATISTICS, tableStatistics, type AgreementReport, type LabelScheme, type StatisticName } from './compare.js';
export { kendallTauB, kendallTauBFromTable } from './kendall-tau.js';
export { alphaFromCoincidences, krippendorffAlpha, krippendorffAlphaFromTable, type AlphaMetric } from './krippendorff-alpha.js';
export { mulberry32 } from './prng.js';
export { averageRanks, levelRanks } from './ranks.js';
export { spearmanFromTable, spearmanRho } from './spearman.js';
export { type Statistic } from './statistic.js';
export { columnTotals, contingencyTable, rowTotals, tableFromCodes, type ContingencyTable } from './table.js';
export { quadraticWeightedKappa } from './weighted-kappa.js';
export { judgeLabel, readHumanLabel, type ReadLabel } from './labels.js';
export { DEFAULT_NEGATIVE_THRESHOLD, labelScheme, negativeLabels } from './scheme.js';
