/**
 * The convolution layer type (1-D or 2-D by its kernel's rank; groups 1), ONNX Conv semantics:
 * input [C, L] or [C, H, W], weight OIHW [O, C, kH, kW] (or [O, C, kL]), bias [O], zero padding as
 * ONNX pads [begin..., end...], strides and dilations per axis; then its activation when hidden
 * (null when batch norm follows and carries it). Forward is the reference kernel (kernels/conv.ts).
 *
 * Channels: input channel c owns its slice of every filter (the penalty group, a strided view:
 * O blocks of kH*kW); output channel o owns filter o and bias o. A constant input channel folds into
 * the bias only without zero padding (with padding the border positions read 0, not the constant).
 */
import type { Activation } from '../activations';
import { convForward, convGeometry, convMultiplyAdds, convOutputShape, type ConvGeometry } from '../kernels/conv';
import { activateInPlace, activateValue } from './activate';
import { activationOnnx } from './activation-onnx';
import type { LayerType } from './layer-type';

export interface ConvLayer {
  op: 'conv';
  cin: number;
  cout: number;
  /** Kernel size per spatial axis ([kL] or [kH, kW]); its length is the layer's rank. */
  kernel: number[];
  strides: number[];
  /** ONNX pads [begin..., end...] (2 x rank values). */
  pads: number[];
  dilations: number[];
  /** [cout, cin, ...kernel] row-major (OIHW). */
  weight: Float32Array;
  bias: Float32Array;
  /** Applied after the layer when hidden; null = linear (batch norm follows and applies it). */
  activation: Activation | null;
}

export interface ConvOptions {
  strides?: number[];
  /** Symmetric per axis, or ONNX [begin..., end...]. */
  pads?: number[];
  dilations?: number[];
  activation?: Activation | null;
}

/** A convolution from its sizes and weights (relu unless `activation` says otherwise). */
export function convLayer(
  cin: number,
  cout: number,
  kernel: number[],
  weight: Float32Array,
  bias: Float32Array,
  o: ConvOptions = {},
): ConvLayer {
  const rank = kernel.length;
  if (rank !== 1 && rank !== 2) throw new RangeError(`a convolution has 1 or 2 spatial axes, not ${rank}`);
  const pads = o.pads === undefined ? new Array<number>(2 * rank).fill(0) : o.pads.length === rank ? [...o.pads, ...o.pads] : [...o.pads];
  const l: ConvLayer = {
    op: 'conv',
    cin,
    cout,
    kernel: [...kernel],
    strides: o.strides ? [...o.strides] : new Array<number>(rank).fill(1),
    pads,
    dilations: o.dilations ? [...o.dilations] : new Array<number>(rank).fill(1),
    weight,
    bias,
    activation: o.activation === undefined ? { name: 'relu' } : o.activation,
  };
  const bad = CONV.invalid(l);
  if (bad) throw new RangeError(`convolution ${bad}`);
  return l;
}

const khw = (l: ConvLayer): number => l.kernel.reduce((a, b) => a * b, 1);

function geometry(l: ConvLayer, inShape: readonly number[]): ConvGeometry {
  if (inShape.length !== l.kernel.length + 1 || inShape[0] !== l.cin) {
    throw new RangeError(`a ${l.kernel.length}-D convolution of ${l.cin} input channels receives shape ${inShape.join('x')}`);
  }
  return convGeometry('convolution', inShape, l.cout, { kernel: l.kernel, strides: l.strides, pads: l.pads, dilations: l.dilations });
}

const hasPadding = (l: ConvLayer): boolean => l.pads.some((p) => p !== 0);

/** Whether filter o's kernel over input channel i is all zero. */
function sliceIsZero(l: ConvLayer, o: number, i: number): boolean {
  const k = khw(l);
  const s = (o * l.cin + i) * k;
  for (let j = 0; j < k; j++) if (l.weight[s + j] !== 0) return false;
  return true;
}

