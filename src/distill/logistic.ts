/**
 * Multinomial logistic regression with an L2 penalty and per-row weights, on sparse rows, fitted by
 * L-BFGS (deterministic: zero start, no randomness). It minimises scikit-learn's objective for
 * `LogisticRegression(penalty='l2', C=C, solver='lbfgs')` with multinomial loss and sample weights,
 *
 *   ½ Σ_k ‖w_k‖² + C · Σ_i s_i · (−log softmax(x_i·W + b)_{y_i}),     intercepts b unpenalised,
 *
 * computed here divided by C·Σs_i (same minimiser, a loss on the scale of one row). Two classes
 * keep two weight vectors (the multinomial form), so binary and scale judges share one path.
 *
 * Written here rather than taken from npm: `ml-logistic-regression` (the maintained candidate) is
 * dense, one-vs-rest, unweighted and unpenalised; nothing on npm fits a sparse, weighted,
 * multinomial, L2-penalised model, and a dense 2^18-column matrix would not fit in memory.
 */
import type { SparseRow } from './ngrams.js';

/** A fitted model over `features` columns and `classes` classes: weights `w[f * classes + k]`, intercepts `b[k]`. */
export interface LogisticModel {
  classes: number;
  features: number;
  w: Float64Array;
  b: Float64Array;
}

/** What to fit. */
export interface LogisticProblem {
  rows: SparseRow[];
  /** Each row's class, 0..classes-1. */
  y: Int32Array;
  classes: number;
  features: number;
  /** Each row's weight; default 1. */
  weights?: Float64Array;
  /** Inverse regularisation strength, as scikit-learn's C; default 10. */
  C?: number;
  /** L-BFGS iterations at most; default 300. */
  maxIterations?: number;
  /** Stop when the largest gradient component is below this; default 1e-5 (scikit-learn's tol, on this scale, is 1e-4). */
  tolerance?: number;
}

/** A fit and how it ended. */
export interface LogisticFit {
  model: LogisticModel;
  iterations: number;
  /** The objective divided by C·Σs (see the module comment) at the solution. */
  loss: number;
  converged: boolean;
}

/** The class-balanced weights of scikit-learn's `class_weight='balanced'`: n / (classes · count of the row's class). */
export function balancedWeights(y: Int32Array, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  for (const c of y) counts[c]!++;
  const present = counts.filter((c) => c > 0).length;
  return Float64Array.from(y, (c) => y.length / (present * counts[c]!));
}

/** The logits x·W + b of one row. */
export function logits(model: LogisticModel, row: SparseRow, out = new Float64Array(model.classes)): Float64Array {
  const K = model.classes;
  out.set(model.b);
  for (let j = 0; j < row.indices.length; j++) {
    const base = row.indices[j]! * K;
    const x = row.values[j]!;
    for (let k = 0; k < K; k++) out[k]! += x * model.w[base + k]!;
  }
  return out;
}

/** Softmax of `z / temperature`, in place. */
export function softmax(z: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v / temperature);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k]! / temperature - max);
    sum += z[k]!;
  }
  for (let k = 0; k < z.length; k++) z[k]! /= sum;
  return z;
}

/**
 * Fits the model.
 * @example const { model } = fitLogistic({ rows, y, classes: 2, features: 1000, weights: balancedWeights(y, 2) });
 */
export function fitLogistic(problem: LogisticProblem): LogisticFit {
  const { rows, y, classes: K, features: F } = problem;
  const C = problem.C ?? 10;
  const weights = problem.weights ?? new Float64Array(rows.length).fill(1);
  let total = 0;
  for (const s of weights) total += s;
  const scale = 1 / total;
  const lambda = 1 / (C * total);
  const size = F * K + K;
  const z = new Float64Array(K);

  // The objective and its gradient at theta (W then b): one pass over the rows, no allocation.
  const p = new Float64Array(K);
  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const bias = F * K;
    for (let i = 0; i < rows.length; i++) {
      const { indices, values } = rows[i]!;
      const nnz = indices.length;
      for (let k = 0; k < K; k++) z[k] = theta[bias + k]!;
      for (let j = 0; j < nnz; j++) {
        const base = indices[j]! * K;
        const x = values[j]!;
        for (let k = 0; k < K; k++) z[k]! += x * theta[base + k]!;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (z[k]! > max) max = z[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        p[k] = Math.exp(z[k]! - max);
        sum += p[k]!;
      }
      const label = y[i]!;
      const s = weights[i]! * scale;
      loss += s * (max + Math.log(sum) - z[label]!);
      for (let k = 0; k < K; k++) {
        p[k] = s * (p[k]! / sum - (k === label ? 1 : 0));
        grad[bias + k]! += p[k]!;
      }
      for (let j = 0; j < nnz; j++) {
        const base = indices[j]! * K;
        const x = values[j]!;
        for (let k = 0; k < K; k++) grad[base + k]! += x * p[k]!;
      }
    }
    let penalty = 0;
    for (let q = 0; q < bias; q++) {
      const t = theta[q]!;
      penalty += t * t;
      grad[q]! += lambda * t;
    }
    return loss + (lambda / 2) * penalty;
  };

  const maxIterations = problem.maxIterations ?? 300;
  const tolerance = problem.tolerance ?? 1e-5;
  if (K === 2) return fitBinary(problem, weights, scale, lambda, maxIterations, tolerance);
  const result = lbfgs(evaluate, new Float64Array(size), maxIterations, tolerance);
  return {
    model: { classes: K, features: F, w: result.x.slice(0, F * K), b: result.x.slice(F * K) },
    iterations: result.iterations,
    loss: result.value,
    converged: result.converged,
  };
}

