/** The depthwise convolution's training kernels on the WebAssembly convolution (group = channels), as ./conv-wasm.ts. */
import { depthwiseGeometry, type DepthwiseLayer } from '../../../network/layers/depthwise';
import { wasmConvLikeTrainOp } from './conv-wasm';
import type { TrainOp } from './train-op';

export function wasmDepthwiseTrainOp(base: TrainOp<DepthwiseLayer>, maxBatch: number, perGeometry = false): TrainOp<DepthwiseLayer> {
  return wasmConvLikeTrainOp(base, maxBatch, perGeometry, depthwiseGeometry);
}
