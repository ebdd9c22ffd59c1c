/**
 * What the convolution-like layer types (./conv.ts, ./depthwise.ts) share: the window attributes
 * (kernel, strides, ONNX pads [begin..., end...], dilations) with their defaults and checks, a batch
 * norm folded into each output channel's filter and bias, the ONNX Conv node, and a deep copy.
 */
import type { Activation } from '../activations';
import { nodeThenActivation } from './activation-onnx';
import type { OnnxBuilder, OnnxSite } from './onnx-builder';

export interface ConvWindow {
  /** Kernel size per spatial axis ([kL] or [kH, kW]); its length is the layer's rank. */
  kernel: number[];
  strides: number[];
  /** ONNX pads [begin..., end...] (2 x rank values). */
  pads: number[];
  dilations: number[];
}

/** A convolution-like layer: its window, weights laid out by output channel, bias and activation. */
export interface ConvLike extends ConvWindow {
  weight: Float32Array;
  bias: Float32Array;
  /** Applied after the layer when hidden; null = linear (batch norm follows and applies it). */
  activation: Activation | null;
}

export interface WindowOptions {
  strides?: number[];
  /** Symmetric per axis, or ONNX [begin..., end...]. */
  pads?: number[];
  dilations?: number[];
  activation?: Activation | null;
}

/** The window of `kernel` with the options' strides, pads and dilations (defaults 1, 0, 1) and activation (default relu). */
export function windowOf(what: string, kernel: number[], o: WindowOptions): ConvWindow & { activation: Activation | null } {
  const rank = kernel.length;
  if (rank !== 1 && rank !== 2) throw new RangeError(`a ${what} has 1 or 2 spatial axes, not ${rank}`);
  return {
    kernel: [...kernel],
    strides: o.strides ? [...o.strides] : new Array<number>(rank).fill(1),
    pads: o.pads === undefined ? new Array<number>(2 * rank).fill(0) : o.pads.length === rank ? [...o.pads, ...o.pads] : [...o.pads],
    dilations: o.dilations ? [...o.dilations] : new Array<number>(rank).fill(1),
    activation: o.activation === undefined ? { name: 'relu' } : o.activation,
  };
}

/** What is wrong with a window's rank or attribute lengths, or null. */
export function windowInvalid(l: ConvWindow): string | null {
  const r = l.kernel.length;
  if (r !== 1 && r !== 2) return `has a kernel of rank ${r}`;
  if (l.strides.length !== r || l.dilations.length !== r || l.pads.length !== 2 * r)
    return 'has strides, dilations or pads of the wrong length';
  return null;
}

/** Values per kernel window (kH*kW, or kL). */
export const windowSize = (l: ConvWindow): number => l.kernel.reduce((a, b) => a * b, 1);

/** `l` followed by y * scale[o] + shift[o] per output channel, then `activation`: its filters and biases rescaled (null when `l` applies an activation of its own). */
export function absorbPerOutput<L extends ConvLike>(
  l: L,
  scale: Float64Array,
  shift: Float64Array,
  activation: Activation | null,
  clone: (l: L) => L,
): L | null {
  if (l.activation !== null) return null;
  const per = l.weight.length / l.bias.length;
  const weight = Float32Array.from(l.weight, (w, i) => w * scale[Math.floor(i / per)]);
  const bias = Float32Array.from(l.bias, (b, o) => b * scale[o] + shift[o]);
  return { ...clone(l), weight, bias, activation: activation ? { ...activation } : null };
}

/** The ONNX Conv node of a layer (weight of `dims`, `group` groups) and its activation when hidden. */
export function convOnnx(l: ConvLike, dims: number[], group: number, site: OnnxSite, b: OnnxBuilder): string {
  const w = b.weights(`${site.prefix}.weight`, dims, l.weight);
  const bias = b.floats(`${site.prefix}.bias`, [dims[0]], l.bias);
  return nodeThenActivation(site, site.hidden ? l.activation : null, 'conv', b, (out) =>
    b.node('Conv', [site.input, w, bias], [out], `${site.prefix}.conv`, {
      ints: { kernel_shape: l.kernel, strides: l.strides, pads: l.pads, dilations: l.dilations, group },
    }),
  );
}

/** A deep copy of a convolution-like layer. */
export function cloneConvLike<L extends ConvLike>(l: L): L {
  return {
    ...l,
    kernel: [...l.kernel],
    strides: [...l.strides],
    pads: [...l.pads],
    dilations: [...l.dilations],
    weight: l.weight.slice(),
    bias: l.bias.slice(),
    activation: l.activation ? { ...l.activation } : null,
  };
}
