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

export interface ConvLayer extends ConvLike {
  op: 'conv';
  cin: number;
  cout: number;
  /** [cout, cin, ...kernel] row-major (OIHW). */
  weight: Float32Array;
}

export type ConvOptions = WindowOptions;

/** A convolution from its sizes and weights (relu unless `activation` says otherwise). */
export function convLayer(
  cin: number,
  cout: number,
  kernel: number[],
  weight: Float32Array,
  bias: Float32Array,
  o: ConvOptions = {},
): ConvLayer {
  const l: ConvLayer = { op: 'conv', cin, cout, ...windowOf('convolution', kernel, o), weight, bias };
  const bad = CONV.invalid(l);
  if (bad) throw new RangeError(`convolution ${bad}`);
  return l;
}

const khw = windowSize;

/** The reference kernel's geometry of the layer on examples of `inShape`. */
export function convLayerGeometry(l: ConvLayer, inShape: readonly number[]): ConvGeometry {
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
    const bad = windowInvalid(l);
    if (bad) return bad;
    if (l.weight.length !== l.cout * l.cin * khw(l) || l.bias.length !== l.cout)
      return `has ${l.weight.length} weights and ${l.bias.length} biases, expected ${l.cout}x${l.cin}x${l.kernel.join('x')} and ${l.cout}`;
    return null;
  },

  outShape: (l, inShape) => convOutputShape(convLayerGeometry(l, inShape)),

  params: (l) => l.weight.length + l.bias.length,

  macs: (l, inShape) => convMultiplyAdds(convLayerGeometry(l, inShape)),

  inChannels: (l) => l.cin,

  outChannels: (l) => l.cout,

  forward(l, x, rows, hidden, inShape) {
    const y = convForward(convLayerGeometry(l, inShape), x, l.weight, l.bias) as Float64Array;
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

  absorbAffine: (l, scale, shift, activation) => absorbPerOutput(l, scale, shift, activation, cloneConvLike),

  keep(l, inKept, outKept, given) {
    const k = khw(l);
    const weight = new Float32Array(outKept.length * inKept.length * k);
    outKept.forEach((o, a) =>
      inKept.forEach((i, b) => weight.set(l.weight.subarray((o * l.cin + i) * k, (o * l.cin + i + 1) * k), (a * inKept.length + b) * k)),
    );
    const from = given ?? l.bias;
    return { ...CONV.clone(l), cin: inKept.length, cout: outKept.length, weight, bias: Float32Array.from(outKept, (o) => from[o]) };
  },

  onnx: (l, site, b) => convOnnx(l, [l.cout, l.cin, ...l.kernel], 1, site, b),

  clone: cloneConvLike,
};
