/**
 * The depthwise convolution layer type (1-D or 2-D by its kernel's rank): channel c of the output is
 * channel c of the input convolved with its own filter (+ its bias), ONNX Conv with group = C and
 * weight [C, 1, kH, kW] (or [C, 1, kL]); zero padding as ONNX pads [begin..., end...], strides and
 * dilations per axis; then its activation when hidden (null when batch norm follows and carries it).
 * Forward is the reference convolution kernel with group = C (kernels/conv.ts).
 *
 * Channelwise for pruning: it belongs to the channels of the mixing layer before it (as batch norm)
 * and keeps the filters of the kept channels. Its penalty groups are its own filters, one per channel
 * (a zero filter makes the channel the constant act(bias), which pruning folds and removes).
 */
import { convForward, convGeometry, convMultiplyAdds, convOutputShape, type ConvGeometry } from '../kernels/conv';
import { activateInPlace, activateValue } from './activate';
import {
  absorbPerOutput,
  cloneConvLike,
  convOnnx,
  windowInvalid,
  windowOf,
  windowSize,
  type ConvLike,
  type WindowOptions,
} from './conv-window';
import type { LayerType } from './layer-type';

export interface DepthwiseLayer extends ConvLike {
  op: 'depthwise';
  channels: number;
  /** [channels, 1, ...kernel] row-major: channel c's filter at c * kH*kW. */
  weight: Float32Array;
}

export type DepthwiseOptions = WindowOptions;

/** A depthwise convolution from its sizes and weights (relu unless `activation` says otherwise). */
export function depthwiseLayer(
  channels: number,
  kernel: number[],
  weight: Float32Array,
  bias: Float32Array,
  o: DepthwiseOptions = {},
): DepthwiseLayer {
  const l: DepthwiseLayer = { op: 'depthwise', channels, ...windowOf('depthwise convolution', kernel, o), weight, bias };
  const bad = DEPTHWISE.invalid(l);
  if (bad) throw new RangeError(`depthwise convolution ${bad}`);
  return l;
}

const khw = windowSize;

/** The reference kernel's geometry of the layer (group = channels). */
export function depthwiseGeometry(l: DepthwiseLayer, inShape: readonly number[]): ConvGeometry {
  if (inShape.length !== l.kernel.length + 1 || inShape[0] !== l.channels) {
    throw new RangeError(`a ${l.kernel.length}-D depthwise convolution of ${l.channels} channels receives shape ${inShape.join('x')}`);
  }
  return convGeometry('depthwise convolution', inShape, l.channels, {
    kernel: l.kernel,
    strides: l.strides,
    pads: l.pads,
    dilations: l.dilations,
    group: l.channels,
  });
}

export const DEPTHWISE: LayerType<DepthwiseLayer> = {
  op: 'depthwise',
  role: 'channelwise',

  invalid(l) {
    const bad = windowInvalid(l);
    if (bad) return bad;
    if (l.weight.length !== l.channels * khw(l) || l.bias.length !== l.channels)
      return `has ${l.weight.length} weights and ${l.bias.length} biases, expected ${l.channels}x1x${l.kernel.join('x')} and ${l.channels}`;
    return null;
  },

  outShape: (l, inShape) => convOutputShape(depthwiseGeometry(l, inShape)),

  params: (l) => l.weight.length + l.bias.length,

  macs: (l, inShape) => convMultiplyAdds(depthwiseGeometry(l, inShape)),

  inChannels: (l) => l.channels,

  outChannels: (l) => l.channels,

  forward(l, x, _rows, hidden, inShape) {
    const y = convForward(depthwiseGeometry(l, inShape), x, l.weight, l.bias) as Float64Array;
    if (hidden) activateInPlace(y, l.activation);
    return y;
  },

  // channel c: its own kH*kW filter (contiguous); the biases are singletons
  groups: (l) => ({
    w: l.weight,
    groups: { offset: 0, count: l.channels, groupStride: khw(l), blocks: 1, blockStride: 0, blockLen: khw(l) },
    b: l.bias,
  }),

  // a depthwise convolution is never the output layer of a network (a dense classifier follows): its activation applies
  constantThrough(l, c, v) {
    const k = khw(l);
    let sum = 0;
    let zero = true;
    for (let j = 0; j < k; j++) {
      sum += l.weight[c * k + j];
      if (l.weight[c * k + j] !== 0) zero = false;
    }
    if (zero) return activateValue(l.bias[c], l.activation);
    if (v === null) return null;
    // every output position reads all kH*kW taps of the constant only when nothing is padded
    if (l.pads.some((p) => p !== 0)) return null;
    return activateValue(v * sum + l.bias[c], l.activation);
  },

  // a batch norm after it folds into each channel's filter and bias (at export: ./fold-batchnorm.ts)
  absorbAffine: (l, scale, shift, activation) => absorbPerOutput(l, scale, shift, activation, cloneConvLike),

  keep(l, kept) {
    const k = khw(l);
    const weight = new Float32Array(kept.length * k);
    kept.forEach((c, a) => weight.set(l.weight.subarray(c * k, (c + 1) * k), a * k));
    return { ...DEPTHWISE.clone(l), channels: kept.length, weight, bias: Float32Array.from(kept, (c) => l.bias[c]) };
  },

  onnx: (l, site, b) => convOnnx(l, [l.channels, 1, ...l.kernel], l.channels, site, b),

  clone: cloneConvLike,
};
