/**
 * 'float16' (LOSSY): weights stored as IEEE half floats and Cast to float32 when the session loads
 * them (onnxruntime folds the Cast once; compute stays float32). Half the weights' bytes.
 */
import { floatTensor, intAttr, node, onnx } from '../../codec/onnx-proto';
import type { GraphParts } from '../graph-parts';
import type { WeightStorage } from './types';

const DT = onnx.TensorProto.DataType;

/** float32 -> IEEE half bits, round to nearest even (subnormals and overflow to infinity handled). */
export function toHalfBits(v: number): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = v;
  const x = u[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** Half bits -> number (for tests and the reference of a float16 export). */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** `data` as a half-float initializer `${name}_fp16` and a Cast back to the float32 tensor `name`. */
function halfWeights(name: string, dims: number[], data: Float32Array, g: GraphParts): string {
  const half = Uint16Array.from(data, (v) => toHalfBits(v));
  g.inits.push({ name: `${name}_fp16`, dims, dataType: DT.FLOAT16, rawData: new Uint8Array(half.buffer) });
  g.nodes.push(node('Cast', [`${name}_fp16`], [name], `${name}_cast`, [intAttr('to', DT.FLOAT)]));
  return name;
}

export const FLOAT16 = {
  name: 'float16',
  lossy: true,
  help: 'float16 (half the bytes)',
  scalesInput: false,
  linear(layer, input, out, prefix, g) {
    g.inits.push(floatTensor(`${prefix}.bias`, [layer.outSize], layer.bias));
    halfWeights(`${prefix}.kernel`, [layer.inSize, layer.outSize], layer.kernel, g);
    g.nodes.push(node('Gemm', [input, `${prefix}.kernel`, `${prefix}.bias`], [out], prefix));
  },
  weights: halfWeights,
  storedKernel: (layer) => Float32Array.from(layer.kernel, (v) => fromHalfBits(toHalfBits(v))),
} as const satisfies WeightStorage;
