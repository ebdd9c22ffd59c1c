/**
 * The dense-layer loops of the fused engine, over plain typed arrays with no allocation.
 * Both passes first list the nonzero entries of what they multiply (one input row for the
 * forward pass, one input unit across the batch for the kernel gradient), so exact zeros (ReLU
 * outputs, image pixels, pruned inputs) cost nothing, then accumulate blocks of 8 (then 4, then
 * 1) outputs in local variables: one kernel (or delta) load per multiply-add, one store per result.
 * Kernels are [in, out] row-major. Activations and deltas are Float64Array scratch; weights
 * and gradients are Float32Array.
 */

/** Nonzeros of x[base + i*stride], i < count: offsets i*outS into nzOff[at..], values into nzVal[at..];
 * returns the end of what it wrote. */
export function gatherNonzero32(
  x: Float32Array,
  base: number,
  stride: number,
  count: number,
  outS: number,
  nzOff: Int32Array,
  nzVal: Float64Array,
  at: number,
): number {
  let m = at;
  for (let i = 0; i < count; i++) {
    const a = x[base + i * stride];
    if (a === 0) continue;
    nzOff[m] = i * outS;
    nzVal[m++] = a;
  }
  return m;
}

/** As gatherNonzero32 for Float64Array sources. */
export function gatherNonzero64(
  x: Float64Array,
  base: number,
  stride: number,
  count: number,
  outS: number,
  nzOff: Int32Array,
  nzVal: Float64Array,
  at: number,
): number {
  let m = at;
  for (let i = 0; i < count; i++) {
    const a = x[base + i * stride];
    if (a === 0) continue;
    nzOff[m] = i * outS;
    nzVal[m++] = a;
  }
  return m;
}

/**
 * Forward for one row: out[o + j] = b[j] + sum_q nzVal[q] * W[nzOff[q] + j], optionally ReLU,
 * where nzOff/nzVal[from..to) list the row's nonzero inputs i as offsets i*outS.
 */
export function forwardRow(
  nzOff: Int32Array,
  nzVal: Float64Array,
  from: number,
  to: number,
  W: Float32Array,
  b: Float32Array,
  outS: number,
  out: Float64Array,
  o: number,
  relu: boolean,
): void {
  let j = 0;
  for (; j + 8 <= outS; j += 8) {
    let s0 = b[j];
    let s1 = b[j + 1];
    let s2 = b[j + 2];
    let s3 = b[j + 3];
    let s4 = b[j + 4];
    let s5 = b[j + 5];
    let s6 = b[j + 6];
    let s7 = b[j + 7];
    for (let q = from; q < to; q++) {
      const a = nzVal[q];
      const k = nzOff[q] + j;
      s0 += a * W[k];
      s1 += a * W[k + 1];
      s2 += a * W[k + 2];
      s3 += a * W[k + 3];
      s4 += a * W[k + 4];
      s5 += a * W[k + 5];
      s6 += a * W[k + 6];
      s7 += a * W[k + 7];
    }
    if (relu) {
      out[o + j] = s0 > 0 ? s0 : 0;
      out[o + j + 1] = s1 > 0 ? s1 : 0;
      out[o + j + 2] = s2 > 0 ? s2 : 0;
      out[o + j + 3] = s3 > 0 ? s3 : 0;
      out[o + j + 4] = s4 > 0 ? s4 : 0;
      out[o + j + 5] = s5 > 0 ? s5 : 0;
      out[o + j + 6] = s6 > 0 ? s6 : 0;
      out[o + j + 7] = s7 > 0 ? s7 : 0;
    } else {
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
      out[o + j + 4] = s4;
      out[o + j + 5] = s5;
      out[o + j + 6] = s6;
      out[o + j + 7] = s7;
    }
  }
  for (; j + 4 <= outS; j += 4) {
    let s0 = b[j];
    let s1 = b[j + 1];
    let s2 = b[j + 2];
    let s3 = b[j + 3];
    for (let q = from; q < to; q++) {
      const a = nzVal[q];
      const k = nzOff[q] + j;
      s0 += a * W[k];
      s1 += a * W[k + 1];
      s2 += a * W[k + 2];
      s3 += a * W[k + 3];
    }
    if (relu) {
      out[o + j] = s0 > 0 ? s0 : 0;
      out[o + j + 1] = s1 > 0 ? s1 : 0;
      out[o + j + 2] = s2 > 0 ? s2 : 0;
      out[o + j + 3] = s3 > 0 ? s3 : 0;
    } else {
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
    }
  }
  for (; j < outS; j++) {
    let s = b[j];
    for (let q = from; q < to; q++) s += nzVal[q] * W[nzOff[q] + j];
    out[o + j] = relu ? (s > 0 ? s : 0) : s;
  }
}

/**
 * Kernel gradient row of one input unit i: gW[o + j] = sum_q nzVal[q] * delta[nzOff[q] + j],
 * where nzOff/nzVal[from..to) list the batch rows r with a nonzero input i as offsets r*outS.
 */
export function gradientRow(
  nzOff: Int32Array,
  nzVal: Float64Array,
  from: number,
  to: number,
  delta: Float64Array,
  outS: number,
  gW: Float32Array,
  o: number,
): void {
  let j = 0;
  for (; j + 8 <= outS; j += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let q = from; q < to; q++) {
      const a = nzVal[q];
      const k = nzOff[q] + j;
      s0 += a * delta[k];
      s1 += a * delta[k + 1];
      s2 += a * delta[k + 2];
      s3 += a * delta[k + 3];
      s4 += a * delta[k + 4];
      s5 += a * delta[k + 5];
      s6 += a * delta[k + 6];
      s7 += a * delta[k + 7];
    }
    gW[o + j] = s0;
    gW[o + j + 1] = s1;
    gW[o + j + 2] = s2;
    gW[o + j + 3] = s3;
    gW[o + j + 4] = s4;
    gW[o + j + 5] = s5;
    gW[o + j + 6] = s6;
    gW[o + j + 7] = s7;
  }
  for (; j + 4 <= outS; j += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let q = from; q < to; q++) {
      const a = nzVal[q];
      const k = nzOff[q] + j;
      s0 += a * delta[k];
      s1 += a * delta[k + 1];
      s2 += a * delta[k + 2];
      s3 += a * delta[k + 3];
    }
    gW[o + j] = s0;
    gW[o + j + 1] = s1;
    gW[o + j + 2] = s2;
    gW[o + j + 3] = s3;
  }
  for (; j < outS; j++) {
    let s = 0;
    for (let q = from; q < to; q++) s += nzVal[q] * delta[nzOff[q] + j];
    gW[o + j] = s;
  }
}
