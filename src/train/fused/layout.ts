/**
 * Flat parameter storage for the fused engine: every kernel and bias of the network lives in
 * one Float32Array, and each layer gets subarray views into it. Gradients, optimizer moments
 * and per-coordinate proximal steps use the same layout, so the optimizers run as one loop
 * over a flat array while the forward/backward pass and the penalty work layer by layer.
 */
import type { Activation } from '../../network/activations';
import type { DenseLayer } from '../../network/types';

/** Where each layer's kernel and bias sit in a flat buffer. */
export interface FlatLayout {
  inSize: number[];
  outSize: number[];
  kernelOffset: number[];
  biasOffset: number[];
  total: number;
  /** Each layer's recorded activation (absent = relu for a hidden layer; the output layer is linear). */
  activation?: (Activation | undefined)[];
}

/** Views of one layer's kernel and bias inside a flat buffer. */
export interface LayerViews<T extends Float32Array | Float64Array> {
  kernel: T;
  bias: T;
}

/** Layout of the given layers; checks that consecutive layer sizes chain. */
export function layoutOf(layers: readonly DenseLayer[]): FlatLayout {
  if (layers.length === 0) throw new RangeError('a network needs at least one layer');
  const lay: FlatLayout = { inSize: [], outSize: [], kernelOffset: [], biasOffset: [], total: 0 };
  let off = 0;
  layers.forEach((l, k) => {
    if (k > 0 && l.inSize !== layers[k - 1].outSize) {
      throw new RangeError(`layer ${k} reads ${l.inSize} units but layer ${k - 1} has ${layers[k - 1].outSize}`);
    }
    if (l.kernel.length !== l.inSize * l.outSize || l.bias.length !== l.outSize) {
      throw new RangeError(`layer ${k}: kernel/bias lengths do not match ${l.inSize}x${l.outSize}`);
    }
    lay.inSize.push(l.inSize);
    lay.outSize.push(l.outSize);
    lay.kernelOffset.push(off);
    off += l.inSize * l.outSize;
    lay.biasOffset.push(off);
    off += l.outSize;
    if (l.activation) (lay.activation ??= layers.map(() => undefined))[k] = l.activation;
  });
  lay.total = off;
  return lay;
}

/** Per-layer kernel/bias views into a flat buffer laid out by `lay`. */
export function viewsOf<T extends Float32Array | Float64Array>(buf: T, lay: FlatLayout): LayerViews<T>[] {
  return lay.inSize.map((inS, k) => ({
    kernel: buf.subarray(lay.kernelOffset[k], lay.kernelOffset[k] + inS * lay.outSize[k]) as T,
    bias: buf.subarray(lay.biasOffset[k], lay.biasOffset[k] + lay.outSize[k]) as T,
  }));
}

/** Copies the layers' weights into a new flat Float32Array. */
export function packLayers(layers: readonly DenseLayer[], lay: FlatLayout): Float32Array {
  const flat = new Float32Array(lay.total);
  layers.forEach((l, k) => {
    flat.set(l.kernel, lay.kernelOffset[k]);
    flat.set(l.bias, lay.biasOffset[k]);
  });
  return flat;
}

/** Copies a flat buffer back out as DenseLayers (fresh arrays). */
export function unpackLayers(flat: Float32Array, lay: FlatLayout): DenseLayer[] {
  return viewsOf(flat, lay).map((v, k) => {
    const layer: DenseLayer = {
      op: 'dense',
      inSize: lay.inSize[k],
      outSize: lay.outSize[k],
      kernel: v.kernel.slice(),
      bias: v.bias.slice(),
    };
    const act = lay.activation?.[k];
    if (act) layer.activation = act;
    return layer;
  });
}

/** The activation after layer k as the kernels see it: the recorded one (relu when absent) for a
 * hidden layer, identity for the output layer. */
export function layerActivation(lay: FlatLayout, k: number): Activation {
  if (k === lay.inSize.length - 1) return { name: 'identity' };
  return lay.activation?.[k] ?? { name: 'relu' };
}
