/**
 * Training kernels of batch norm (network/kernels/batchnorm.ts): in training the batch's statistics
 * normalize (and the gradient flows through them) and fold into the running statistics with
 * momentum BN_MOMENTUM (PyTorch's rule); outside training the running statistics, as in inference.
 * Parameters gamma and beta (the running statistics are state, not trained by the optimizer).
 */
import {
  BN_MOMENTUM,
  batchNormEvalBackward,
  batchNormEvalForward,
  batchNormTrainBackward,
  batchNormTrainForward,
  updateRunningStats,
  type BatchNormTrainResult,
} from '../../../network/kernels/batchnorm';
import { size } from '../../../network/layers/activate';
import type { BatchNormLayer } from '../../../network/layers/batchnorm';
import { activate, activationBackward } from './activation';
import type { TrainOp } from './train-op';

interface BatchNormCache {
  x: Float64Array;
  z: Float64Array;
  hidden: boolean;
  /** The batch's statistics (training), or null (running statistics). */
  batch: BatchNormTrainResult | null;
}

export const BATCHNORM_TRAIN: TrainOp<BatchNormLayer> = {
  op: 'batchnorm',
  params: (l) => [l.gamma, l.beta],
  bind(l, [gamma, beta]) {
    l.gamma = gamma;
    l.beta = beta;
  },
  forward(l, x, _rows, hidden, inShape, training, slots) {
    if (slots?.split) throw new Error('batch norm: a minibatch split between threads trains on the WebAssembly kernels only');
    const S = size(inShape.slice(1));
    let z: Float64Array;
    let batch: BatchNormTrainResult | null = null;
    if (training) {
      batch = batchNormTrainForward(x, l.channels, S, l.gamma, l.beta, l.epsilon);
      updateRunningStats(l, batch, BN_MOMENTUM);
      z = batch.y as Float64Array;
    } else {
      z = batchNormEvalForward(x, l.channels, S, l) as Float64Array;
    }
    const cache: BatchNormCache = { x, z, hidden, batch };
    return { y: hidden ? activate(z, l.activation) : z, cache };
  },
  backward(l, cache, dy, _rows, inShape, [gGamma, gBeta], wantDx) {
    const { x, z, hidden, batch } = cache as BatchNormCache;
    const dz = hidden ? activationBackward(dy, z, l.activation) : dy;
    const S = size(inShape.slice(1));
    const r = batch ? batchNormTrainBackward(x, dz, l.channels, S, l.gamma, batch) : batchNormEvalBackward(x, dz, l.channels, S, l);
    gGamma.set(r.dgamma);
    gBeta.set(r.dbeta);
    return wantDx ? (r.dx as Float64Array) : null;
  },
};
