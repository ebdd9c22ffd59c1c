/**
 * WebAssembly kernels of the fused engine's parameter update: the optimizers (PyTorch's
 * semantics, as src/train/fused/optimizers.ts, in float32 four lanes at a time) writing each
 * coordinate's step h_i, and the exact proximal operators of l1, gl and sgl (as
 * src/penalty/prox.ts, float64 arithmetic) with a scalar or a per-coordinate step.
 * Every pointer is a byte offset into memory laid out by the JavaScript side.
 */

const B1: f32 = 0.9;
const B2: f32 = 0.999;
const EPS: f32 = 1e-8;
const ALPHA: f32 = 0.99;
/** Smallest normal float32: optimizer moments below it are stored as 0 (emulated flush-to-zero;
 * see TINY in pass.ts). Adam's first moment of a coordinate whose gradient stopped decays by 0.9
 * a step and would otherwise pass through the denormal range. */
const FLT_MIN32: f32 = 1.1754943508222875e-38;

/** v with lanes of magnitude below the smallest normal float32 set to 0. */
@inline function ftz(v: v128, tiny: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), tiny));
}

/** Adam: m += (1-b1)(g-m); v = b2 v + (1-b2) g^2; p -= stepSize m / (sqrt(v) c2 + eps); h = lr / (...). */
export function adamStep(p: usize, g: usize, m: usize, v: usize, h: usize, n: i32, stepSize: f32, c2: f32, lr: f32): void {
  const b1c = f32x4.splat(1 - B1);
  const b2 = f32x4.splat(B2);
  const b2c = f32x4.splat(1 - B2);
  const c2v = f32x4.splat(c2);
  const eps = f32x4.splat(EPS);
  const one = f32x4.splat(1);
  const ss = f32x4.splat(stepSize);
  const lrv = f32x4.splat(lr);
  const tiny = f32x4.splat(FLT_MIN32);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    let mi = v128.load(m + o);
    mi = ftz(f32x4.add(mi, f32x4.mul(b1c, f32x4.sub(gi, mi))), tiny);
    const vi = ftz(f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(b2c, f32x4.mul(gi, gi))), tiny);
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const inv = f32x4.div(one, f32x4.add(f32x4.mul(f32x4.sqrt(vi), c2v), eps));
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(ss, f32x4.mul(mi, inv))));
    if (h != 0) v128.store(h + o, f32x4.mul(lrv, inv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    let mi = load<f32>(m + o);
    mi = mi + (1 - B1) * (gi - mi);
    if (Mathf.abs(mi) < FLT_MIN32) mi = 0;
    let vi = B2 * load<f32>(v + o) + (1 - B2) * gi * gi;
    if (vi < FLT_MIN32) vi = 0;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const inv: f32 = 1 / (Mathf.sqrt(vi) * c2 + EPS);
    store<f32>(p + o, load<f32>(p + o) - stepSize * mi * inv);
    if (h != 0) store<f32>(h + o, lr * inv);
  }
}

/** AdaMax: m += (1-b1)(g-m); u = max(b2 u, |g| + eps); p -= clr m / u; h = clr / u. */
export function adamaxStep(p: usize, g: usize, m: usize, u: usize, h: usize, n: i32, clr: f32): void {
  const b1c = f32x4.splat(1 - B1);
  const b2 = f32x4.splat(B2);
  const eps = f32x4.splat(EPS);
  const c = f32x4.splat(clr);
  const tiny = f32x4.splat(FLT_MIN32);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    let mi = v128.load(m + o);
    mi = ftz(f32x4.add(mi, f32x4.mul(b1c, f32x4.sub(gi, mi))), tiny);
    const ui = f32x4.max(f32x4.mul(b2, v128.load(u + o)), f32x4.add(f32x4.abs(gi), eps));
    v128.store(m + o, mi);
    v128.store(u + o, ui);
    const hi = f32x4.div(c, ui);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(hi, mi)));
    if (h != 0) v128.store(h + o, hi);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    let mi = load<f32>(m + o);
    mi = mi + (1 - B1) * (gi - mi);
    if (Mathf.abs(mi) < FLT_MIN32) mi = 0;
    const ui = max(B2 * load<f32>(u + o), Mathf.abs(gi) + EPS);
    store<f32>(m + o, mi);
    store<f32>(u + o, ui);
    const hi: f32 = clr / ui;
    store<f32>(p + o, load<f32>(p + o) - hi * mi);
    if (h != 0) store<f32>(h + o, hi);
  }
}

