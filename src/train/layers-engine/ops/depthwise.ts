/** Training kernels of the depthwise convolution: the convolution's (./conv.ts) with group = channels. */
import { depthwiseGeometry, type DepthwiseLayer } from '../../../network/layers/depthwise';
import { convLikeTrainOp } from './conv';
import type { TrainOp } from './train-op';

export const DEPTHWISE_TRAIN: TrainOp<DepthwiseLayer> = convLikeTrainOp('depthwise', depthwiseGeometry);
