/**
 * Flat parameter storage for the fused engine: a list of typed layer slots, each giving its layer
 * type's kernel id (the column the WebAssembly layer table carries, assembly/pass.ts), its sizes
 * and where its trainable buffers sit in one Float32Array. Gradients, optimizer moments and
 * per-coordinate proximal steps use the same layout, so the optimizers run as one loop over a flat
 * array while the forward/backward pass and the penalty work layer by layer. Which layer types the
 * fused engine trains is the table FUSED_LAYER_TYPES (dense only: convolutional networks train on
 * the layers engine, src/train/layers-engine/).
 */
import { GsError } from '../../errors';
import type { Activation } from '../../network/activations';
import type { AnyLayer, DenseLayer } from '../../network/types';

/** A dense layer's slot: kernel [inSize, outSize] row-major at kernelOffset, bias at biasOffset. */
export interface DenseSlot {
  op: 'dense';
  /** The layer type's kernel id in the WebAssembly layer table (KIND_* in assembly/pass.ts). */
  kernelId: number;
  inSize: number;
  outSize: number;
  kernelOffset: number;
  biasOffset: number;
  /** The recorded activation (absent = relu for a hidden layer; the output layer is linear). */
  activation?: Activation;
}

/** One layer of a fused layout (a union as layer types gain fused kernels). */
export type FusedSlot = DenseSlot;
/** The layers the fused engine trains. */
export type FusedLayer = DenseLayer;

/** Where each layer's buffers sit in a flat buffer, layer by layer, and the buffer's length. */
export interface FlatLayout {
  layers: FusedSlot[];
  total: number;
}

/** Views of one layer's kernel and bias inside a flat buffer. */
export interface LayerViews<T extends Float32Array | Float64Array> {
  kernel: T;
  bias: T;
}

/** What the fused engine knows of a layer type: its slot at a flat offset, and the layer back from views. */
interface FusedLayerType {
  slot(layer: AnyLayer, offset: number, k: number): FusedSlot;
  /** The slot's length in the flat buffer. */
  length(slot: FusedSlot): number;
  unpack(slot: FusedSlot, v: LayerViews<Float32Array>): FusedLayer;
}

/** Kernel id of the dense layer type (assembly/pass.ts KIND_DENSE). */
export const KIND_DENSE = 0;

const DENSE: FusedLayerType = {
  slot(layer, offset, k) {
    const l = layer as DenseLayer;
    if (l.kernel.length !== l.inSize * l.outSize || l.bias.length !== l.outSize) {
      throw new RangeError(`layer ${k}: kernel/bias lengths do not match ${l.inSize}x${l.outSize}`);
    }
    const slot: DenseSlot = {
      op: 'dense',
      kernelId: KIND_DENSE,
      inSize: l.inSize,
      outSize: l.outSize,
      kernelOffset: offset,
      biasOffset: offset + l.inSize * l.outSize,
    };
    if (l.activation) slot.activation = l.activation;
    return slot;
  },
  length: (s) => s.inSize * s.outSize + s.outSize,
  unpack(s, v) {
    const layer: DenseLayer = { op: 'dense', inSize: s.inSize, outSize: s.outSize, kernel: v.kernel.slice(), bias: v.bias.slice() };
    if (s.activation) layer.activation = s.activation;
    return layer;
  },
};

/** The layer types the fused engine trains, by op. */
const FUSED_LAYER_TYPES: Partial<Record<AnyLayer['op'], FusedLayerType>> = { dense: DENSE };

function fusedType(op: AnyLayer['op'], k: number): FusedLayerType {
  const t = FUSED_LAYER_TYPES[op];
  if (!t) {
    throw new GsError(
      'BAD_MODEL',
      `the fused engine trains ${Object.keys(FUSED_LAYER_TYPES).join(', ')} layers; layer ${k} is ${op} (networks with it train on the layers engine)`,
    );
  }
  return t;
}

/** Layout of the given layers; checks that consecutive layer sizes chain. */
export function layoutOf(layers: readonly AnyLayer[]): FlatLayout {
  if (layers.length === 0) throw new RangeError('a network needs at least one layer');
  const slots: FusedSlot[] = [];
  let off = 0;
  layers.forEach((l, k) => {
    const t = fusedType(l.op, k);
    const s = t.slot(l, off, k);
    if (k > 0 && s.inSize !== slots[k - 1].outSize) {
      throw new RangeError(`layer ${k} reads ${s.inSize} units but layer ${k - 1} has ${slots[k - 1].outSize}`);
    }
    slots.push(s);
    off += t.length(s);
  });
  return { layers: slots, total: off };
}

/** Per-layer kernel/bias views into a flat buffer laid out by `lay`. */
export function viewsOf<T extends Float32Array | Float64Array>(buf: T, lay: FlatLayout): LayerViews<T>[] {
  return lay.layers.map((s) => ({
    kernel: buf.subarray(s.kernelOffset, s.kernelOffset + s.inSize * s.outSize) as T,
    bias: buf.subarray(s.biasOffset, s.biasOffset + s.outSize) as T,
  }));
}

/** Copies the layers' weights into a new flat Float32Array. */
export function packLayers(layers: readonly FusedLayer[], lay: FlatLayout): Float32Array {
  const flat = new Float32Array(lay.total);
  layers.forEach((l, k) => {
    flat.set(l.kernel, lay.layers[k].kernelOffset);
    flat.set(l.bias, lay.layers[k].biasOffset);
  });
  return flat;
}

/** Copies a flat buffer back out as layers (fresh arrays). */
export function unpackLayers(flat: Float32Array, lay: FlatLayout): FusedLayer[] {
  const views = viewsOf(flat, lay);
  return lay.layers.map((s, k) => fusedType(s.op, k).unpack(s, views[k]));
}

/** Input width of the first layer and output width of the last. */
export function layoutEnds(lay: FlatLayout): { inputs: number; outputs: number } {
  return { inputs: lay.layers[0].inSize, outputs: lay.layers[lay.layers.length - 1].outSize };
}

/** Whether two layouts have the same layer types and sizes. */
export function sameShape(a: FlatLayout, b: FlatLayout): boolean {
  return (
    a.layers.length === b.layers.length &&
    a.layers.every((s, k) => s.op === b.layers[k].op && s.inSize === b.layers[k].inSize && s.outSize === b.layers[k].outSize)
  );
}

/** The activation after layer k as the kernels see it: the recorded one (relu when absent) for a
 * hidden layer, identity for the output layer. */
export function layerActivation(lay: FlatLayout, k: number): Activation {
  if (k === lay.layers.length - 1) return { name: 'identity' };
  return lay.layers[k].activation ?? { name: 'relu' };
}
