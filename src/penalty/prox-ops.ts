/**
 * Building blocks of the penalties (penalty/kinds/): sums for the values, (sub)gradient terms, and
 * the exact proximal operators of the elementwise l1 norm and of one group's l2 norm, uniform
 * step or per-coordinate step h (see prox.ts for the maths). The float32 buffers are updated in
 * place, arithmetic is in float64, and nothing allocates.
 */
import { blockStart, groupSize, isContiguous, type GroupView } from '../network/layers/group-view';
import type { ProxStep } from './def';

/** Relative tolerance on r = ||x|| for the per-coordinate group prox. */
const NEWTON_RTOL = 1e-10;
const NEWTON_MAX_ITER = 60;
/** Smallest normal float32. A group shrunk below it is flushed to exact 0: with Adam's
 * preconditioner, coordinates that stop receiving gradient (the incoming weights of a dead unit)
 * are shrunk geometrically every step and would otherwise end as float32 denormals, which are
 * not zero for pruning or counting and make onnxruntime's dense kernels up to 50x slower. */
const FLT_MIN = 1.1754943508222875e-38;

/** sum x^2 over x[0..n). */
export function sumSquares(x: Float32Array, n = x.length): number {
  let r = 0;
  for (let i = 0; i < n; i++) r += x[i] * x[i];
  return r;
}

/** sum |x| over x[0..n). */
export function sumAbs(x: Float32Array, n = x.length): number {
  let r = 0;
  for (let i = 0; i < n; i++) r += Math.abs(x[i]);
  return r;
}

/** sum over groups of sqrt(group size) * ||group||_2 (the group lasso term of one layer's view). */
export function groupNormSum(w: Float32Array, v: GroupView): number {
  const wt = Math.sqrt(groupSize(v));
  let r = 0;
  for (let g = 0; g < v.count; g++) {
    let s = 0;
    for (let b = 0; b < v.blocks; b++) {
      const o = blockStart(v, g, b);
      for (let j = 0; j < v.blockLen; j++) s += w[o + j] * w[o + j];
    }
    r += wt * Math.sqrt(s);
  }
  return r;
}

/** g += t * x over [0..n) (the gradient of t/2 * sum x^2). */
export function addScaled(g: Float32Array, x: Float32Array, t: number, n = x.length): void {
  for (let i = 0; i < n; i++) g[i] += t * x[i];
}

/** g += t * sign(x) over [0..n), with sign(0) = 0 (the minimal-norm subgradient of t * sum |x|). */
export function addSign(g: Float32Array, x: Float32Array, t: number, n = x.length): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v > 0) g[i] += t;
    else if (v < 0) g[i] -= t;
  }
}

/** g += lambda * sqrt(size) * group / ||group|| per group of the view (0 for a zero group). */
export function addGroupGradient(w: Float32Array, v: GroupView, lambda: number, g: Float32Array): void {
  const tau = lambda * Math.sqrt(groupSize(v));
  for (let k = 0; k < v.count; k++) {
    let s = 0;
    for (let b = 0; b < v.blocks; b++) {
      const o = blockStart(v, k, b);
      for (let j = 0; j < v.blockLen; j++) s += w[o + j] * w[o + j];
    }
    if (s === 0) continue;
    const f = tau / Math.sqrt(s);
    for (let b = 0; b < v.blocks; b++) {
      const o = blockStart(v, k, b);
      for (let j = 0; j < v.blockLen; j++) g[o + j] += f * w[o + j];
    }
  }
}

/** Prox of lambda * sum |x| on x[0..n) with step h (a number, or one h_i per coordinate). */
export function softThreshold(x: Float32Array, n: number, lambda: number, h: ProxStep): void {
  if (typeof h === 'number') softThresholdUniform(x, 0, n, lambda * h);
  else softThresholdDiag(x, 0, n, lambda, h);
}

/** Scratch of the strided group prox (grown, never shrunk: nothing allocates per call in steady state). */
let scratchX = new Float32Array(0);
let scratchH = new Float32Array(0);

/** Prox of lambda * sum_groups sqrt(size) ||group|| on the view's groups of w, with step h. A
 * contiguous group is shrunk in place; a strided one is gathered, shrunk and scattered back. */
export function groupShrink(w: Float32Array, v: GroupView, lambda: number, h: ProxStep): void {
  const size = groupSize(v);
  const tau = lambda * Math.sqrt(size);
  if (isContiguous(v)) {
    if (typeof h === 'number') {
      for (let g = 0; g < v.count; g++) groupShrinkUniform(w, blockStart(v, g, 0), size, tau * h);
    } else {
      for (let g = 0; g < v.count; g++) groupShrinkDiag(w, blockStart(v, g, 0), size, tau, h);
    }
    return;
  }
  if (scratchX.length < size) {
    scratchX = new Float32Array(size);
    scratchH = new Float32Array(size);
  }
  for (let g = 0; g < v.count; g++) {
    for (let b = 0; b < v.blocks; b++) {
      const o = blockStart(v, g, b);
      scratchX.set(w.subarray(o, o + v.blockLen), b * v.blockLen);
      if (typeof h !== 'number') scratchH.set(h.subarray(o, o + v.blockLen), b * v.blockLen);
    }
    if (typeof h === 'number') groupShrinkUniform(scratchX, 0, size, tau * h);
    else groupShrinkDiag(scratchX, 0, size, tau, scratchH);
    for (let b = 0; b < v.blocks; b++) w.set(scratchX.subarray(b * v.blockLen, (b + 1) * v.blockLen), blockStart(v, g, b));
  }
}

