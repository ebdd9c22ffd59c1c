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
 * layer, so a zero there means no gradient.
 */
export function backpropDelta(
  inp: Float64Array, n: number, inS: number, W: Float32Array, outS: number,
  delta: Float64Array, dPrev: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const d = r * outS;
    const io = r * inS;
    for (let i = 0; i < inS; i++) {
      if (inp[io + i] === 0) {
        dPrev[io + i] = 0;
        continue;
      }
      const ko = i * outS;
      let s0 = 0;
      let s1 = 0;
      let j = 0;
      for (; j + 2 <= outS; j += 2) {
        s0 += W[ko + j] * delta[d + j];
        s1 += W[ko + j + 1] * delta[d + j + 1];
      }
      if (j < outS) s0 += W[ko + j] * delta[d + j];
      dPrev[io + i] = s0 + s1;
    }
  }
}
