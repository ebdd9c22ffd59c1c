/**
 * The training kernels of every layer type, keyed by op like the layer table
 * (network/layers/table.ts): adding a layer type that trains is its file here and one line below.
 */
import type { Layer, LayerOp } from '../../../network/layers/table';
import { GsError } from '../../../errors';
import { BATCHNORM_TRAIN } from './batchnorm';
import { CONCAT_TRAIN } from './concat';
import { CONV_TRAIN } from './conv';
import { DENSE_TRAIN } from './dense';
import { DEPTHWISE_TRAIN } from './depthwise';
import { FLATTEN_TRAIN } from './flatten';
import { GAP_TRAIN } from './gap';
import { POOL_TRAIN } from './pool';
import { ADD_TRAIN, SAVE_TRAIN, SHORTCUT_TRAIN } from './residual';
import type { TrainOp } from './train-op';

export const TRAIN_OPS: { readonly [K in LayerOp]: TrainOp<Extract<Layer, { op: K }>> } = {
  dense: DENSE_TRAIN,
  conv: CONV_TRAIN,
  pool: POOL_TRAIN,
  gap: GAP_TRAIN,
  flatten: FLATTEN_TRAIN,
  batchnorm: BATCHNORM_TRAIN,
  save: SAVE_TRAIN,
  shortcut: SHORTCUT_TRAIN,
  add: ADD_TRAIN,
  depthwise: DEPTHWISE_TRAIN,
  concat: CONCAT_TRAIN,
};

/** The training kernels of a layer (a layer type without them, e.g. one registered at run time, is an error). */
export function trainOp<L extends Layer>(l: L): TrainOp<L> {
  const t = Object.prototype.hasOwnProperty.call(TRAIN_OPS, l.op) ? (TRAIN_OPS as Record<string, TrainOp<unknown>>)[l.op] : undefined;
  if (!t) throw new GsError('BAD_MODEL', `layer type '${String(l.op)}' has no training kernels`);
  return t;
}

/** Zeroed gradient buffers of every layer, one per parameter buffer (as batchGradient and the ops' backward take them). */
export function gradientBuffers(layers: readonly Layer[]): Float32Array[][] {
  return layers.map((l) =>
    trainOp(l)
      .params(l)
      .map((b) => new Float32Array(b.length)),
  );
}
