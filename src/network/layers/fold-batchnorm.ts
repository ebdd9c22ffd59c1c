/**
 * Folds each batch norm (running statistics) into the mixing layer right before it when that layer
 * is linear (a convolution whose activation the batch norm carries): weights of output channel o
 * times gamma_o / sqrt(var_o + eps), bias (b_o - mean_o) * that + beta_o, then the batch norm's
 * activation. The folded stack computes the same function up to float32 rounding; exports use it
 * (one Conv instead of Conv + BatchNormalization). Layers that cannot carry it stay as they are.
 */
import type { AnyLayer } from '../types';
import type { BatchNormLayer } from './batchnorm';
import { layerType } from './table';

/** Per-channel scale and shift of a batch norm in evaluation mode. */
export function batchNormAffine(bn: BatchNormLayer): { scale: Float64Array; shift: Float64Array } {
  const scale = Float64Array.from(bn.gamma, (g, c) => g / Math.sqrt(bn.runningVar[c] + bn.epsilon));
  const shift = Float64Array.from(bn.beta, (b, c) => b - bn.runningMean[c] * scale[c]);
  return { scale, shift };
}

/** The layer list with every foldable batch norm folded into its predecessor (new layers; the input is not changed). */
export function foldBatchNorms(layers: readonly AnyLayer[]): AnyLayer[] {
  const out: AnyLayer[] = [];
  for (const l of layers) {
    const prev = out[out.length - 1];
    const t = prev === undefined ? undefined : layerType(prev);
    if (l.op === 'batchnorm' && prev !== undefined && t?.absorbAffine && t.outChannels(prev) === l.channels) {
      const { scale, shift } = batchNormAffine(l);
      const folded = t.absorbAffine(prev, scale, shift, l.activation);
      if (folded !== null) {
        out[out.length - 1] = folded;
        continue;
      }
    }
    out.push(l);
  }
  return out;
}
