/**
 * WebAssembly SIMD kernels of the fused training engine (compiled by AssemblyScript to
 * build/kernels.wasm; loaded by src/train/fused/wasm-pass.ts). One call runs a minibatch's forward
 * pass, softmax cross-entropy and backward pass through the whole network in float32, four
 * lanes at a time, skipping exact zeros (ReLU outputs, image pixels, pruned inputs).
 *
 * Memory is laid out by the JavaScript side; every pointer here is a byte offset into it.
 * The layer table holds 12 i32 per layer:
 *   inS, outS, W (kernel [inS, outS] row-major), b (bias), gW, gb, act ([batch, outS]), delta,
 *   activation kernel id (ACT_* below; hidden layers only), alpha (f32 bits), pre ([batch, outS]
 *   pre-activations, 0 for relu), the layer's kind (KIND_* below: the fused layer-type table of
 *   src/train/fused/layout.ts; dense is the only kind these kernels run, any other stops the call).
 */

import { distillCrossEntropy, distilling } from './distill';
import { meanSquaredError, regressing } from './regression';

const ENTRY: usize = 48;

// Layer kinds: the kernelId of src/train/fused/layout.ts's fused layer types.
export const KIND_DENSE: i32 = 0;

// Activation kernel ids: the kernelId column of src/network/activations.ts.
export const ACT_RELU: i32 = 0;
const ACT_LEAKY: i32 = 1;
const ACT_TANH: i32 = 2;
const ACT_SIGMOID: i32 = 3;
const ACT_GELU: i32 = 4;
const ACT_IDENTITY: i32 = 5;
const ACT_RELU6: i32 = 6;
const ACT_SILU: i32 = 7;

/**
 * Probabilities below this are written as 0. WebAssembly cannot set flush-to-zero, and float32
 * arithmetic on denormals costs x86 cores about a hundred times the normal time; the tiny
 * probabilities of confident predictions would otherwise reach the backward pass's products as
 * denormals more and more as training goes on. Terms this small are far below the float32
 * resolution of any gradient they are added to.
 */
const TINY: f64 = 1e-30;

@inline export function tab(table: usize, k: i32, field: i32): i32 {
  return load<i32>(table + <usize>k * ENTRY + (<usize>field << 2));
}

/**
 * o[0..outS) = (b ? b[0..outS) : 0) + sum over q < m of nzVal[q] * M[nzOff[q] + 0..outS) (byte
 * offsets), then ReLU if asked: a weighted sum of rows of M, the inner loop of both the forward
 * pass (rows of W weighted by an input row's nonzeros) and the kernel gradient (rows of delta
 * weighted by one input unit's nonzeros across the batch). Blocks of 16 and 4 lanes, then scalars.
 */
@inline export function combineRows(nzOff: usize, nzVal: usize, m: i32, M: usize, outS: i32, b: usize, o: usize, relu: bool): void {
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 16 <= outS; j += 16) {
    const jb = <usize>j << 2;
    let s0 = b != 0 ? v128.load(b + jb) : zero;
    let s1 = b != 0 ? v128.load(b + jb, 16) : zero;
    let s2 = b != 0 ? v128.load(b + jb, 32) : zero;
    let s3 = b != 0 ? v128.load(b + jb, 48) : zero;
    for (let q = 0; q < m; q++) {
      const av = f32x4.splat(load<f32>(nzVal + (<usize>q << 2)));
      const w = M + load<usize>(nzOff + (<usize>q << 2)) + jb;
      s0 = f32x4.add(s0, f32x4.mul(av, v128.load(w)));
      s1 = f32x4.add(s1, f32x4.mul(av, v128.load(w, 16)));
      s2 = f32x4.add(s2, f32x4.mul(av, v128.load(w, 32)));
      s3 = f32x4.add(s3, f32x4.mul(av, v128.load(w, 48)));
    }
    if (relu) {
      s0 = f32x4.max(s0, zero);
      s1 = f32x4.max(s1, zero);
      s2 = f32x4.max(s2, zero);
      s3 = f32x4.max(s3, zero);
    }
    v128.store(o + jb, s0);
    v128.store(o + jb, s1, 16);
    v128.store(o + jb, s2, 32);
    v128.store(o + jb, s3, 48);
  }
  for (; j + 4 <= outS; j += 4) {
    const jb = <usize>j << 2;
    let s = b != 0 ? v128.load(b + jb) : zero;
    for (let q = 0; q < m; q++) {
      const av = f32x4.splat(load<f32>(nzVal + (<usize>q << 2)));
      s = f32x4.add(s, f32x4.mul(av, v128.load(M + load<usize>(nzOff + (<usize>q << 2)) + jb)));
    }
    if (relu) s = f32x4.max(s, zero);
    v128.store(o + jb, s);
  }
  for (; j < outS; j++) {
    const jb = <usize>j << 2;
    let s: f32 = b != 0 ? load<f32>(b + jb) : 0;
    for (let q = 0; q < m; q++) s += load<f32>(nzVal + (<usize>q << 2)) * load<f32>(M + load<usize>(nzOff + (<usize>q << 2)) + jb);
    store<f32>(o + jb, relu && !(s > 0) ? 0 : s);
  }
}

