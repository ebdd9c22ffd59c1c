/**
 * The budget trainer's unit statistics on the fused engine's kernels: per unit of every level
 * (level 0 = the network's inputs, level h = the output of hidden layer h) the sums of its
 * output and of its square over the rows (accumulateMoments), and the sum over the rows of
 * ((a - mean) * dLoss/da)^2 (accumulateTaylor), with dLoss/da the gradient of that row's own
 * loss (softmax cross-entropy with the hard label, or squared error when regression targets are
 * set) with respect to the unit's output. The forward pass is the engine's; dLoss/da of a level
 * is a weighted sum of the rows of the next layer's transposed kernel (the forward kernel, over
 * the nonzero deltas only). Sums are float64, the passes float32.
 *
 * Accumulators (float64) per level h of width w, levels one after another from `acc`:
 * sum[w], sq[w], mean[w] (written by the caller between the two passes), taylor[w].
 * Transposed kernels (float32, [outS, inS] each) one after another from `wT`; `t` is float32
 * scratch of [batch, widest level].
 */

import { ACT_RELU, actDerivative, combineRows, forward, softmaxCrossEntropy, tab } from './pass';
import { meanSquaredError, regressing } from './regression';

/** Row r of level h: a data row picked through idx for h = 0, else the output of layer h - 1. */
@inline function levelRow(table: usize, h: i32, x: usize, cols: i32, idx: usize, r: i32): usize {
  if (h == 0) return x + <usize>load<i32>(idx + (<usize>r << 2)) * (<usize>cols << 2);
  return <usize>tab(table, h - 1, 6) + <usize>r * (<usize>tab(table, h, 0) << 2);
}

/**
 * t[g, 0..inS) = sum over j of delta[g, j] * WT[j, 0..inS) for the four rows g = 0..3 of delta
 * [4, outS] and t [4, inS], over the j where any of the four deltas is nonzero (nzOff holds their
 * byte offsets into WT, nzVal their four deltas, 16 bytes each). Each lane adds the same terms in
 * the same order as combineRows does row by row: a row's zero delta adds 0 * w, which leaves a sum
 * unchanged (sums start at +0 and never become -0), so the results are the same bit for bit.
 */
function transposedRows4(delta: usize, outS: i32, WT: usize, inS: i32, t: usize, nzOff: usize, nzVal: usize): void {
  const outBytes = <usize>outS << 2;
  const inBytes = <usize>inS << 2;
  let m = 0;
  for (let j = 0; j < outS; j++) {
    const jb = <usize>j << 2;
    const v0 = load<f32>(delta + jb);
    const v1 = load<f32>(delta + outBytes + jb);
    const v2 = load<f32>(delta + 2 * outBytes + jb);
    const v3 = load<f32>(delta + 3 * outBytes + jb);
    if (v0 != 0 || v1 != 0 || v2 != 0 || v3 != 0) {
      store<usize>(nzOff + (<usize>m << 2), <usize>j * inBytes);
      const p = nzVal + (<usize>m << 4);
      store<f32>(p, v0);
      store<f32>(p, v1, 4);
      store<f32>(p, v2, 8);
      store<f32>(p, v3, 12);
      m++;
    }
  }
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= inS; i += 8) {
    const ib = <usize>i << 2;
    let a0 = zero, b0 = zero, a1 = zero, b1 = zero, a2 = zero, b2 = zero, a3 = zero, b3 = zero;
    for (let q = 0; q < m; q++) {
      const w = WT + load<usize>(nzOff + (<usize>q << 2)) + ib;
      const wa = v128.load(w);
      const wb = v128.load(w, 16);
      const p = nzVal + (<usize>q << 4);
      const d0 = f32x4.splat(load<f32>(p));
      const d1 = f32x4.splat(load<f32>(p, 4));
      const d2 = f32x4.splat(load<f32>(p, 8));
      const d3 = f32x4.splat(load<f32>(p, 12));
      a0 = f32x4.add(a0, f32x4.mul(d0, wa));
      b0 = f32x4.add(b0, f32x4.mul(d0, wb));
      a1 = f32x4.add(a1, f32x4.mul(d1, wa));
      b1 = f32x4.add(b1, f32x4.mul(d1, wb));
      a2 = f32x4.add(a2, f32x4.mul(d2, wa));
      b2 = f32x4.add(b2, f32x4.mul(d2, wb));
      a3 = f32x4.add(a3, f32x4.mul(d3, wa));
      b3 = f32x4.add(b3, f32x4.mul(d3, wb));
    }
    v128.store(t + ib, a0);
    v128.store(t + ib, b0, 16);
    v128.store(t + inBytes + ib, a1);
    v128.store(t + inBytes + ib, b1, 16);
    v128.store(t + 2 * inBytes + ib, a2);
    v128.store(t + 2 * inBytes + ib, b2, 16);
    v128.store(t + 3 * inBytes + ib, a3);
    v128.store(t + 3 * inBytes + ib, b3, 16);
  }
  for (; i + 4 <= inS; i += 4) {
    const ib = <usize>i << 2;
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (let q = 0; q < m; q++) {
      const wa = v128.load(WT + load<usize>(nzOff + (<usize>q << 2)) + ib);
      const p = nzVal + (<usize>q << 4);
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(p)), wa));
      a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(p, 4)), wa));
      a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(p, 8)), wa));
      a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(p, 12)), wa));
    }
    v128.store(t + ib, a0);
    v128.store(t + inBytes + ib, a1);
    v128.store(t + 2 * inBytes + ib, a2);
    v128.store(t + 3 * inBytes + ib, a3);
  }
  for (; i < inS; i++) {
    const ib = <usize>i << 2;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let q = 0; q < m; q++) {
      const w = load<f32>(WT + load<usize>(nzOff + (<usize>q << 2)) + ib);
      const p = nzVal + (<usize>q << 4);
      s0 += load<f32>(p) * w;
      s1 += load<f32>(p, 4) * w;
      s2 += load<f32>(p, 8) * w;
      s3 += load<f32>(p, 12) * w;
    }
    store<f32>(t + ib, s0);
    store<f32>(t + inBytes + ib, s1);
    store<f32>(t + 2 * inBytes + ib, s2);
    store<f32>(t + 3 * inBytes + ib, s3);
  }
}