export const CONV: LayerType<ConvLayer> = {
  op: 'conv',
  role: 'mixing',

  invalid(l) {
    const r = l.kernel.length;
    if (r !== 1 && r !== 2) return `has a kernel of rank ${r}`;
    if (l.strides.length !== r || l.dilations.length !== r || l.pads.length !== 2 * r)
      return 'has strides, dilations or pads of the wrong length';
    if (l.weight.length !== l.cout * l.cin * khw(l) || l.bias.length !== l.cout)
      return `has ${l.weight.length} weights and ${l.bias.length} biases, expected ${l.cout}x${l.cin}x${l.kernel.join('x')} and ${l.cout}`;
    return null;
  },

  outShape: (l, inShape) => convOutputShape(geometry(l, inShape)),

  params: (l) => l.weight.length + l.bias.length,

  macs: (l, inShape) => convMultiplyAdds(geometry(l, inShape)),

  inChannels: (l) => l.cin,

  outChannels: (l) => l.cout,

  forward(l, x, rows, hidden, inShape) {
    const y = convForward(geometry(l, inShape), x, l.weight, l.bias) as Float64Array;
    if (hidden) activateInPlace(y, l.activation);
    return y;
  },

  // input channel c: for every filter o, the kH*kW block at (o*cin + c)*kHW
  groups: (l) => ({
    w: l.weight,
    groups: { offset: 0, count: l.cin, groupStride: khw(l), blocks: l.cout, blockStride: l.cin * khw(l), blockLen: khw(l) },
    b: l.bias,
  }),

  inputUnused(l, i, liveOut) {
    for (let o = 0; o < l.cout; o++) if (liveOut[o] && !sliceIsZero(l, o, i)) return false;
    return true;
  },

  outputConstant(l, o, liveIn) {
    for (let i = 0; i < l.cin; i++) if (liveIn[i] && !sliceIsZero(l, o, i)) return false;
    return true;
  },

  constantOutput: (l, b, hidden) => (hidden ? activateValue(b, l.activation) : b),

  foldInput(l, i, v, bias) {
    // every output position reads all kH*kW taps of the channel only when nothing is padded
    if (hasPadding(l)) return false;
    const k = khw(l);
    for (let o = 0; o < l.cout; o++) {
      let s = 0;
      const base = (o * l.cin + i) * k;
      for (let j = 0; j < k; j++) s += l.weight[base + j];
      bias[o] += v * s;
    }
    return true;
  },

  bias: (l) => l.bias,

  absorbAffine(l, scale, shift, activation) {
    if (l.activation !== null) return null;
    const per = l.weight.length / l.cout;
    const weight = Float32Array.from(l.weight, (w, i) => w * scale[Math.floor(i / per)]);
    const bias = Float32Array.from(l.bias, (b, o) => b * scale[o] + shift[o]);
    return { ...CONV.clone(l), weight, bias, activation: activation ? { ...activation } : null };
  },

  keep(l, inKept, outKept, given) {
    const k = khw(l);
    const weight = new Float32Array(outKept.length * inKept.length * k);
    outKept.forEach((o, a) =>
      inKept.forEach((i, b) => weight.set(l.weight.subarray((o * l.cin + i) * k, (o * l.cin + i + 1) * k), (a * inKept.length + b) * k)),
    );
    const from = given ?? l.bias;
    return { ...CONV.clone(l), cin: inKept.length, cout: outKept.length, weight, bias: Float32Array.from(outKept, (o) => from[o]) };
  },

  onnx(l, site, b) {
    const w = b.weights(`${site.prefix}.weight`, [l.cout, l.cin, ...l.kernel], l.weight);
    const bias = b.floats(`${site.prefix}.bias`, [l.cout], l.bias);
    const act = site.hidden ? l.activation : null;
    const conv = act === null && site.output !== undefined ? site.output : `${site.prefix}.conv`;
    b.node('Conv', [site.input, w, bias], [conv], `${site.prefix}.conv`, {
      ints: { kernel_shape: l.kernel, strides: l.strides, pads: l.pads, dilations: l.dilations, group: 1 },
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
