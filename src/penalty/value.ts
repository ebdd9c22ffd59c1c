/**
 * Penalty values: R for one layer and lambda * sum over layers R for a network
 * (definitions in ./types.ts). Sums are accumulated in float64.
 */
import type { DenseLayer } from '../network/types';
import type { PenaltyKind } from './types';

/** R of one layer (without lambda). Groups: kernel rows (weight sqrt(outSize)) and bias elements. */
export function layerRegularizer(kernel: Float32Array, bias: Float32Array, inSize: number, outSize: number, kind: PenaltyKind): number {
  if (kind === 'none') return 0;
  let r = 0;
  const n = inSize * outSize;
  if (kind === 'l2') {
    for (let i = 0; i < n; i++) r += kernel[i] * kernel[i];
    for (let j = 0; j < outSize; j++) r += bias[j] * bias[j];
    return r;
  }
  let abs = 0;
  for (let j = 0; j < outSize; j++) abs += Math.abs(bias[j]);
  if (kind === 'l1' || kind === 'sgl') {
    for (let i = 0; i < n; i++) r += Math.abs(kernel[i]);
    r += abs;
  }
  if (kind === 'gl' || kind === 'sgl') {
    const w = Math.sqrt(outSize);
    for (let i = 0; i < inSize; i++) {
      let s = 0;
      const o = i * outSize;
      for (let j = 0; j < outSize; j++) s += kernel[o + j] * kernel[o + j];
      r += w * Math.sqrt(s);
    }
    r += abs;
  }
  return r;
}

/** lambda * sum over layers of R (0 for 'none'). */
export function penaltyValue(layers: readonly DenseLayer[], kind: PenaltyKind, lambda: number): number {
  if (kind === 'none' || lambda === 0) return 0;
  let r = 0;
  for (const l of layers) r += layerRegularizer(l.kernel, l.bias, l.inSize, l.outSize, kind);
  return lambda * r;
}
