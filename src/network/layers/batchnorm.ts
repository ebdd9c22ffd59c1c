/**
 * The batch normalization layer type in evaluation mode (running statistics; kernels/batchnorm.ts):
 * y_c = gamma_c * (x_c - mean_c) / sqrt(var_c + eps) + beta_c over every position of channel c,
 * then its activation when hidden (conv -> BN -> ReLU: the convolution is linear and the batch norm
 * carries the ReLU). Channelwise. Parameters: gamma and beta (the running statistics are buffers,
 * as arch.ts and PyTorch count). Exported as a BatchNormalization node (not folded into the conv).
 * A zero gamma makes its channel the constant act(beta): pruning removes and folds it.
 */
import type { Activation } from '../activations';
import { BN_EPSILON, batchNormEvalForward, batchNormParameterCount } from '../kernels/batchnorm';
import { activateInPlace, activateValue, size } from './activate';
import { nodeThenActivation } from './activation-onnx';
import type { LayerType } from './layer-type';

export interface BatchNormLayer {
  op: 'batchnorm';
  channels: number;
  gamma: Float32Array;
  beta: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
  epsilon: number;
  /** Applied after it when hidden; null = none. */
  activation: Activation | null;
}

/** Batch norm over `channels` with PyTorch's initial state (gamma 1, beta 0, mean 0, var 1), relu after it. */
export function batchNormLayer(channels: number, activation: Activation | null = { name: 'relu' }): BatchNormLayer {
  return {
    op: 'batchnorm',
    channels,
    gamma: new Float32Array(channels).fill(1),
    beta: new Float32Array(channels),
    runningMean: new Float32Array(channels),
    runningVar: new Float32Array(channels).fill(1),
    epsilon: BN_EPSILON,
    activation,
  };
}

const STATS = ['gamma', 'beta', 'runningMean', 'runningVar'] as const;

export const BATCHNORM: LayerType<BatchNormLayer> = {
  op: 'batchnorm',
  role: 'channelwise',
  invalid: (l) => {
    const bad = STATS.find((k) => l[k].length !== l.channels);
    return bad ? `has ${l[bad].length} ${bad} values for ${l.channels} channels` : null;
  },
  outShape(l, inShape) {
    if (inShape[0] !== l.channels) throw new RangeError(`batch norm of ${l.channels} channels receives shape ${inShape.join('x')}`);
    return [...inShape];
  },
  params: (l) => batchNormParameterCount(l.channels),
  macs: () => 0,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels,
  forward(l, x, _rows, hidden, inShape) {
    const y = batchNormEvalForward(x, l.channels, size(inShape.slice(1)), l) as Float64Array;
    if (hidden) activateInPlace(y, l.activation);
    return y;
  },
  groups: () => null,
  // batch norm is never the output layer of a network (a dense classifier follows): its activation applies
  constantThrough(l, c, v) {
    const scale = l.gamma[c] / Math.sqrt(l.runningVar[c] + l.epsilon);
    const shift = l.beta[c] - l.runningMean[c] * scale;
    if (v === null) return scale === 0 ? activateValue(shift, l.activation) : null;
    return activateValue(v * scale + shift, l.activation);
  },
  keep: (l, kept) => {
    const pick = (a: Float32Array) => Float32Array.from(kept, (c) => a[c]);
    return {
      ...BATCHNORM.clone(l),
      channels: kept.length,
      gamma: pick(l.gamma),
      beta: pick(l.beta),
      runningMean: pick(l.runningMean),
      runningVar: pick(l.runningVar),
    };
  },
  onnx(l, site, b) {
    const p = site.prefix;
    const inputs = [site.input, b.floats(`${p}.gamma`, [l.channels], l.gamma), b.floats(`${p}.beta`, [l.channels], l.beta)];
    inputs.push(b.floats(`${p}.mean`, [l.channels], l.runningMean), b.floats(`${p}.var`, [l.channels], l.runningVar));
    return nodeThenActivation(site, site.hidden ? l.activation : null, 'bn', b, (out) =>
      b.node('BatchNormalization', inputs, [out], `${p}.bn`, { floats: { epsilon: l.epsilon } }),
    );
  },
  clone: (l) => ({
    ...l,
    gamma: l.gamma.slice(),
    beta: l.beta.slice(),
    runningMean: l.runningMean.slice(),
    runningVar: l.runningVar.slice(),
    activation: l.activation ? { ...l.activation } : null,
  }),
};