/** Adds each unit's output and squared output over rows idx[0..n) to sum and sq of levels 0..L-1. */
export function accumulateMoments(table: usize, L: i32, x: usize, cols: i32, idx: usize, n: i32, nzOff: usize, nzVal: usize, acc: usize): void {
  forward(table, L, x, cols, idx, n, nzOff, nzVal);
  let base = acc;
  for (let h = 0; h < L; h++) {
    const w = tab(table, h, 0);
    const sq = base + (<usize>w << 3);
    for (let r = 0; r < n; r++) {
      const row = levelRow(table, h, x, cols, idx, r);
      for (let i = 0; i < w; i++) {
        const a = <f64>load<f32>(row + (<usize>i << 2));
        if (a == 0) continue;
        const o = <usize>i << 3;
        store<f64>(base + o, load<f64>(base + o) + a);
        store<f64>(sq + o, load<f64>(sq + o) + a * a);
      }
    }
    base += <usize>w << 5;
  }
}

/**
 * Adds, per unit of levels 0..L-1, the sum over rows idx[0..n) of ((a - mean) * dLoss/da)^2 to
 * taylor, the means being those in the accumulators. Labels are y[idx[r]] (or the regression targets).
 */
export function accumulateTaylor(
  table: usize, L: i32, x: usize, cols: i32, y: usize, idx: usize, n: i32, nzOff: usize, nzVal: usize,
  acc: usize, wT: usize, t: usize,
): void {
  forward(table, L, x, cols, idx, n, nzOff, nzVal);
  const last = L - 1;
  const out = <usize>tab(table, last, 6);
  const C = tab(table, last, 1);
  // the losses write the gradient of the batch mean: 1/n of each row's own
  if (regressing()) meanSquaredError(out, idx, n, C);
  else softmaxCrossEntropy(out, y, idx, n, C);
  const scale = <f64>n;
  let units = 0;
  let weights = 0;
  for (let k = 0; k < L; k++) {
    units += tab(table, k, 0);
    weights += tab(table, k, 0) * tab(table, k, 1);
  }
  let delta = out;
  for (let k = last; k >= 0; k--) {
    const inS = tab(table, k, 0);
    const outS = tab(table, k, 1);
    units -= inS;
    weights -= inS * outS;
    const base = acc + (<usize>units << 5);
    const mean = base + (<usize>inS << 4);
    const tay = base + (<usize>inS << 4) + (<usize>inS << 3);
    const WT = wT + (<usize>weights << 2);
    const inBytes = <usize>inS << 2;
    const outBytes = <usize>outS << 2;
    // dLoss/da of each row: the transposed kernel's rows weighted by the row's nonzero deltas; four
    // rows at a time share each load of the kernel (the same sums, term by term, as row by row)
    let r = 0;
    for (; r + 4 <= n; r += 4) transposedRows4(delta + <usize>r * outBytes, outS, WT, inS, t + <usize>r * inBytes, nzOff, nzVal);
    for (; r < n; r++) {
      const d = delta + <usize>r * outBytes;
      let m = 0;
      for (let j = 0; j < outS; j++) {
        const v = load<f32>(d + (<usize>j << 2));
        if (v != 0) {
          store<usize>(nzOff + (<usize>m << 2), <usize>j * inBytes);
          store<f32>(nzVal + (<usize>m << 2), v);
          m++;
        }
      }
      combineRows(nzOff, nzVal, m, WT, inS, 0, t + <usize>r * inBytes, false);
    }
    for (let r = 0; r < n; r++) {
      const tr = t + <usize>r * inBytes;
      const ar = levelRow(table, k, x, cols, idx, r);
      for (let i = 0; i < inS; i++) {
        const ib = <usize>i << 2;
        const e = (<f64>load<f32>(ar + ib) - load<f64>(mean + (<usize>i << 3))) * <f64>load<f32>(tr + ib) * scale;
        const o = tay + (<usize>i << 3);
        store<f64>(o, load<f64>(o) + e * e);
      }
    }
    if (k == 0) break;
    // the delta of layer k - 1: dLoss/da through its activation
    const prevDelta = <usize>tab(table, k - 1, 7);
    const id = tab(table, k - 1, 8);
    const act = <usize>tab(table, k - 1, 6);
    const pre = <usize>tab(table, k - 1, 10);
    const alpha = <f64>reinterpret<f32>(tab(table, k - 1, 9));
    const count = n * inS;
    for (let q = 0; q < count; q++) {
      const p = <usize>q << 2;
      const tv = load<f32>(t + p);
      if (id == ACT_RELU) store<f32>(prevDelta + p, load<f32>(act + p) != 0 ? tv : 0);
      else store<f32>(prevDelta + p, <f32>(<f64>tv * actDerivative(id, alpha, <f64>load<f32>(pre + p))));
    }
    delta = prevDelta;
  }
}
