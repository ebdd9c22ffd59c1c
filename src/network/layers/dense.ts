/**
 * The dense (fully connected) layer type: y = x @ kernel + bias, then the layer's activation when
 * it is a hidden layer. Its channels are its units (channels of size 1); input channel i owns
 * kernel row i (the unit's group), output channel j owns kernel column j and bias entry j.
 */
import { activationFn, activationOf } from '../activations';
import type { Activation } from '../activations';
import { activationOnnx } from './activation-onnx';
import { rowGroups } from './group-view';
import type { LayerType } from './layer-type';

/** A fully connected layer. kernel is [inSize, outSize] row-major (tfjs Dense / ONNX MatMul layout):
 * row i holds the outgoing weights of input unit i, which is that unit's group. */
export interface DenseLayer {
  op: 'dense';
  inSize: number;
  outSize: number;
  kernel: Float32Array; // length inSize*outSize, element (i, j) at i*outSize + j
  bias: Float32Array; // length outSize
  /** Activation applied after this layer when it is a hidden layer (absent = relu; see
   * network/activations.ts). The output layer is always linear (logits). */
  activation?: Activation;
}

/** A dense layer from its sizes and weights (relu when hidden unless `activation` says otherwise). */
export function denseLayer(kernel: Float32Array, bias: Float32Array, inSize: number, outSize: number, activation?: Activation): DenseLayer {
  if (kernel.length !== inSize * outSize || bias.length !== outSize) {
    throw new RangeError(`dense layer ${inSize}x${outSize}: kernel has ${kernel.length} values, bias ${bias.length}`);
  }
  return { op: 'dense', inSize, outSize, kernel, bias, ...(activation ? { activation } : {}) };
}

function flatSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export const DENSE: LayerType<DenseLayer> = {
  op: 'dense',
  role: 'mixing',

  invalid: (l) =>
    l.kernel.length !== l.inSize * l.outSize || l.bias.length !== l.outSize
      ? `has ${l.kernel.length} weights and ${l.bias.length} biases, expected ${l.inSize}x${l.outSize} and ${l.outSize}`
      : null,

  outShape(l, inShape) {
    if (flatSize(inShape) !== l.inSize) {
      throw new RangeError(`a dense layer of ${l.inSize} inputs receives ${flatSize(inShape)} values (shape ${inShape.join('x')})`);
    }
    return [l.outSize];
  },

  params: (l) => l.kernel.length + l.bias.length,

  macs: (l) => l.inSize * l.outSize,

  inChannels: (l) => l.inSize,

  outChannels: (l) => l.outSize,

  forward(l, x, rows, hidden) {
    const n = l.outSize;
    const width = l.inSize;
    const out = new Float64Array(rows * n);
    const activation = activationOf(l);
    const relu = activation.name === 'relu';
    const act = activationFn(activation);
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) out[o + j] = l.bias[j];
      for (let i = 0; i < width; i++) {
        const a = x[r * width + i];
        if (a === 0) continue;
        const ko = i * n;
        for (let j = 0; j < n; j++) out[o + j] += a * l.kernel[ko + j];
      }
      if (hidden && relu) for (let j = 0; j < n; j++) if (out[o + j] < 0) out[o + j] = 0;
      if (hidden && !relu) for (let j = 0; j < n; j++) out[o + j] = act(out[o + j]);
    }
    return out;
  },

  groups: (l) => ({ w: l.kernel, groups: rowGroups(l.inSize, l.outSize), b: l.bias }),

  inputUnused(l, i, liveOut) {
    const n = l.outSize;
    for (let j = 0; j < n; j++) if (liveOut[j] && l.kernel[i * n + j] !== 0) return false;
    return true;
  },

  outputConstant(l, j, liveIn) {
    const n = l.outSize;
    for (let i = 0; i < l.inSize; i++) if (liveIn[i] && l.kernel[i * n + j] !== 0) return false;
    return true;
  },

  constantOutput: (l, b, hidden) => (hidden ? activationFn(activationOf(l))(b) : b),

  foldInput(l, i, v, bias) {
    const n = l.outSize;
    for (let j = 0; j < n; j++) bias[j] += v * l.kernel[i * n + j];
    return true;
  },

  bias: (l) => l.bias,

  keep(l, inKept, outKept, given) {
    const n = l.outSize;
    const m = outKept.length;
    const kernel = new Float32Array(inKept.length * m);
    inKept.forEach((i, a) => outKept.forEach((j, b) => (kernel[a * m + b] = l.kernel[i * n + j])));
    const from = given ?? l.bias;
    const bias = Float32Array.from(outKept, (j) => from[j]);
    return denseLayer(kernel, bias, inKept.length, m, l.activation);
  },

  onnx(l, site, b) {
    if (!site.hidden) {
      const out = site.output ?? `${site.prefix}.linear`;
      b.linear(l.kernel, l.bias, l.inSize, l.outSize, site.input, out, site.prefix);
      return out;
    }
    const linear = `${site.prefix}.linear`;
    b.linear(l.kernel, l.bias, l.inSize, l.outSize, site.input, linear, site.prefix);
    const act = activationOnnx(activationOf(l), linear, site.prefix, b);
    if (site.output === undefined || site.output === act) return act;
    b.node('Identity', [act], [site.output], `${site.prefix}.output`);
    return site.output;
  },

  clone: (l) => ({ ...l, kernel: l.kernel.slice(), bias: l.bias.slice(), ...(l.activation ? { activation: { ...l.activation } } : {}) }),
};
