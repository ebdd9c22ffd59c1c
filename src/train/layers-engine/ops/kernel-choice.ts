/**
 * The training op of each layer: the WebAssembly SIMD one where the layer type has one (convolution,
 * dense, batch norm, max pooling, depthwise; instances laid out for up to `batch` rows) or the
 * TypeScript one of the table. Used by the layers engine and by its worker thread (../parallel/).
 */
import type { AnyLayer } from '../../../network/types';
import { BATCHNORM_TRAIN } from './batchnorm';
import { wasmBatchNormTrainOp } from './batchnorm-wasm';
import { CONV_TRAIN } from './conv';
import { wasmConvTrainOp } from './conv-wasm';
import { DENSE_TRAIN } from './dense';
import { wasmDenseTrainOp } from './dense-wasm';
import { DEPTHWISE_TRAIN } from './depthwise';
import { wasmDepthwiseTrainOp } from './depthwise-wasm';
import { POOL_TRAIN } from './pool';
import { wasmMaxPoolTrainOp } from './pool-wasm';
import { trainOp } from './table';
import type { TrainOp } from './train-op';

/** Each layer's training op: on the WebAssembly kernels when `wasm` (for batches of up to `batch` rows), else the TypeScript ones. */
export function layerOps(wasm: boolean, batch: number): (l: AnyLayer) => TrainOp<AnyLayer> {
  if (!wasm) return trainOp;
  const ops: Partial<Record<AnyLayer['op'], TrainOp<AnyLayer>>> = {
    conv: wasmConvTrainOp(CONV_TRAIN, batch),
    dense: wasmDenseTrainOp(DENSE_TRAIN, batch),
    batchnorm: wasmBatchNormTrainOp(BATCHNORM_TRAIN, batch),
    pool: wasmMaxPoolTrainOp(POOL_TRAIN, batch),
    depthwise: wasmDepthwiseTrainOp(DEPTHWISE_TRAIN, batch),
  };
  return (l) => ops[l.op] ?? trainOp(l);
}