/**
 * out[r, :] = b + sum over nonzero inputs a_i of a_i * W[i, :] (ReLU if relu != 0) for n rows.
 * Row r of the input starts at inPtr + r * inStride, or, when idx != 0, at
 * inPtr + load<i32>(idx + 4r) * inStride (rows picked from the data set).
 */
function forwardLayer(
  inPtr: usize, inStride: usize, idx: usize, n: i32, inS: i32,
  W: usize, b: usize, outS: i32, out: usize, relu: bool, nzOff: usize, nzVal: usize,
): void {
  const rowBytes = <usize>outS << 2;
  for (let r = 0; r < n; r++) {
    const src = inPtr + (idx != 0 ? <usize>load<i32>(idx + (<usize>r << 2)) : <usize>r) * inStride;
    let m = 0;
    for (let i = 0; i < inS; i++) {
      const a = load<f32>(src + (<usize>i << 2));
      if (a != 0) {
        store<usize>(nzOff + (<usize>m << 2), <usize>i * rowBytes);
        store<f32>(nzVal + (<usize>m << 2), a);
        m++;
      }
    }
    combineRows(nzOff, nzVal, m, W, outS, b, out + <usize>r * rowBytes, relu);
  }
}

/**
 * Softmax cross-entropy of the logits z [n, C] in place: z becomes (softmax - onehot) / n,
 * the gradient of the batch mean loss. Labels are y[idx[r]]. Returns the mean loss (float64).
 */
export function softmaxCrossEntropy(z: usize, y: usize, idx: usize, n: i32, C: i32): f64 {
  let total: f64 = 0;
  const inv: f64 = 1.0 / <f64>n;
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < n; r++) {
    const o = z + <usize>r * rowBytes;
    let mx = load<f32>(o);
    for (let j = 1; j < C; j++) mx = max(mx, load<f32>(o + (<usize>j << 2)));
    let s: f64 = 0;
    for (let j = 0; j < C; j++) s += Math.exp(<f64>(load<f32>(o + (<usize>j << 2)) - mx));
    const label = load<i32>(y + (<usize>load<i32>(idx + (<usize>r << 2)) << 2));
    const zl = <f64>(load<f32>(o + (<usize>label << 2)) - mx);
    total += Math.log(s) - zl;
    const k = inv / s;
    for (let j = 0; j < C; j++) {
      const p = o + (<usize>j << 2);
      const prob = Math.exp(<f64>(load<f32>(p) - mx)) * k;
      store<f32>(p, prob < TINY ? 0 : <f32>prob);
    }
    const pl = o + (<usize>label << 2);
    store<f32>(pl, <f32>(<f64>load<f32>(pl) - inv));
  }
  return total * inv;
}

/** gb[j] = sum over the n rows of delta[r, j]. */
function biasGradient(delta: usize, n: i32, outS: i32, gb: usize): void {
  const rowBytes = <usize>outS << 2;
  let j = 0;
  for (; j + 4 <= outS; j += 4) {
    const jb = <usize>j << 2;
    let s = f32x4.splat(0);
    for (let r = 0; r < n; r++) s = f32x4.add(s, v128.load(delta + <usize>r * rowBytes + jb));
    v128.store(gb + jb, s);
  }
  for (; j < outS; j++) {
    const jb = <usize>j << 2;
    let s: f32 = 0;
    for (let r = 0; r < n; r++) s += load<f32>(delta + <usize>r * rowBytes + jb);
    store<f32>(gb + jb, s);
  }
}

/**
 * gW[i, :] = sum over the n rows of in[r, i] * delta[r, :], rows with in[r, i] == 0 skipped.
 * Input rows are found as in forwardLayer.
 */
function kernelGradient(
  inPtr: usize, inStride: usize, idx: usize, n: i32, inS: i32,
  delta: usize, outS: i32, gW: usize, nzOff: usize, nzVal: usize,
): void {
  const rowBytes = <usize>outS << 2;
  for (let i = 0; i < inS; i++) {
    const ib = <usize>i << 2;
    let m = 0;
    for (let r = 0; r < n; r++) {
      const src = inPtr + (idx != 0 ? <usize>load<i32>(idx + (<usize>r << 2)) : <usize>r) * inStride;
      const a = load<f32>(src + ib);
      if (a != 0) {
        store<usize>(nzOff + (<usize>m << 2), <usize>r * rowBytes);
        store<f32>(nzVal + (<usize>m << 2), a);
        m++;
      }
    }
    combineRows(nzOff, nzVal, m, delta, outS, 0, gW + <usize>i * rowBytes, false);
  }
}