/** RMSprop: v = a v + (1-a) g^2; p -= lr g / (sqrt(v) + eps); h = lr / (sqrt(v) + eps). */
export function rmspropStep(p: usize, g: usize, v: usize, h: usize, n: i32, lr: f32): void {
  const a = f32x4.splat(ALPHA);
  const ac = f32x4.splat(1 - ALPHA);
  const eps = f32x4.splat(EPS);
  const lrv = f32x4.splat(lr);
  const tiny = f32x4.splat(FLT_MIN32);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const vi = ftz(f32x4.add(f32x4.mul(a, v128.load(v + o)), f32x4.mul(ac, f32x4.mul(gi, gi))), tiny);
    v128.store(v + o, vi);
    const hi = f32x4.div(lrv, f32x4.add(f32x4.sqrt(vi), eps));
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(hi, gi)));
    if (h != 0) v128.store(h + o, hi);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    let vi = ALPHA * load<f32>(v + o) + (1 - ALPHA) * gi * gi;
    if (vi < FLT_MIN32) vi = 0;
    store<f32>(v + o, vi);
    const hi: f32 = lr / (Mathf.sqrt(vi) + EPS);
    store<f32>(p + o, load<f32>(p + o) - hi * gi);
    if (h != 0) store<f32>(h + o, hi);
  }
}

/** SGD: p -= lr g. */
export function sgdStep(p: usize, g: usize, n: i32, lr: f32): void {
  const lrv = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(lrv, v128.load(g + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(p + o, load<f32>(p + o) - lr * load<f32>(g + o));
  }
}

// ---- proximal operators (float64 arithmetic, results stored as float32) ----

const NEWTON_MAX_ITER = 60;
const FLT_MIN: f64 = 1.1754943508222875e-38;

/** x <- sign(x) max(0, |x| - t_k), t_k = lambda h_k (h != 0) or t (h == 0), for n floats. */
function softThreshold(x: usize, n: i32, lambda: f64, h: usize, t: f64): void {
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    const v = <f64>load<f32>(x + o);
    const tk = h != 0 ? lambda * <f64>load<f32>(h + o) : t;
    const a = Math.abs(v) - tk;
    store<f32>(x + o, a > 0 ? <f32>(v > 0 ? a : -a) : 0);
  }
}

/** Group soft-threshold with a scalar threshold t: x *= max(0, 1 - t/||x||). */
function groupShrinkUniform(x: usize, n: i32, t: f64): void {
  let s: f64 = 0;
  for (let k = 0; k < n; k++) {
    const v = <f64>load<f32>(x + (<usize>k << 2));
    s += v * v;
  }
  const norm = Math.sqrt(s);
  if (norm <= t) {
    memory.fill(x, 0, <usize>n << 2);
    return;
  }
  const f = 1 - t / norm;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    const y = <f64>load<f32>(x + o) * f;
    store<f32>(x + o, Math.abs(y) < FLT_MIN ? 0 : <f32>y);
  }
}

/** Relative tolerance of the SIMD Newton iteration: its sums carry float32 terms, so r is
 * resolved to about 1e-7 and asking for more would only spin. */
const NEWTON_RTOL_SIMD: f64 = 1e-6;

