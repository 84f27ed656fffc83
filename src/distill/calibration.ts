/**
 * Calibration: temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks")
 * fitted on out-of-fold logits, and how calibrated the result is — the expected calibration error
 * over equal-width confidence bins (the same paper's ECE: Σ_b n_b/n · |accuracy_b − confidence_b|,
 * confidence being the top class's probability) and the reliability table behind it.
 */
import { softmax } from './logistic.js';

/** One bin of the reliability table. */
export interface ReliabilityBin {
  /** Confidence range [low, high) (the last bin includes 1). */
  low: number;
  high: number;
  count: number;
  /** Mean confidence of the bin's rows; null for an empty bin. */
  confidence: number | null;
  /** Share of the bin's rows whose top class is right; null for an empty bin. */
  accuracy: number | null;
}

/** The mean negative log-likelihood of `labels` under softmax(logits / temperature). */
export function negativeLogLikelihood(logits: Float64Array[], labels: Int32Array, temperature: number): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v / temperature);
    let total = 0;
    for (const v of z) total += Math.exp(v / temperature - max);
    sum += max + Math.log(total) - z[labels[i]!]! / temperature;
  }
  return sum / logits.length;
}

/**
 * The temperature that minimises the NLL of the labels. The NLL is convex in 1/T, so a golden-section
 * search over ln T in [ln 0.05, ln 20] finds its minimum; the result is clamped to that range.
 */
export function fitTemperature(logits: Float64Array[], labels: Int32Array): number {
  if (logits.length === 0) return 1;
  const nll = (lnT: number) => negativeLogLikelihood(logits, labels, Math.exp(lnT));
  let a = Math.log(0.05);
  let b = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = nll(c);
  let fd = nll(d);
  for (let i = 0; i < 80 && b - a > 1e-7; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = nll(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = nll(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/** Calibrated probabilities of each row: softmax(logits / temperature). */
export function probabilities(logits: Float64Array[], temperature: number): Float64Array[] {
  return logits.map((z) => softmax(Float64Array.from(z), temperature));
}

/** Top class and its probability. */
export function top(p: Float64Array): { index: number; confidence: number } {
  let index = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[index]!) index = k;
  return { index, confidence: p[index]! };
}

/** The reliability table over `bins` equal-width bins of confidence, and the expected calibration error. */
export function reliability(probs: Float64Array[], labels: Int32Array, bins = 10): { ece: number; table: ReliabilityBin[] } {
  const count = new Float64Array(bins);
  const confidence = new Float64Array(bins);
  const correct = new Float64Array(bins);
  probs.forEach((p, i) => {
    const t = top(p);
    const bin = Math.min(bins - 1, Math.floor(t.confidence * bins));
    count[bin]!++;
    confidence[bin]! += t.confidence;
    if (t.index === labels[i]) correct[bin]!++;
  });
  let ece = 0;
  const table: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b]!;
    if (n > 0) ece += (n / probs.length) * Math.abs(correct[b]! / n - confidence[b]! / n);
    table.push({
      low: b / bins,
      high: (b + 1) / bins,
      count: n,
      confidence: n > 0 ? confidence[b]! / n : null,
      accuracy: n > 0 ? correct[b]! / n : null,
    });
  }
  return { ece, table };
}
