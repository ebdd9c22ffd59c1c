/**
 * Lasso and group lasso for least squares by accelerated proximal gradient (FISTA):
 *
 *   minimise  ||X w - y||^2 / (2n)  +  lambda * R(w)
 *   lasso:        R(w) = sum |w_i|
 *   group lasso:  R(w) = sum over groups sqrt(g) * ||w_group||_2
 *
 * The proximal step is the library's own operator (penalty/prox.ts proxLayer) applied to w laid
 * out as a [groups x g] kernel, where a group is a kernel row, exactly as for a network layer.
 * Step 1/L with L the largest eigenvalue of X^T X / n (power iteration, 1% margin). A lambda path
 * (largest first) is solved with warm starts; momentum restarts adaptively (O'Donoghue and
 * Candes 2015), which keeps the many small-lambda solves short.
 */
import { proxLayer } from '../penalty/prox';
import type { ProxKind } from '../penalty/types';
import type { RegressionSplit } from './synthetic-regression';

export type SparseMethod = 'lasso' | 'group-lasso';

export interface ProxGradientOptions {
  maxIter?: number;
  /** Stop when ||w_new - w_old|| <= tol * max(1, ||w_new||). */
  tol?: number;
}

const KIND: Record<SparseMethod, ProxKind> = { lasso: 'l1', 'group-lasso': 'gl' };

/** X w (rows) into out. */
function matVec(d: RegressionSplit, p: number, w: Float64Array, out: Float64Array): void {
  for (let r = 0; r < d.rows; r++) {
    let s = 0;
    const o = r * p;
    for (let i = 0; i < p; i++) s += d.x[o + i] * w[i];
    out[r] = s;
  }
}

/** X^T v / n into out. */
function matTVec(d: RegressionSplit, p: number, v: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < d.rows; r++) {
    const o = r * p;
    const vr = v[r] / d.rows;
    if (vr === 0) continue;
    for (let i = 0; i < p; i++) out[i] += d.x[o + i] * vr;
  }
}

/** Largest eigenvalue of X^T X / n, by power iteration, with a 1% safety margin. */
export function lipschitz(d: RegressionSplit, p: number, iterations = 60): number {
  let v = new Float64Array(p).fill(1 / Math.sqrt(p));
  const xv = new Float64Array(d.rows);
  const next = new Float64Array(p);
  let eig = 0;
  for (let it = 0; it < iterations; it++) {
    matVec(d, p, v, xv);
    matTVec(d, p, xv, next);
    eig = Math.hypot(...next);
    if (eig === 0) return 1;
    v = next.map((t) => t / eig);
  }
  return eig * 1.01;
}

/** The smallest lambda at which w = 0 is optimal. */
export function lambdaMax(d: RegressionSplit, p: number, groupSize: number, method: SparseMethod): number {
  const c = new Float64Array(p);
  matTVec(d, p, d.y, c);
  let m = 0;
  if (method === 'lasso') {
    for (let i = 0; i < p; i++) m = Math.max(m, Math.abs(c[i]));
    return m;
  }
  for (let o = 0; o < p; o += groupSize) {
    let s = 0;
    for (let j = 0; j < groupSize; j++) s += c[o + j] * c[o + j];
    m = Math.max(m, Math.sqrt(s) / Math.sqrt(groupSize));
  }
  return m;
}

/** A solver bound to one training split: solve(lambda, warmStart) returns w (a new array). */
export function proxGradientSolver(d: RegressionSplit, p: number, groupSize: number, method: SparseMethod, o: ProxGradientOptions = {}) {
  const maxIter = o.maxIter ?? 3000;
  const tol = o.tol ?? 1e-6;
  const L = lipschitz(d, p);
  const h = 1 / L;
  const groups = p / groupSize;
  const kernel = new Float32Array(p);
  const bias = new Float32Array(groupSize);
  const xz = new Float64Array(d.rows);
  const grad = new Float64Array(p);
  const kind = KIND[method];
  let iterations = 0;
  return {
    lipschitz: L,
    /** Iterations of the last solve. */
    get iterations() {
      return iterations;
    },
    solve(lambda: number, warm?: Float64Array): Float64Array {
      let w = warm ? Float64Array.from(warm) : new Float64Array(p);
      const z = Float64Array.from(w);
      let t = 1;
      iterations = 0;
      for (let it = 0; it < maxIter; it++) {
        matVec(d, p, z, xz);
        for (let r = 0; r < d.rows; r++) xz[r] -= d.y[r];
        matTVec(d, p, xz, grad);
        for (let i = 0; i < p; i++) kernel[i] = z[i] - h * grad[i];
        bias.fill(0);
        proxLayer(kernel, bias, groups, groupSize, kind, lambda, h, h);
        const next = Float64Array.from(kernel);
        // Adaptive restart (O'Donoghue and Candes 2015): drop the momentum when the step turns
        // against it, (z - w_next) . (w_next - w) > 0.
        let against = 0;
        for (let i = 0; i < p; i++) against += (z[i] - next[i]) * (next[i] - w[i]);
        if (against > 0) t = 1;
        const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
        const beta = (t - 1) / tNext;
        let diff = 0;
        let norm = 0;
        for (let i = 0; i < p; i++) {
          const dlt = next[i] - w[i];
          diff += dlt * dlt;
          norm += next[i] * next[i];
          z[i] = next[i] + beta * dlt;
        }
        w = next;
        t = tNext;
        iterations++;
        if (Math.sqrt(diff) <= tol * Math.max(1, Math.sqrt(norm))) break;
      }
      return w;
    },
  };
}

/** Mean squared error of X w against y. */
export function meanSquaredError(d: RegressionSplit, w: Float64Array): number {
  const p = w.length;
  const xw = new Float64Array(d.rows);
  matVec(d, p, w, xw);
  let s = 0;
  for (let r = 0; r < d.rows; r++) s += (xw[r] - d.y[r]) ** 2;
  return s / d.rows;
}

/** ||a - b|| / ||b||. */
export function relativeError(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] * b[i];
  }
  return Math.sqrt(num) / Math.sqrt(den);
}
