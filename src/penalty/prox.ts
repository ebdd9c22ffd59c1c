/**
 * Proximal operators of the non-smooth penalties, in place on one layer:
 *
 *   x <- argmin_x  sum_i (x_i - v_i)^2 / (2 h_i)  +  lambda * R_layer(x)
 *
 * with v the current content and h_i > 0 the step per coordinate: one number for all (SGD), or a
 * diagonal preconditioner from Adam/RMSprop/AdaMax (the preconditioned proximal step of Yun et
 * al. 2021, "ProxGen"). The objective separates over groups (kernel rows, bias elements), and
 * every case is solved exactly:
 *   l1   elementwise soft-threshold by lambda*h_i;
 *   gl   kernel row, uniform h: row *= max(0, 1 - lambda*h*sqrt(outSize)/||row||);
 *        kernel row, per-coordinate h: zero iff ||v/h|| <= tau (tau = lambda*sqrt(outSize)),
 *        else x_i = v_i r/(r + tau h_i) where r = ||x|| solves sum (v_i/(r + tau h_i))^2 = 1,
 *        found by Newton on the concave secular function 1/sqrt(sum ...) - 1 (as in More-Sorensen),
 *        kept inside a bracket of the root, which converges monotonically after at most one step
 *        (exact at once when h is uniform; 2-3 steps for Adam-like spreads of h);
 *        bias elements are groups of size 1: soft-threshold by lambda*h_i;
 *   sgl  the l1 prox then the gl prox (the composition is the exact prox of l1 + gl, also with a
 *        diagonal h); the bias is thus soft-thresholded twice, i.e. by 2*lambda*h_i.
 * Zeroed groups are written as exact 0, and so are coordinates a group shrink leaves below the
 * smallest normal float32 (no denormals). No allocation per call; arithmetic in float64.
 */
import { GsError } from '../errors';
import type { DenseLayer } from '../network/types';
import type { ProxKind, ProxStep } from './types';

/** Relative tolerance on r = ||x|| for the per-coordinate group prox. */
const NEWTON_RTOL = 1e-10;
const NEWTON_MAX_ITER = 60;
/** Smallest normal float32. A group shrunk below it is flushed to exact 0: with Adam's
 * preconditioner, coordinates that stop receiving gradient (the incoming weights of a dead unit)
 * are shrunk geometrically every step and would otherwise end as float32 denormals, which are
 * not zero for pruning or counting and make onnxruntime's dense kernels up to 50x slower. */
const FLT_MIN = 1.1754943508222875e-38;

/** Prox of one layer in place; see the module comment. hKernel/hBias: a number or an array of
 * the same length as kernel/bias. lambda = 0 leaves the layer untouched. */
export function proxLayer(
  kernel: Float32Array,
  bias: Float32Array,
  inSize: number,
  outSize: number,
  kind: ProxKind,
  lambda: number,
  hKernel: ProxStep,
  hBias: ProxStep,
): void {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new GsError('BAD_OPTION', `penalty lambda must be a finite number >= 0, got ${lambda}`);
  }
  checkStep(hKernel, inSize * outSize, 'kernel');
  checkStep(hBias, outSize, 'bias');
  if (lambda === 0) return;
  const l1 = kind === 'l1' || kind === 'sgl';
  const gl = kind === 'gl' || kind === 'sgl';
  const biasLambda = l1 && gl ? 2 * lambda : lambda;
  if (typeof hBias === 'number') softThresholdUniform(bias, 0, outSize, biasLambda * hBias);
  else softThresholdDiag(bias, 0, outSize, biasLambda, hBias);
  if (typeof hKernel === 'number') {
    if (l1) softThresholdUniform(kernel, 0, inSize * outSize, lambda * hKernel);
    if (gl) {
      const t = lambda * Math.sqrt(outSize) * hKernel;
      for (let i = 0; i < inSize; i++) groupShrinkUniform(kernel, i * outSize, outSize, t);
    }
  } else {
    if (l1) softThresholdDiag(kernel, 0, inSize * outSize, lambda, hKernel);
    if (gl) {
      const tau = lambda * Math.sqrt(outSize);
      for (let i = 0; i < inSize; i++) groupShrinkDiag(kernel, i * outSize, outSize, tau, hKernel);
    }
  }
}

/** Prox of every layer of a network with one uniform step h (e.g. lr under SGD), in place. */
export function proxLayers(layers: readonly DenseLayer[], kind: ProxKind, lambda: number, h: number): void {
  for (const l of layers) proxLayer(l.kernel, l.bias, l.inSize, l.outSize, kind, lambda, h, h);
}

function checkStep(h: ProxStep, length: number, what: string): void {
  if (typeof h === 'number') {
    if (!(h > 0) || !Number.isFinite(h)) {
      throw new GsError('BAD_OPTION', `proximal step for the ${what} must be a finite number > 0, got ${h}`);
    }
  } else if (h.length !== length) {
    throw new GsError('BAD_OPTION', `proximal step array for the ${what} has length ${h.length}, expected ${length}`);
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
function softThresholdUniform(x: Float32Array, o: number, n: number, t: number): void {
  for (let k = o, end = o + n; k < end; k++) {
    const v = x[k];
    const av = Math.abs(v);
    const a = av - t;
    x[k] = (a + Math.abs(a)) * 0.5 * (v / (av + 1e-300)) + 0;
  }
}

/** x[k] <- sign(x) max(0, |x| - lambda*h[k]) for k in [o, o+n). */
function softThresholdDiag(x: Float32Array, o: number, n: number, lambda: number, h: Float32Array): void {
  for (let k = o, end = o + n; k < end; k++) {
    const v = x[k];
    const av = Math.abs(v);
    const a = av - lambda * h[k];
    x[k] = (a + Math.abs(a)) * 0.5 * (v / (av + 1e-300)) + 0;
  }
}

/** Group soft-threshold of x[o..o+n) with threshold t = tau*h: x *= max(0, 1 - t/||x||). */
function groupShrinkUniform(x: Float32Array, o: number, n: number, t: number): void {
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
function groupShrinkDiag(x: Float32Array, o: number, n: number, tau: number, h: Float32Array): void {
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
