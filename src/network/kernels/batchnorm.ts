/**
 * Reference batch normalization over the channel axis of x [N, C, ...spatial] (S values per
 * plane; S = 1 for a dense layer's [N, C]): training mode with batch statistics (forward and
 * backward), evaluation mode with running statistics (forward and backward), the running-statistics
 * update, and the fold of evaluation-mode batch norm into the preceding convolution.
 *
 * Conventions follow PyTorch (what the peer trains with), with ONNX's names:
 *   training: y = gamma * (x - mean_B) / sqrt(var_B + eps) + beta, var_B biased (divide by N*S);
 *   running:  r <- (1 - momentum) * r + momentum * batch, momentum = weight of the batch (0.1 by
 *             default), and the running variance takes the UNBIASED batch variance (N*S / (N*S - 1));
 *             ONNX's BatchNormalization momentum is 1 - this one;
 *   eval:     y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta; eps 1e-5 by default.
 * Statistics are accumulated in float64.
 */
import { GsError } from '../../errors';
import { batchOf, zerosLike, type FloatArray } from './window';

export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.1;

/** A batch-norm layer's parameters (gamma, beta) and stored statistics, one value per channel. */
export interface BatchNormState {
  gamma: FloatArray;
  beta: FloatArray;
  runningMean: FloatArray;
  runningVar: FloatArray;
  /** Default BN_EPSILON. */
  epsilon?: number;
}

export interface BatchNormTrainResult {
  y: FloatArray;
  /** Batch mean per channel. */
  mean: Float64Array;
  /** Biased batch variance per channel (the one that normalizes). */
  variance: Float64Array;
  /** 1 / sqrt(variance + eps) per channel (kept for the backward pass). */
  invStd: Float64Array;
  /** Values per channel in the batch (N * S), for the unbiased variance of the running update. */
  count: number;
}

function checkChannels(name: string, what: string, a: FloatArray, channels: number): void {
  if (a.length !== channels)
    throw new GsError('BAD_MODEL', `${name}: ${what} has ${a.length} values, expected ${channels} (one per channel)`);
}

/** Training-mode forward pass with the batch's statistics; x holds N examples of `channels` x `spatial` values. */
export function batchNormTrainForward(
  x: FloatArray,
  channels: number,
  spatial: number,
  gamma: FloatArray,
  beta: FloatArray,
  epsilon = BN_EPSILON,
  name = 'batch norm',
): BatchNormTrainResult {
  checkChannels(name, 'gamma', gamma, channels);
  checkChannels(name, 'beta', beta, channels);
  const n = batchOf(name, 'input', x.length, channels * spatial);
  const count = n * spatial;
  if (count < 1) throw new GsError('BAD_INPUT', `${name}: batch statistics need at least one value per channel`);
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const invStd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let e = 0; e < n; e++) {
      const base = (e * channels + c) * spatial;
      for (let i = 0; i < spatial; i++) s += x[base + i];
    }
    const m = s / count;
    let v = 0;
    for (let e = 0; e < n; e++) {
      const base = (e * channels + c) * spatial;
      for (let i = 0; i < spatial; i++) {
        const d = x[base + i] - m;
        v += d * d;
      }
    }
    mean[c] = m;
    variance[c] = v / count;
    invStd[c] = 1 / Math.sqrt(variance[c] + epsilon);
  }
  const y = zerosLike(x, x.length);
  for (let e = 0; e < n; e++) {
    for (let c = 0; c < channels; c++) {
      const base = (e * channels + c) * spatial;
      const a = gamma[c] * invStd[c];
      const b = beta[c] - mean[c] * a;
      for (let i = 0; i < spatial; i++) y[base + i] = x[base + i] * a + b;
    }
  }
  return { y, mean, variance, invStd, count };
}

/** Folds a batch's statistics into the running ones in place (PyTorch's rule; see the header). */
export function updateRunningStats(
  state: BatchNormState,
  batch: { mean: ArrayLike<number>; variance: ArrayLike<number>; count: number },
  momentum = BN_MOMENTUM,
): void {
  const unbias = batch.count > 1 ? batch.count / (batch.count - 1) : 1;
  for (let c = 0; c < state.runningMean.length; c++) {
    state.runningMean[c] = (1 - momentum) * state.runningMean[c] + momentum * batch.mean[c];
    state.runningVar[c] = (1 - momentum) * state.runningVar[c] + momentum * batch.variance[c] * unbias;
  }
}

export interface BatchNormGradients {
  dx: FloatArray;
  dgamma: FloatArray;
  dbeta: FloatArray;
}

/**
 * Training-mode backward pass (the batch statistics depend on x):
 *   dx = gamma * invStd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)), M = N * S per channel.
 */
