/**
 * Building networks: seeded initialisation (PyTorch's nn.Linear default, uniform in
 * +-1/sqrt(fan_in) for kernel and bias, so runs compare with the PyTorch reference) and counts.
 */
import type { Scaling } from '../data/types';
import type { Activation } from './activations';
import { denseLayer } from './layers/dense';
import { cloneLayer, layerMacs, layerParams } from './layers/table';
import { inputShapeOf } from './forward';
import type { AnyLayer, Layer, Network } from './types';
import { Rng } from '../util/rng';

export interface NetworkShape {
  inputWidth: number;
  hidden: number[];
  classes: number;
}

export function initNetwork(
  shape: NetworkShape,
  seed: number,
  opts: { scaling?: Scaling | null; classLabels?: string[]; featureNames?: string[]; activation?: Activation } = {},
): Network {
  const rng = new Rng(seed);
  const sizes = [shape.inputWidth, ...shape.hidden, shape.classes];
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l];
    const outSize = sizes[l + 1];
    const bound = 1 / Math.sqrt(inSize);
    const kernel = new Float32Array(inSize * outSize);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (rng.next() * 2 - 1) * bound;
    const bias = new Float32Array(outSize);
    for (let i = 0; i < outSize; i++) bias[i] = (rng.next() * 2 - 1) * bound;
    const layer = denseLayer(kernel, bias, inSize, outSize);
    // hidden layers record a non-default activation; relu stays absent (the saved form of older runs)
    if (opts.activation && opts.activation.name !== 'relu' && l + 2 < sizes.length) layer.activation = { ...opts.activation };
    layers.push(layer);
  }
  return {
    inputWidth: shape.inputWidth,
    inputIndices: Array.from({ length: shape.inputWidth }, (_, i) => i),
    scaling: opts.scaling ?? null,
    layers,
    classLabels: opts.classLabels ?? Array.from({ length: shape.classes }, (_, i) => String(i)),
    featureNames: opts.featureNames ?? Array.from({ length: shape.inputWidth }, (_, i) => `x${i}`),
  };
}

/** Parameters (weights, biases and stored statistics) of a network or of its layer stack, counted by
 * the layer table: the one count that training history, pruning reports, exports and sweeps all use. */
export function parameterCount(net: Network<AnyLayer> | readonly AnyLayer[]): number {
  return layerParams('layers' in net ? net.layers : net);
}

/** Multiply-adds per example (the layer table's count over the network's layer shapes). */
export function multiplyAdds(net: Network<AnyLayer>): number {
  return layerMacs(net.layers, inputShapeOf(net));
}

/** Deep copy (weights are copied, not shared). */
export function cloneNetwork<L extends AnyLayer>(net: Network<L>): Network<L> {
  return {
    ...net,
    inputIndices: [...net.inputIndices],
    scaling: net.scaling ? { mean: net.scaling.mean.slice(), std: net.scaling.std.slice() } : null,
    layers: net.layers.map(cloneLayer),
    ...(net.inputShape ? { inputShape: [...net.inputShape] } : {}),
    classLabels: [...net.classLabels],
    featureNames: [...net.featureNames],
  };
}