@inline function sum2(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** f64x2 accumulator += the four float32 lanes of v (as two float64 pairs). */
@inline function acc4(a: v128, v: v128): v128 {
  return f64x2.add(f64x2.add(a, f64x2.promote_low_f32x4(v)), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

/**
 * Exact prox of tau ||x||_2 in the metric sum (x_k - v_k)^2 / (2 h_k); the algorithm of
 * groupShrinkDiag in src/penalty/prox.ts (zero iff ||v/h|| <= tau; else x_k = v_k r/(r + tau h_k)
 * with r the root of sum v_k^2/(r + tau h_k)^2 = 1 by safeguarded Newton), with the per-element
 * terms in float32 four lanes at a time and the sums in float64.
 */
function groupShrinkDiag(x: usize, n: i32, tau: f64, h: usize): void {
  const tauv = f32x4.splat(<f32>tau);
  let asc = f64x2.splat(0); // ||v/h||^2
  let asv = f64x2.splat(0); // ||v||^2
  let asvd = f64x2.splat(0); // sum v^2 d
  let vmin = f32x4.splat(Infinity);
  let vmax = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    const v = v128.load(x + o);
    const hk = v128.load(h + o);
    const cv = f32x4.div(v, hk);
    const vv = f32x4.mul(v, v);
    const d = f32x4.mul(tauv, hk);
    asc = acc4(asc, f32x4.mul(cv, cv));
    asv = acc4(asv, vv);
    asvd = acc4(asvd, f32x4.mul(vv, d));
    vmin = f32x4.min(vmin, d);
    vmax = f32x4.max(vmax, d);
  }
  let sc = sum2(asc);
  let sv = sum2(asv);
  let svd = sum2(asvd);
  let dmin: f64 = min(min(f32x4.extract_lane(vmin, 0), f32x4.extract_lane(vmin, 1)), min(f32x4.extract_lane(vmin, 2), f32x4.extract_lane(vmin, 3)));
  let dmax: f64 = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  const tail = k;
  for (; k < n; k++) {
    const o = <usize>k << 2;
    const v = <f64>load<f32>(x + o);
    const hk = <f64>load<f32>(h + o);
    const cv = v / hk;
    sc += cv * cv;
    sv += v * v;
    const d = tau * hk;
    svd += v * v * d;
    if (d < dmin) dmin = d;
    if (d > dmax) dmax = d;
  }
  if (Math.sqrt(sc) <= tau) {
    memory.fill(x, 0, <usize>n << 2);
    return;
  }
  const nv = Math.sqrt(sv);
  const lo = nv - dmax > 0 ? nv - dmax : 0;
  const hi = nv - dmin;
  let r = nv - svd / sv;
  if (r < lo) r = lo;
  if (r > hi) r = hi;
  for (let it = 0; it < NEWTON_MAX_ITER; it++) {
    const rv = f32x4.splat(<f32>r);
    let af = f64x2.splat(0);
    let af3 = f64x2.splat(0);
    for (let j = 0; j < tail; j += 4) {
      const o = <usize>j << 2;
      const v = v128.load(x + o);
      const q = f32x4.div(f32x4.splat(1), f32x4.add(rv, f32x4.mul(tauv, v128.load(h + o))));
      const vq = f32x4.mul(v, q);
      const t = f32x4.mul(vq, vq);
      af = acc4(af, t);
      af3 = acc4(af3, f32x4.mul(t, q));
    }
    let f = sum2(af);
    let f3 = sum2(af3);
    for (let j = tail; j < n; j++) {
      const o = <usize>j << 2;
      const v = <f64>load<f32>(x + o);
      const q = 1 / (r + tau * <f64>load<f32>(h + o));
      const t = v * v * q * q;
      f += t;
      f3 += t * q;
    }
    const step = f3 > 0 ? ((Math.sqrt(f) - 1) * f) / f3 : 0;
    let next = r + step;
    if (next > hi) next = hi;
    if (next < lo) next = lo;
    const done = Math.abs(next - r) <= NEWTON_RTOL_SIMD * next;
    r = next;
    if (done) break;
  }
  const rv = f32x4.splat(<f32>r);
  const tiny = f32x4.splat(<f32>FLT_MIN);
  for (let j = 0; j < tail; j += 4) {
    const o = <usize>j << 2;
    const y = f32x4.div(f32x4.mul(v128.load(x + o), rv), f32x4.add(rv, f32x4.mul(tauv, v128.load(h + o))));
    v128.store(x + o, v128.andnot(y, f32x4.lt(f32x4.abs(y), tiny)));
  }
  for (let j = tail; j < n; j++) {
    const o = <usize>j << 2;
    const y = (<f64>load<f32>(x + o) * r) / (r + tau * <f64>load<f32>(h + o));
    store<f32>(x + o, Math.abs(y) < FLT_MIN ? 0 : <f32>y);
  }
}

/**
 * Prox of lambda * R on one layer's penalty parts in place, as the penalty table's prox
 * (src/penalty/table.ts, whose wasmKernel field gives `kind`): nW grouped weights at W, nb
 * singleton elements at b, with hW/hb per-coordinate steps laid out like them, or (hW == 0) the
 * scalar step hs. `kind` is a set of parts: bit 1 the elementwise l1 part (l1 = 1), bit 2 the
 * group part (gl = 2); sgl = 3 takes both, the l1 part first; each part soft-thresholds the bias
 * once. The groups are a view (src/network/layers/group-view.ts): group g holds, for k < blocks,
 * the blockLen floats at offset + g*groupStride + k*blockStride. A contiguous group is shrunk in
 * place; a strided one is gathered into `scratch` (2 * blocks * blockLen floats), shrunk and
 * scattered back.
 */
export function proxGroups(
  W: usize,
  nW: i32,
  b: usize,
  nb: i32,
  offset: i32,
  count: i32,
  groupStride: i32,
  blocks: i32,
  blockStride: i32,
  blockLen: i32,
  kind: i32,
  lambda: f64,
  hW: usize,
  hb: usize,
  hs: f64,
  scratch: usize,
): void {
  const l1 = (kind & 1) != 0;
  const gl = (kind & 2) != 0;
  const biasLambda = l1 && gl ? 2 * lambda : lambda;
  softThreshold(b, nb, biasLambda, hb, biasLambda * hs);
  if (l1) softThreshold(W, nW, lambda, hW, lambda * hs);
  if (!gl) return;
  const size = blocks * blockLen;
  const tau = lambda * Math.sqrt(<f64>size);
  const contiguous = blocks == 1 || blockStride == blockLen;
  const blockBytes = <usize>blockLen << 2;
  for (let g = 0; g < count; g++) {
    const start = <usize>(offset + g * groupStride) << 2;
    if (contiguous) {
      if (hW != 0) groupShrinkDiag(W + start, size, tau, hW + start);
      else groupShrinkUniform(W + start, size, tau * hs);
      continue;
    }
    const sx = scratch;
    const sh = scratch + (<usize>size << 2);
    for (let k = 0; k < blocks; k++) {
      const o = start + (<usize>(k * blockStride) << 2);
      memory.copy(sx + <usize>k * blockBytes, W + o, blockBytes);
      if (hW != 0) memory.copy(sh + <usize>k * blockBytes, hW + o, blockBytes);
    }
    if (hW != 0) groupShrinkDiag(sx, size, tau, sh);
    else groupShrinkUniform(sx, size, tau * hs);
    for (let k = 0; k < blocks; k++) memory.copy(W + start + (<usize>(k * blockStride) << 2), sx + <usize>k * blockBytes, blockBytes);
  }
}

/** Prox of a dense layer (kernel [inS, outS] row-major: its rows are the groups; outS biases). */
export function proxLayer(W: usize, b: usize, inS: i32, outS: i32, kind: i32, lambda: f64, hW: usize, hb: usize, hs: f64): void {
  proxGroups(W, inS * outS, b, outS, 0, inS, outS, 1, 0, outS, kind, lambda, hW, hb, hs, 0);
}