/**
 * Two classes: at the multinomial optimum w_0 = −w_1 (the loss's gradients of the two classes sum to
 * zero, so the penalty's do too), so it is the binary model β = w_1 − w_0 with the penalty
 * λ/2·(‖w_0‖² + ‖w_1‖²) = (λ/4)·‖β‖², fitted with half the parameters and returned split evenly.
 * At such a point ∂/∂β equals the multinomial gradient ∂/∂w_1, so the tolerance means the same.
 */
function fitBinary(
  problem: LogisticProblem,
  weights: Float64Array,
  scale: number,
  lambda: number,
  maxIterations: number,
  tolerance: number,
): LogisticFit {
  const { rows, y, features: F } = problem;
  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const c = theta[F]!;
    for (let i = 0; i < rows.length; i++) {
      const { indices, values } = rows[i]!;
      let m = c;
      for (let j = 0; j < indices.length; j++) m += values[j]! * theta[indices[j]!]!;
      const s = weights[i]! * scale;
      const label = y[i]!;
      // log(1 + e^m) − label·m, stable for large |m|.
      loss += s * ((m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - label * m);
      const g = s * (1 / (1 + Math.exp(-m)) - label);
      grad[F]! += g;
      for (let j = 0; j < indices.length; j++) grad[indices[j]!]! += g * values[j]!;
    }
    let penalty = 0;
    for (let q = 0; q < F; q++) {
      const t = theta[q]!;
      penalty += t * t;
      grad[q]! += (lambda / 2) * t;
    }
    return loss + (lambda / 4) * penalty;
  };
  const result = lbfgs(evaluate, new Float64Array(F + 1), maxIterations, tolerance);
  const w = new Float64Array(F * 2);
  for (let f = 0; f < F; f++) {
    w[f * 2] = -result.x[f]! / 2;
    w[f * 2 + 1] = result.x[f]! / 2;
  }
  return {
    model: { classes: 2, features: F, w, b: Float64Array.of(-result.x[F]! / 2, result.x[F]! / 2) },
    iterations: result.iterations,
    loss: result.value,
    converged: result.converged,
  };
}

/** Limited-memory BFGS (Nocedal & Wright, algorithm 7.4/7.5) with a backtracking Armijo line search. */
function lbfgs(
  f: (x: Float64Array, grad: Float64Array) => number,
  x: Float64Array,
  maxIterations: number,
  tolerance: number,
): { x: Float64Array; value: number; iterations: number; converged: boolean } {
  const memory = 10;
  const n = x.length;
  const s: Float64Array[] = [];
  const yv: Float64Array[] = [];
  const rho: number[] = [];
  let grad: Float64Array = new Float64Array(n);
  let value = f(x, grad);
  const direction = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let nextX: Float64Array = new Float64Array(n);
  let nextGrad: Float64Array = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(grad) < tolerance) return { x, value, iterations: iteration, converged: true };
    // Two-loop recursion: direction = -H·grad.
    for (let i = 0; i < n; i++) direction[i] = -grad[i]!;
    for (let m = s.length - 1; m >= 0; m--) {
      alpha[m] = rho[m]! * dot(s[m]!, direction);
      axpy(-alpha[m]!, yv[m]!, direction);
    }
    const gamma = s.length
      ? dot(s[s.length - 1]!, yv[yv.length - 1]!) / dot(yv[yv.length - 1]!, yv[yv.length - 1]!)
      : 1 / Math.max(1, norm(grad));
    for (let i = 0; i < n; i++) direction[i]! *= gamma;
    for (let m = 0; m < s.length; m++) {
      const beta = rho[m]! * dot(yv[m]!, direction);
      axpy(alpha[m]! - beta, s[m]!, direction);
    }
    let slope = dot(grad, direction);
    if (slope >= 0) {
      // Not a descent direction (curvature lost): restart from steepest descent.
      s.length = yv.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -grad[i]! / Math.max(1, norm(grad));
      slope = dot(grad, direction);
    }
    let step = 1;
    let nextValue = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) nextX[i] = x[i]! + step * direction[i]!;
      nextValue = f(nextX, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextValue < value)) return { x, value, iterations: iteration, converged: maxAbs(grad) < tolerance * 100 };
    const sNew = new Float64Array(n);
    const yNew = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sNew[i] = nextX[i]! - x[i]!;
      yNew[i] = nextGrad[i]! - grad[i]!;
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-12) {
      if (s.length === memory) {
        s.shift();
        yv.shift();
        rho.shift();
      }
      s.push(sNew);
      yv.push(yNew);
      rho.push(1 / sy);
    }
    const relative = (value - nextValue) / Math.max(Math.abs(value), Math.abs(nextValue), 1);
    [x, nextX] = [nextX, x];
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (relative < 1e-12) return { x, value, iterations: iteration + 1, converged: true };
  }
  return { x, value, iterations: maxIterations, converged: maxAbs(grad) < tolerance };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (const v of a) max = Math.max(max, Math.abs(v));
  return max;
}
