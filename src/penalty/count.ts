/**
 * Sparsity counts for training history and the pruner: exact zeros, surviving input features and
 * surviving hidden units (the rule of count() in the PyTorch reference, with threshold 0).
 */
import type { AnyLayer, DenseLayer } from '../network/types';
import { partsOf } from './groups';

/** Weights exactly equal to 0 over all layers: the elements of each layer's penalty parts (a dense
 * layer's kernel and bias, a convolution's filters and bias; batch norm's parameters are not counted). */
export function zeroCount(layers: readonly AnyLayer[]): number {
  let z = 0;
  for (const l of layers) {
    const p = partsOf(l);
    if (!p) continue;
    for (let i = 0; i < p.w.length; i++) if (p.w[i] === 0) z++;
    for (let j = 0; j < p.b.length; j++) if (p.b[j] === 0) z++;
  }
  return z;
}

/** True when row i of the layer's kernel (input unit i's outgoing weights) has a nonzero. */
export function rowAlive(layer: DenseLayer, i: number): boolean {
  const o = i * layer.outSize;
  for (let j = 0; j < layer.outSize; j++) if (layer.kernel[o + j] !== 0) return true;
  return false;
}

/** True when output unit j of the layer has a nonzero incoming weight (column j) or bias. */
export function columnOrBiasAlive(layer: DenseLayer, j: number): boolean {
  if (layer.bias[j] !== 0) return true;
  for (let i = 0; i < layer.inSize; i++) if (layer.kernel[i * layer.outSize + j] !== 0) return true;
  return false;
}

/** Input features with a nonzero row in the first layer's kernel. */
export function aliveInputs(firstLayer: DenseLayer): number {
  let n = 0;
  for (let i = 0; i < firstLayer.inSize; i++) if (rowAlive(firstLayer, i)) n++;
  return n;
}

/**
 * Per hidden layer k (output of layers[k], input of layers[k+1]; length layers.length - 1): units
 * whose outgoing row in layers[k+1].kernel is nonzero and whose incoming column in
 * layers[k].kernel or bias is nonzero.
 */
export function aliveUnits(layers: readonly DenseLayer[]): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < layers.length; k++) {
    let n = 0;
    for (let j = 0; j < layers[k].outSize; j++) {
      if (rowAlive(layers[k + 1], j) && columnOrBiasAlive(layers[k], j)) n++;
    }
    out.push(n);
  }
  return out;
}
