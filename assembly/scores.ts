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
    for (let r = 0; r < n; r++) {
      // dLoss/da of the row: the transposed kernel's rows weighted by the row's nonzero deltas
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
      const tr = t + <usize>r * inBytes;
      combineRows(nzOff, nzVal, m, WT, inS, 0, tr, false);
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