/** dPrev[r, i] = (inp[r, i] != 0) * (W[i, :] . delta[r, :]): back through a kernel and a ReLU. */
function backpropDelta(inp: usize, n: i32, inS: i32, W: usize, outS: i32, delta: usize, dPrev: usize): void {
  const rowBytes = <usize>outS << 2;
  const inBytes = <usize>inS << 2;
  for (let r = 0; r < n; r++) {
    const d = delta + <usize>r * rowBytes;
    const io = <usize>r * inBytes;
    for (let i = 0; i < inS; i++) {
      const ib = io + (<usize>i << 2);
      if (load<f32>(inp + ib) == 0) {
        store<f32>(dPrev + ib, 0);
        continue;
      }
      const w = W + <usize>i * rowBytes;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let j = 0;
      for (; j + 8 <= outS; j += 8) {
        const jb = <usize>j << 2;
        s0 = f32x4.add(s0, f32x4.mul(v128.load(w + jb), v128.load(d + jb)));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(w + jb, 16), v128.load(d + jb, 16)));
      }
      for (; j + 4 <= outS; j += 4) {
        const jb = <usize>j << 2;
        s0 = f32x4.add(s0, f32x4.mul(v128.load(w + jb), v128.load(d + jb)));
      }
      const v = f32x4.add(s0, s1);
      let s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
      for (; j < outS; j++) s += load<f32>(w + (<usize>j << 2)) * load<f32>(d + (<usize>j << 2));
      store<f32>(dPrev + ib, s);
    }
  }
}


/** erf in float64: Maclaurin series below 2.5, continued fraction for erfc above (as activations.ts). */
function erf64(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / <f64>n;
      const add = term / <f64>(2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2.0 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1.0 : 1.0;
  const tiny: f64 = 1e-300;
  let f = ax;
  let C = ax;
  let D: f64 = 0;
  for (let n = 1; n < 200; n++) {
    const a = <f64>n / 2.0;
    D = ax + a * D;
    D = D == 0 ? tiny : 1.0 / D;
    C = ax + a / C;
    if (C == 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1.0) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1.0 : 1.0 - erfc;
}

function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

function actForward(id: i32, alpha: f64, x: f64): f64 {
  if (id == ACT_LEAKY) return x < 0 ? alpha * x : x;
  if (id == ACT_TANH) return Math.tanh(x);
  if (id == ACT_SIGMOID) return sigmoid64(x);
  if (id == ACT_GELU) return 0.5 * x * (1.0 + erf64(x * Math.SQRT1_2));
  if (id == ACT_RELU) return x > 0 ? x : 0;
  if (id == ACT_RELU6) return x < 0 ? 0 : x > 6 ? 6.0 : x;
  if (id == ACT_SILU) return x * sigmoid64(x);
  return x;
}

export function actDerivative(id: i32, alpha: f64, x: f64): f64 {
  if (id == ACT_LEAKY) return x > 0 ? 1.0 : alpha;
  if (id == ACT_TANH) {
    const t = Math.tanh(x);
    return 1.0 - t * t;
  }
  if (id == ACT_SIGMOID) {
    const s = sigmoid64(x);
    return s * (1.0 - s);
  }
  if (id == ACT_GELU) return 0.5 * (1.0 + erf64(x * Math.SQRT1_2)) + x * (1.0 / Math.sqrt(2.0 * Math.PI)) * Math.exp(-0.5 * x * x);
  if (id == ACT_RELU) return x > 0 ? 1.0 : 0;
  if (id == ACT_RELU6) return x > 0 && x < 6 ? 1.0 : 0;
  if (id == ACT_SILU) {
    const s = sigmoid64(x);
    return s * (1.0 + x * (1.0 - s));
  }
  return 1.0;
}

/** pre[0..count) = out[0..count); out = act(pre): a hidden layer's activation other than ReLU. */
function activateLayer(id: i32, alpha: f32, out: usize, pre: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const p = <usize>i << 2;
    const x = load<f32>(out + p);
    store<f32>(pre + p, x);
    if (id != ACT_IDENTITY) store<f32>(out + p, <f32>actForward(id, <f64>alpha, <f64>x));
  }
}

/** dPrev[r, i] = act'(pre[r, i]) * (W[i, :] . delta[r, :]) for every unit: back through a kernel and a
 * non-ReLU activation. */
function backpropDeltaAct(id: i32, alpha: f32, pre: usize, n: i32, inS: i32, W: usize, outS: i32, delta: usize, dPrev: usize): void {
  const rowBytes = <usize>outS << 2;
  const inBytes = <usize>inS << 2;
  for (let r = 0; r < n; r++) {
    const d = delta + <usize>r * rowBytes;
    const io = <usize>r * inBytes;
    for (let i = 0; i < inS; i++) {
      const ib = io + (<usize>i << 2);
      const w = W + <usize>i * rowBytes;
      let s0 = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= outS; j += 4) {
        const jb = <usize>j << 2;
        s0 = f32x4.add(s0, f32x4.mul(v128.load(w + jb), v128.load(d + jb)));
      }
      let s = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3);
      for (; j < outS; j++) s += load<f32>(w + (<usize>j << 2)) * load<f32>(d + (<usize>j << 2));
      store<f32>(dPrev + ib, <f32>(<f64>s * actDerivative(id, <f64>alpha, <f64>load<f32>(pre + ib))));
    }
  }
}

