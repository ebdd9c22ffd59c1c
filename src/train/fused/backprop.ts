/**
 * The remaining per-batch loops of the fused engine: softmax cross-entropy with its gradient,
 * the bias gradient, and back-propagation of deltas through a kernel and a ReLU. Plain loops
 * over preallocated Float64Array scratch, no allocation.
 */

/**
 * Softmax cross-entropy over logits z [n x C] in place: z becomes dLoss/dz of the batch mean
 * loss, (softmax - onehot) / n. Returns the mean loss over the n rows.
 */
export function softmaxCrossEntropy(z: Float64Array, y: Int32Array, rows: Int32Array, n: number, C: number): number {
  let total = 0;
  const inv = 1 / n;
  for (let r = 0; r < n; r++) {
    const o = r * C;
    let m = z[o];
    for (let j = 1; j < C; j++) if (z[o + j] > m) m = z[o + j];
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(z[o + j] - m);
      z[o + j] = e;
      s += e;
    }
    const label = y[rows[r]];
    total += Math.log(s) - Math.log(z[o + label]);
    const k = inv / s;
    for (let j = 0; j < C; j++) z[o + j] *= k;
    z[o + label] -= inv;
  }
  return total * inv;
}

/** gb[j] = sum over the n rows of delta[r, j]. */
export function biasGradient(delta: Float64Array, n: number, outS: number, gb: Float32Array): void {
  for (let j = 0; j < outS; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += delta[r * outS + j];
    gb[j] = s;
  }
}

/**
 * dPrev[r,i] = relu'(inp[r,i]) * (W[i,:] . delta[r,:]); inp is the ReLU output feeding the
 * layer, so a zero there means no gradient. Four live units i are done together so that each
 * delta value is loaded once for four multiply-adds.
 */
export function backpropDelta(
  inp: Float64Array,
  n: number,
  inS: number,
  W: Float32Array,
  outS: number,
  delta: Float64Array,
  dPrev: Float64Array,
  live: Int32Array,
): void {
  for (let r = 0; r < n; r++) {
    const d = r * outS;
    const io = r * inS;
    let m = 0;
    for (let i = 0; i < inS; i++) {
      if (inp[io + i] === 0) dPrev[io + i] = 0;
      else live[m++] = i;
    }
    let q = 0;
    for (; q + 4 <= m; q += 4) {
      const i0 = live[q];
      const i1 = live[q + 1];
      const i2 = live[q + 2];
      const i3 = live[q + 3];
      const k0 = i0 * outS;
      const k1 = i1 * outS;
      const k2 = i2 * outS;
      const k3 = i3 * outS;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < outS; j++) {
        const dj = delta[d + j];
        s0 += W[k0 + j] * dj;
        s1 += W[k1 + j] * dj;
        s2 += W[k2 + j] * dj;
        s3 += W[k3 + j] * dj;
      }
      dPrev[io + i0] = s0;
      dPrev[io + i1] = s1;
      dPrev[io + i2] = s2;
      dPrev[io + i3] = s3;
    }
    for (; q < m; q++) {
      const i = live[q];
      const k = i * outS;
      let s = 0;
      for (let j = 0; j < outS; j++) s += W[k + j] * delta[d + j];
      dPrev[io + i] = s;
    }
  }
}