export function batchNormTrainBackward(
  x: FloatArray,
  dy: FloatArray,
  channels: number,
  spatial: number,
  gamma: FloatArray,
  fwd: Pick<BatchNormTrainResult, 'mean' | 'invStd'>,
): BatchNormGradients {
  const n = batchOf('batch norm', 'input', x.length, channels * spatial);
  if (dy.length !== x.length) throw new GsError('BAD_INPUT', `batch norm: output gradient has ${dy.length} values, expected ${x.length}`);
  const M = n * spatial;
  const dx = zerosLike(x, x.length);
  const dgamma = zerosLike(gamma, channels);
  const dbeta = zerosLike(gamma, channels);
  for (let c = 0; c < channels; c++) {
    const m = fwd.mean[c];
    const is = fwd.invStd[c];
    let sdy = 0;
    let sdyx = 0;
    for (let e = 0; e < n; e++) {
      const base = (e * channels + c) * spatial;
      for (let i = 0; i < spatial; i++) {
        const d = dy[base + i];
        sdy += d;
        sdyx += d * (x[base + i] - m) * is;
      }
    }
    dgamma[c] = sdyx;
    dbeta[c] = sdy;
    const k = (gamma[c] * is) / M;
    for (let e = 0; e < n; e++) {
      const base = (e * channels + c) * spatial;
      for (let i = 0; i < spatial; i++) {
        const xhat = (x[base + i] - m) * is;
        dx[base + i] = k * (M * dy[base + i] - sdy - xhat * sdyx);
      }
    }
  }
  return { dx, dgamma, dbeta };
}

/** Per-channel scale gamma / sqrt(running_var + eps) and shift beta - running_mean * scale of eval mode. */
export function batchNormAffine(state: BatchNormState): { scale: Float64Array; shift: Float64Array } {
  const C = state.gamma.length;
  const eps = state.epsilon ?? BN_EPSILON;
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = state.gamma[c] / Math.sqrt(state.runningVar[c] + eps);
    shift[c] = state.beta[c] - state.runningMean[c] * scale[c];
  }
  return { scale, shift };
}

/** Evaluation-mode forward pass with the running statistics. */
export function batchNormEvalForward(
  x: FloatArray,
  channels: number,
  spatial: number,
  state: BatchNormState,
  name = 'batch norm',
): FloatArray {
  for (const k of ['gamma', 'beta', 'runningMean', 'runningVar'] as const) checkChannels(name, k, state[k], channels);
  const n = batchOf(name, 'input', x.length, channels * spatial);
  const { scale, shift } = batchNormAffine(state);
  const y = zerosLike(x, x.length);
  for (let e = 0; e < n; e++) {
    for (let c = 0; c < channels; c++) {
      const base = (e * channels + c) * spatial;
      for (let i = 0; i < spatial; i++) y[base + i] = x[base + i] * scale[c] + shift[c];
    }
  }
  return y;
}

/** Evaluation-mode backward pass (statistics fixed): dx = dy * scale, dgamma = sum(dy * xhat), dbeta = sum(dy). */
export function batchNormEvalBackward(
  x: FloatArray,
  dy: FloatArray,
  channels: number,
  spatial: number,
  state: BatchNormState,
): BatchNormGradients {
  const n = batchOf('batch norm', 'input', x.length, channels * spatial);
  const eps = state.epsilon ?? BN_EPSILON;
  const dx = zerosLike(x, x.length);
  const dgamma = zerosLike(state.gamma, channels);
  const dbeta = zerosLike(state.gamma, channels);
  for (let c = 0; c < channels; c++) {
    const is = 1 / Math.sqrt(state.runningVar[c] + eps);
    const a = state.gamma[c] * is;
    let sg = 0;
    let sb = 0;
    for (let e = 0; e < n; e++) {
      const base = (e * channels + c) * spatial;
      for (let i = 0; i < spatial; i++) {
        const d = dy[base + i];
        sb += d;
        sg += d * (x[base + i] - state.runningMean[c]) * is;
        dx[base + i] = d * a;
      }
    }
    dgamma[c] = sg;
    dbeta[c] = sb;
  }
  return { dx, dgamma, dbeta };
}

/**
 * Folds evaluation-mode batch norm into the convolution before it: W'[o] = W[o] * scale[o],
 * b'[o] = b[o] * scale[o] + shift[o], so conv'(x) = bn(conv(x)) exactly in real arithmetic.
 * `weight` is [O, ...] (any per-filter size); `bias` may be null (taken as zero). Returns new arrays.
 */
export function foldBatchNorm(
  weight: FloatArray,
  bias: FloatArray | null,
  outChannels: number,
  state: BatchNormState,
): { weight: FloatArray; bias: FloatArray } {
  if (weight.length % outChannels !== 0) {
    throw new GsError('BAD_MODEL', `fold batch norm: weight has ${weight.length} values, not a multiple of ${outChannels} filters`);
  }
  checkChannels('fold batch norm', 'gamma', state.gamma, outChannels);
  if (bias) checkChannels('fold batch norm', 'bias', bias, outChannels);
  const per = weight.length / outChannels;
  const { scale, shift } = batchNormAffine(state);
  const w = zerosLike(weight, weight.length);
  const b = zerosLike(weight, outChannels);
  for (let o = 0; o < outChannels; o++) {
    for (let i = o * per; i < (o + 1) * per; i++) w[i] = weight[i] * scale[o];
    b[o] = (bias ? bias[o] : 0) * scale[o] + shift[o];
  }
  return { weight: w, bias: b };
}

/** Trainable parameters of batch norm over C channels (gamma and beta; the running statistics are not parameters). */
export function batchNormParameterCount(channels: number): number {
  return 2 * channels;
}