/**
 * One minibatch: rows idx[0..n) of the data x [rows, cols] with labels y, through the L layers
 * of the table. Writes (not accumulates) the gradient of the batch mean loss (cross-entropy, its
 * distillation form, or mean squared error when regression targets are set) into each layer's gW
 * and gb and returns that mean loss.
 */
export function runBatch(table: usize, L: i32, x: usize, cols: i32, y: usize, idx: usize, n: i32, nzOff: usize, nzVal: usize): f64 {
  forward(table, L, x, cols, idx, n, nzOff, nzVal);
  const last = L - 1;
  const out = <usize>tab(table, last, 6);
  const C = tab(table, last, 1);
  const loss = regressing() ? meanSquaredError(out, idx, n, C) : distilling() ? distillCrossEntropy(out, y, idx, n, C) : softmaxCrossEntropy(out, y, idx, n, C);
  // the output layer's delta is the transformed logits buffer itself
  let delta = <usize>tab(table, last, 6);
  for (let k = last; k >= 0; k--) {
    const inS = tab(table, k, 0);
    const outS = tab(table, k, 1);
    biasGradient(delta, n, outS, <usize>tab(table, k, 5));
    if (k == 0) {
      kernelGradient(x, <usize>cols << 2, idx, n, inS, delta, outS, <usize>tab(table, k, 4), nzOff, nzVal);
    } else {
      const prevAct = <usize>tab(table, k - 1, 6);
      kernelGradient(prevAct, <usize>inS << 2, 0, n, inS, delta, outS, <usize>tab(table, k, 4), nzOff, nzVal);
      const prevDelta = <usize>tab(table, k - 1, 7);
      const prevId = tab(table, k - 1, 8);
      if (prevId == ACT_RELU) backpropDelta(prevAct, n, inS, <usize>tab(table, k, 2), outS, delta, prevDelta);
      else backpropDeltaAct(prevId, reinterpret<f32>(tab(table, k - 1, 9)), <usize>tab(table, k - 1, 10), n, inS, <usize>tab(table, k, 2), outS, delta, prevDelta);
      delta = prevDelta;
    }
  }
  return loss;
}

/** Stops the call (a trap) unless every layer of the table is of a kind these kernels run. */
export function checkKinds(table: usize, L: i32): void {
  for (let k = 0; k < L; k++) if (tab(table, k, 11) != KIND_DENSE) unreachable();
}

/** Forward pass only, for rows idx[0..n) of x; leaves the logits in the last layer's act buffer. */
export function forward(table: usize, L: i32, x: usize, cols: i32, idx: usize, n: i32, nzOff: usize, nzVal: usize): void {
  checkKinds(table, L);
  for (let k = 0; k < L; k++) {
    const inS = tab(table, k, 0);
    const outS = tab(table, k, 1);
    const inPtr = k == 0 ? x : <usize>tab(table, k - 1, 6);
    const stride = k == 0 ? <usize>cols << 2 : <usize>inS << 2;
    const id = tab(table, k, 8);
    const hidden = k < L - 1;
    forwardLayer(inPtr, stride, k == 0 ? idx : 0, n, inS, <usize>tab(table, k, 2), <usize>tab(table, k, 3), outS, <usize>tab(table, k, 6), hidden && id == ACT_RELU, nzOff, nzVal);
    if (hidden && id != ACT_RELU) activateLayer(id, reinterpret<f32>(tab(table, k, 9)), <usize>tab(table, k, 6), <usize>tab(table, k, 10), n * outS);
  }
}
