/**
 * The table of layer types, keyed by a layer's `op`, and the questions everyone asks of a layer
 * through it (counts, shapes, forward, keep). Adding a layer type is its own file, one line in
 * LAYER_TYPES and one member of the Layer union.
 */
import { BATCHNORM, type BatchNormLayer } from './batchnorm';
import { CONCAT, type ConcatLayer } from './concat';
import { CONV, type ConvLayer } from './conv';
import { DENSE, type DenseLayer } from './dense';
import { DEPTHWISE, type DepthwiseLayer } from './depthwise';
import { FLATTEN, type FlattenLayer } from './flatten';
import { GAP, type GapLayer } from './gap';
import { POOL, type PoolLayer } from './pool';
import { ADD, SAVE, SHORTCUT, type AddLayer, type SaveLayer, type ShortcutLayer } from './residual';
import type { LayerType, Slots } from './layer-type';

/** Every layer a Network can hold. */
export type Layer =
  | DenseLayer
  | ConvLayer
  | PoolLayer
  | GapLayer
  | FlattenLayer
  | BatchNormLayer
  | SaveLayer
  | ShortcutLayer
  | AddLayer
  | DepthwiseLayer
  | ConcatLayer;

export type LayerOp = Layer['op'];

/** One entry per layer type. */
export const LAYER_TYPES: { readonly [K in LayerOp]: LayerType<Extract<Layer, { op: K }>> } = {
  dense: DENSE,
  conv: CONV,
  pool: POOL,
  gap: GAP,
  flatten: FLATTEN,
  batchnorm: BATCHNORM,
  save: SAVE,
  shortcut: SHORTCUT,
  add: ADD,
  depthwise: DEPTHWISE,
  concat: CONCAT,
};

/** Types added at run time (registerLayerType): a layer type outside this folder, such as a test's. */
const registered = new Map<string, LayerType<unknown>>();

/**
 * Adds a layer type to the table at run time. Its layers are then computed, grouped, pruned and
 * exported like the built-in ones; a type that is part of gs-compress belongs in LAYER_TYPES instead.
 */
export function registerLayerType<L extends { op: string }>(t: LayerType<L>): void {
  if (Object.prototype.hasOwnProperty.call(LAYER_TYPES, t.op)) throw new Error(`layer type '${t.op}' is built in`);
  registered.set(t.op, t);
}

/** The table entry of a layer (an unknown op is a programming error, said plainly). */
export function layerType<L extends Layer>(l: L): LayerType<L> {
  const own = Object.prototype.hasOwnProperty.call(LAYER_TYPES, l.op);
  const t = own ? (LAYER_TYPES as Record<string, LayerType<unknown>>)[l.op] : registered.get(l.op);
  if (!t) throw new Error(`unknown layer type '${String(l.op)}'`);
  return t as LayerType<L>;
}

/** Input shape of every layer and the output shape, from the network's input shape. */
export function layerShapes(layers: readonly Layer[], inShape: readonly number[]): number[][] {
  const shapes = [[...inShape]];
  const slots: Slots<readonly number[]> = new Map();
  for (const l of layers) shapes.push(layerType(l).outShape(l, shapes[shapes.length - 1], slots));
  return shapes;
}

/** Parameters (and stored statistics) of a layer stack. */
export function layerParams(layers: readonly Layer[]): number {
  let n = 0;
  for (const l of layers) n += layerType(l).params(l);
  return n;
}

/** Multiply-adds per example of a layer stack reading examples of shape `inShape`. */
export function layerMacs(layers: readonly Layer[], inShape: readonly number[]): number {
  const shapes = layerShapes(layers, inShape);
  let n = 0;
  layers.forEach((l, k) => (n += layerType(l).macs(l, shapes[k])));
  return n;
}

/** Reference forward pass of a stack (float64); the last layer is linear. */
export function forwardLayers(layers: readonly Layer[], x: Float64Array, rows: number, inShape: readonly number[]): Float64Array {
  const shapes = layerShapes(layers, inShape);
  const slots: Slots<Float64Array> = new Map();
  let cur = x;
  layers.forEach((l, k) => (cur = layerType(l).forward(l, cur, rows, k < layers.length - 1, shapes[k], slots)));
  return cur;
}

/** Whether a stack has residual blocks (./residual.ts): walkers that only know chains refuse it. */
export function hasResidual(layers: readonly Layer[]): boolean {
  return layers.some((l) => layerType(l).slot !== undefined);
}

/** A deep copy of a layer. */
export function cloneLayer<L extends Layer>(l: L): L {
  return layerType(l).clone(l);
}
