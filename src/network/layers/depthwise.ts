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
import type { Activation } from '../activations';
import { convForward, convGeometry, convMultiplyAdds, convOutputShape, type ConvGeometry } from '../kernels/conv';
import { activateInPlace, activateValue } from './activate';
import { activationOnnx } from './activation-onnx';
import type { LayerType } from './layer-type';

export interface DepthwiseLayer {
  op: 'depthwise';
  channels: number;
  /** Kernel size per spatial axis ([kL] or [kH, kW]); its length is the layer's rank. */
  kernel: number[];
  strides: number[];
  /** ONNX pads [begin..., end...] (2 x rank values). */
  pads: number[];
  dilations: number[];
  /** [channels, 1, ...kernel] row-major: channel c's filter at c * kH*kW. */
  weight: Float32Array;
  bias: Float32Array;
  /** Applied after the layer when hidden; null = linear (batch norm follows and applies it). */
  activation: Activation | null;
}

export interface DepthwiseOptions {
  strides?: number[];
  /** Symmetric per axis, or ONNX [begin..., end...]. */
  pads?: number[];
  dilations?: number[];
  activation?: Activation | null;
}

/** A depthwise convolution from its sizes and weights (relu unless `activation` says otherwise). */
export function depthwiseLayer(
  channels: number,
  kernel: number[],
  weight: Float32Array,
  bias: Float32Array,
  o: DepthwiseOptions = {},
): DepthwiseLayer {
  const rank = kernel.length;
  if (rank !== 1 && rank !== 2) throw new RangeError(`a depthwise convolution has 1 or 2 spatial axes, not ${rank}`);
  const pads = o.pads === undefined ? new Array<number>(2 * rank).fill(0) : o.pads.length === rank ? [...o.pads, ...o.pads] : [...o.pads];
  const l: DepthwiseLayer = {
    op: 'depthwise',
    channels,
    kernel: [...kernel],
    strides: o.strides ? [...o.strides] : new Array<number>(rank).fill(1),
    pads,
    dilations: o.dilations ? [...o.dilations] : new Array<number>(rank).fill(1),
    weight,
    bias,
    activation: o.activation === undefined ? { name: 'relu' } : o.activation,
  };
  const bad = DEPTHWISE.invalid(l);
  if (bad) throw new RangeError(`depthwise convolution ${bad}`);
  return l;
}

const khw = (l: DepthwiseLayer): number => l.kernel.reduce((a, b) => a * b, 1);

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
    const r = l.kernel.length;
    if (r !== 1 && r !== 2) return `has a kernel of rank ${r}`;
    if (l.strides.length !== r || l.dilations.length !== r || l.pads.length !== 2 * r)
      return 'has strides, dilations or pads of the wrong length';
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
  absorbAffine(l, scale, shift, activation) {
    if (l.activation !== null) return null;
    const k = khw(l);
    const weight = Float32Array.from(l.weight, (w, i) => w * scale[Math.floor(i / k)]);
    const bias = Float32Array.from(l.bias, (b, c) => b * scale[c] + shift[c]);
    return { ...DEPTHWISE.clone(l), weight, bias, activation: activation ? { ...activation } : null };
  },

  keep(l, kept) {
    const k = khw(l);
    const weight = new Float32Array(kept.length * k);
    kept.forEach((c, a) => weight.set(l.weight.subarray(c * k, (c + 1) * k), a * k));
    return { ...DEPTHWISE.clone(l), channels: kept.length, weight, bias: Float32Array.from(kept, (c) => l.bias[c]) };
  },

  onnx(l, site, b) {
    const w = b.weights(`${site.prefix}.weight`, [l.channels, 1, ...l.kernel], l.weight);
    const bias = b.floats(`${site.prefix}.bias`, [l.channels], l.bias);
    const act = site.hidden ? l.activation : null;
    const conv = act === null && site.output !== undefined ? site.output : `${site.prefix}.conv`;
    b.node('Conv', [site.input, w, bias], [conv], `${site.prefix}.conv`, {
      ints: { kernel_shape: l.kernel, strides: l.strides, pads: l.pads, dilations: l.dilations, group: l.channels },
    });
    const out = act === null ? conv : activationOnnx(act, conv, site.prefix, b);
    if (site.output === undefined || site.output === out) return out;
    b.node('Identity', [out], [site.output], `${site.prefix}.output`);
    return site.output;
  },

  clone: (l) => ({
    ...l,
    kernel: [...l.kernel],
    strides: [...l.strides],
    pads: [...l.pads],
    dilations: [...l.dilations],
    weight: l.weight.slice(),
    bias: l.bias.slice(),
    activation: l.activation ? { ...l.activation } : null,
  }),
};
