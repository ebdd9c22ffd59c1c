/**
 * A float64 working copy of a Network's weights that pruning may modify freely
 * (thresholding zeroes entries, constant folding adds to biases), with shape checks.
 */
import { GsError } from '../errors';
import { activationOf, type Activation } from '../network/activations';
import type { Network } from '../network/types';

/**
 * Level h holds sizes[h] units: level 0 = first-layer inputs, level L = outputs.
 * kernels[h] ([sizes[h], sizes[h+1]] row-major) and biases[h] (sizes[h+1]) connect level h to h+1.
 */
export interface WorkingCopy {
  sizes: number[];
  kernels: Float64Array[];
  biases: Float64Array[];
  /** activations[h] is applied to the output of kernels[h] when level h+1 is hidden (relu when absent). */
  activations?: Activation[];
}

/** Copies the weights to float64, after checking that shapes agree and all values are finite. */
export function toWorkingCopy(net: Network): WorkingCopy {
  if (net.layers.length === 0) throw new GsError('BAD_MODEL', 'network has no layers');
  if (net.inputIndices.length !== net.layers[0].inSize) {
    throw new GsError(
      'BAD_MODEL',
      `network reads ${net.inputIndices.length} input columns but its first layer expects ${net.layers[0].inSize}`,
    );
  }
  for (const c of net.inputIndices) {
    if (!Number.isInteger(c) || c < 0 || c >= net.inputWidth) {
      throw new GsError('BAD_MODEL', `input index ${c} is outside 0..${net.inputWidth - 1}`);
    }
  }
  const sizes = [net.layers[0].inSize];
  net.layers.forEach((layer, l) => {
    if (layer.inSize !== sizes[l]) {
      throw new GsError('BAD_MODEL', `layer ${l} expects ${layer.inSize} inputs but the previous layer has ${sizes[l]} units`);
    }
    if (layer.kernel.length !== layer.inSize * layer.outSize || layer.bias.length !== layer.outSize) {
      throw new GsError(
        'BAD_MODEL',
        `layer ${l} has ${layer.kernel.length} weights and ${layer.bias.length} biases, expected ` +
          `${layer.inSize}x${layer.outSize} and ${layer.outSize}`,
      );
    }
    for (const [what, a] of [
      ['kernel', layer.kernel],
      ['bias', layer.bias],
    ] as const) {
      const bad = a.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new GsError('BAD_MODEL', `layer ${l} ${what}[${bad}] is ${a[bad]}; pruning needs finite weights`);
    }
    sizes.push(layer.outSize);
  });
  return {
    sizes,
    kernels: net.layers.map((l) => Float64Array.from(l.kernel)),
    biases: net.layers.map((l) => Float64Array.from(l.bias)),
    activations: net.layers.map((l) => activationOf(l)),
  };
}
