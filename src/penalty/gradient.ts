/**
 * (Sub)gradients of lambda * R for one layer, added in place to gradient buffers. Used by the
 * subgradient solver and for the smooth l2 penalty. At kinks the subgradient chosen is the one
 * of minimal norm for isolated zeros: sign(0) = 0 and 0 for an all-zero kernel row.
 */
import type { PenaltyKind } from './types';

/**
 * gKernel += lambda * dR/dkernel, gBias += lambda * dR/dbias, where
 *   l2: 2w;  l1: sign(w);  gl: sqrt(outSize) * row / ||row|| (0 for a zero row), bias sign(b);
 *   sgl: gl + l1 (bias 2 sign(b)).
 */
export function addPenaltyGradient(
  kernel: Float32Array,
  bias: Float32Array,
  inSize: number,
  outSize: number,
  kind: PenaltyKind,
  lambda: number,
  gKernel: Float32Array,
  gBias: Float32Array,
): void {
  if (kind === 'none' || lambda === 0) return;
  const n = inSize * outSize;
  if (kind === 'l2') {
    const t = 2 * lambda;
    for (let i = 0; i < n; i++) gKernel[i] += t * kernel[i];
    for (let j = 0; j < outSize; j++) gBias[j] += t * bias[j];
    return;
  }
  const l1 = kind === 'l1' || kind === 'sgl';
  const gl = kind === 'gl' || kind === 'sgl';
  // Bias: l1 and gl each contribute lambda * sign(b).
  const tb = l1 && gl ? 2 * lambda : lambda;
  for (let j = 0; j < outSize; j++) {
    const b = bias[j];
    if (b > 0) gBias[j] += tb;
    else if (b < 0) gBias[j] -= tb;
  }
  if (l1) {
    for (let i = 0; i < n; i++) {
      const w = kernel[i];
      if (w > 0) gKernel[i] += lambda;
      else if (w < 0) gKernel[i] -= lambda;
    }
  }
  if (gl) {
    const tau = lambda * Math.sqrt(outSize);
    for (let i = 0; i < inSize; i++) {
      const o = i * outSize;
      let s = 0;
      for (let j = 0; j < outSize; j++) s += kernel[o + j] * kernel[o + j];
      if (s === 0) continue;
      const f = tau / Math.sqrt(s);
      for (let j = 0; j < outSize; j++) gKernel[o + j] += f * kernel[o + j];
    }
  }
}
