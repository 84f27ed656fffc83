/**
 * Stratified k-fold cross-validation, seeded (as scikit-learn's StratifiedKFold(shuffle=True)):
 * each class's rows are shuffled and dealt to the folds in turn, so every fold holds each class in
 * about its overall share; every row is scored by the model fitted on the other folds only.
 */
import { mulberry32 } from '../agreement/prng.js';

/** The fold of each row, 0..folds-1. */
export function stratifiedFolds(y: Int32Array, classes: number, folds: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const fold = new Int32Array(y.length);
  let next = 0;
  for (let c = 0; c < classes; c++) {
    const rows: number[] = [];
    y.forEach((label, i) => {
      if (label === c) rows.push(i);
    });
    // Fisher–Yates with the seeded generator.
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    // Continue dealing where the last class stopped, so that small classes do not all start at fold 0.
    for (const row of rows) fold[row] = next++ % folds;
  }
  return fold;
}