/*
 * Soft-threshold sign(v) max(0, |v| - t), written without data-dependent branches (random signs
 * make branches mispredict; this form is about 4x faster in V8) yet exact:
 *   y = (a + |a|)/2 with a = |v| - t is max(a, 0) exactly (0 when a < 0);
 *   v / (|v| + 1e-300) is exactly +-1 for any nonzero float32 v (1e-300 vanishes next to it) and
 *   0 for v = 0 (where y = 0 too); the final + 0 turns -0 into +0.
 */

/** x[o..o+n) <- sign(x) max(0, |x| - t). */
export function softThresholdUniform(x: Float32Array, o: number, n: number, t: number): void {
  for (let k = o, end = o + n; k < end; k++) {
    const v = x[k];
    const av = Math.abs(v);
    const a = av - t;
    x[k] = (a + Math.abs(a)) * 0.5 * (v / (av + 1e-300)) + 0;
  }
}

/** x[k] <- sign(x) max(0, |x| - lambda*h[k]) for k in [o, o+n). */
export function softThresholdDiag(x: Float32Array, o: number, n: number, lambda: number, h: Float32Array): void {
  for (let k = o, end = o + n; k < end; k++) {
    const v = x[k];
    const av = Math.abs(v);
    const a = av - lambda * h[k];
    x[k] = (a + Math.abs(a)) * 0.5 * (v / (av + 1e-300)) + 0;
  }
}

/** Group soft-threshold of x[o..o+n) with threshold t = tau*h: x *= max(0, 1 - t/||x||). */
export function groupShrinkUniform(x: Float32Array, o: number, n: number, t: number): void {
  const end = o + n;
  let s = 0;
  for (let k = o; k < end; k++) s += x[k] * x[k];
  const norm = Math.sqrt(s);
  if (norm <= t) {
    for (let k = o; k < end; k++) x[k] = 0;
    return;
  }
  const f = 1 - t / norm;
  for (let k = o; k < end; k++) {
    const y = x[k] * f;
    x[k] = Math.abs(y) < FLT_MIN ? 0 : y;
  }
}

/**
 * Exact prox of tau*||x||_2 on x[o..o+n) in the metric sum (x_k - v_k)^2/(2 h_k).
 * Zero iff ||v/h|| <= tau. Otherwise x_k = v_k r/(r + d_k) with d_k = tau h_k and r > 0 the root
 * of f(r) = sum v_k^2/(r + d_k)^2 = 1. psi(r) = f(r)^(-1/2) is concave and increasing, so Newton
 * on psi - 1 from a point left of the root increases monotonically to it, and from a point right of
 * it lands left of it. The root lies in [||v|| - max d, ||v|| - min d] (bound f by its extreme
 * terms); iterates are clamped to that bracket.
 */
export function groupShrinkDiag(x: Float32Array, o: number, n: number, tau: number, h: Float32Array): void {
  const end = o + n;
  let sc = 0; // ||v/h||^2
  let sv = 0; // ||v||^2
  let svd = 0; // sum v^2 d
  let dmin = Infinity;
  let dmax = 0;
  for (let k = o; k < end; k++) {
    const v = x[k];
    const hk = h[k];
    const cv = v / hk;
    sc += cv * cv;
    sv += v * v;
    const d = tau * hk;
    svd += v * v * d;
    if (d < dmin) dmin = d;
    if (d > dmax) dmax = d;
  }
  if (Math.sqrt(sc) <= tau) {
    for (let k = o; k < end; k++) x[k] = 0;
    return;
  }
  const nv = Math.sqrt(sv);
  const lo = nv - dmax > 0 ? nv - dmax : 0;
  const hi = nv - dmin;
  // Start from the uniform-h answer with d averaged (weights v^2). Should it lie right of the root,
  // the first Newton step lands left of it (psi is concave) and the iteration is monotone from there.
  let r = nv - svd / sv;
  if (r < lo) r = lo;
  if (r > hi) r = hi;
  for (let it = 0; it < NEWTON_MAX_ITER; it++) {
    let f = 0;
    let f3 = 0;
    for (let k = o; k < end; k++) {
      const v = x[k];
      const q = 1 / (r + tau * h[k]);
      const t = v * v * q * q;
      f += t;
      f3 += t * q;
    }
    // Newton step on psi(r) - 1 with psi = f^-1/2, psi' = f3 f^-3/2.
    const step = f3 > 0 ? ((Math.sqrt(f) - 1) * f) / f3 : 0;
    let next = r + step;
    if (next > hi) next = hi;
    if (next < lo) next = lo;
    const done = Math.abs(next - r) <= NEWTON_RTOL * next;
    r = next;
    if (done) break;
  }
  for (let k = o; k < end; k++) {
    const y = (x[k] * r) / (r + tau * h[k]);
    x[k] = Math.abs(y) < FLT_MIN ? 0 : y;
  }
}
