/**
 * The nodes of one dense layer's linear part (x @ kernel + bias), the table of weight storages
 * the exporter supports:
 * - float32 (default, exact): one Gemm.
 * - 'float16' (LOSSY): kernel stored as float16 and Cast to float32 when the session loads it
 *   (onnxruntime folds the Cast once; compute stays float32). Halves the weights.
 * - 'int8' (LOSSY): kernel quantized symmetrically per output channel (scale_j = max_i |W_ij| /
 *   63, 7 bits: see INT8_WEIGHT_MAX; zero point 0), activations quantized dynamically per call (DynamicQuantizeLinear, uint8),
 *   MatMulInteger, then int32 -> float * (activation scale x channel scale) + bias: the graph
 *   onnxruntime's Python dynamic quantizer writes for MatMul. A quarter of the weights' bytes
 *   (leading/trailing zero rows of a full-width first layer restored by a Pad folded at load).
 * - 'int8-weights' (LOSSY, weights only): the kernel stored as int8 per output channel (full 8-bit
 *   range, scale_j = max_i |W_ij| / 127) and turned back into float32 by a Cast and a Mul of
 *   initializers (folded once when the session loads); activations and compute stay float32, so only the weights' rounding is lost
 *   (tabular inputs of very different ranges keep their accuracy). The same quarter of the bytes.
 * All run in onnxruntime-node and onnxruntime-web (CPU / WebAssembly kernels).
 */
import type { DenseLayer } from '../network/types';
import type { GraphParts } from './graph-parts';
import { floatTensor, int64Tensor, intAttr, node, onnx } from '../codec/onnx-proto';

export type Quantize = 'int8' | 'int8-weights' | 'float16';
export const QUANTIZE_CHOICES: readonly Quantize[] = ['int8', 'int8-weights', 'float16'];

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

/**
 * Largest int8 weight magnitude: 7 bits, as onnxruntime's quantizer does with reduce_range. x64
 * kernels multiply uint8 activations by int8 weights in pairs summed into int16 (VPMADDUBSW),
 * which saturates with full-range weights: measured on MNIST, 127 gave probability errors of 0.5
 * in onnxruntime-node (0.06 in onnxruntime-web), 63 keeps both close.
 */
export const INT8_WEIGHT_MAX = 63;
/** Largest weight magnitude of 'int8-weights' (dequantized to float32 before the MatMul: the full range). */
export const INT8_FULL_MAX = 127;

/** The largest stored weight magnitude of an int8 form: the full range when the MatMul runs in float32. */
function int8WeightMax(quantize: Quantize): number {
  return quantize === 'int8-weights' ? INT8_FULL_MAX : INT8_WEIGHT_MAX;
}

/** Per-output-channel symmetric int8 weights: kernel [in, out] -> int8 values and a scale per column. */
export function quantizeKernelInt8(layer: DenseLayer, max = INT8_WEIGHT_MAX): { q: Int8Array; scale: Float32Array } {
  const { inSize, outSize, kernel } = layer;
  const scale = new Float32Array(outSize);
  for (let j = 0; j < outSize; j++) {
    let m = 0;
    for (let i = 0; i < inSize; i++) m = Math.max(m, Math.abs(kernel[i * outSize + j]));
    scale[j] = m > 0 ? m / max : 1;
  }
  const q = new Int8Array(kernel.length);
  for (let i = 0; i < inSize; i++) {
    for (let j = 0; j < outSize; j++) q[i * outSize + j] = Math.max(-max, Math.min(max, Math.round(kernel[i * outSize + j] / scale[j])));
  }
  return { q, scale };
}

/** Emits `out = input @ layer.kernel + layer.bias` in the given weight storage. */
export function linearNodes(layer: DenseLayer, input: string, out: string, prefix: string, quantize: Quantize | null, g: GraphParts): void {
  const { inSize, outSize } = layer;
  g.inits.push(floatTensor(`${prefix}.bias`, [outSize], layer.bias));
  if (quantize === null) {
    g.inits.push(floatTensor(`${prefix}.kernel`, [inSize, outSize], layer.kernel));
    g.nodes.push(node('Gemm', [input, `${prefix}.kernel`, `${prefix}.bias`], [out], prefix));
    return;
  }
  if (quantize === 'float16') {
    const half = Uint16Array.from(layer.kernel, (v) => toHalfBits(v));
    g.inits.push({ name: `${prefix}.kernel_fp16`, dims: [inSize, outSize], dataType: DT.FLOAT16, rawData: new Uint8Array(half.buffer) });
    g.nodes.push(node('Cast', [`${prefix}.kernel_fp16`], [`${prefix}.kernel`], `${prefix}.kernel_cast`, [intAttr('to', DT.FLOAT)]));
    g.nodes.push(node('Gemm', [input, `${prefix}.kernel`, `${prefix}.bias`], [out], prefix));
    return;
  }
  const weightsOnly = quantize === 'int8-weights';
  const { q, scale } = quantizeKernelInt8(layer, int8WeightMax(quantize));
  g.inits.push(floatTensor(`${prefix}.kernel_scale`, [outSize], scale));
  const p = (s: string) => `${prefix}.${s}`;
  // Leading and trailing zero rows (columns a full-width input does not use) are not stored: a Pad
  // of initializers only, which onnxruntime folds once when the session loads.
  let lo = 0;
  let hi = inSize;
  const zeroRow = (i: number) => q.subarray(i * outSize, (i + 1) * outSize).every((v) => v === 0);
  while (lo < hi && zeroRow(lo)) lo++;
  while (hi > lo && zeroRow(hi - 1)) hi--;
  if (hi - lo < inSize && hi > lo) {
    const kept = q.slice(lo * outSize, hi * outSize);
    g.inits.push({ name: p('kernel_int8_rows'), dims: [hi - lo, outSize], dataType: DT.INT8, rawData: new Uint8Array(kept.buffer) });
    g.inits.push(int64Tensor(p('kernel_pads'), [4], [lo, 0, inSize - hi, 0]));
    g.nodes.push(node('Pad', [p('kernel_int8_rows'), p('kernel_pads')], [p('kernel_int8')], p('kernel_pad')));
  } else {
    g.inits.push({ name: p('kernel_int8'), dims: [inSize, outSize], dataType: DT.INT8, rawData: new Uint8Array(q.buffer) });
  }
  if (weightsOnly) {
    // Cast and Mul of initializers only: onnxruntime folds them into a float32 kernel when the
    // session loads (a DequantizeLinear is kept as a node and ran on every call: 70 µs at batch 1).
    g.nodes.push(
      node('Cast', [p('kernel_int8')], [p('kernel_steps')], p('kernel_cast'), [intAttr('to', DT.FLOAT)]),
      node('Mul', [p('kernel_steps'), p('kernel_scale')], [p('kernel')], p('kernel_dequantize')),
      node('Gemm', [input, p('kernel'), p('bias')], [out], prefix),
    );
    return;
  }
  g.nodes.push(
    node('DynamicQuantizeLinear', [input], [p('x_q'), p('x_scale'), p('x_zero')], p('quantize_input')),
    node('MatMulInteger', [p('x_q'), p('kernel_int8'), p('x_zero')], [p('acc_int32')], p('matmul_int8')),
    node('Cast', [p('acc_int32')], [p('acc')], p('acc_cast'), [intAttr('to', DT.FLOAT)]),
    node('Mul', [p('x_scale'), p('kernel_scale')], [p('scale')], p('combine_scales')),
    node('Mul', [p('acc'), p('scale')], [p('scaled')], p('rescale')),
    node('Add', [p('scaled'), p('bias')], [out], p('add_bias')),
  );
}

/** Symmetric int8 per output channel of a weight tensor whose first axis is the output channels
 * (`per` values each): the values and a scale per channel. */
export function quantizeRowsInt8(data: Float32Array, per: number, max: number): { q: Int8Array; scale: Float32Array } {
  const channels = data.length / per;
  const scale = new Float32Array(channels);
  const q = new Int8Array(data.length);
  for (let o = 0; o < channels; o++) {
    let m = 0;
    for (let i = o * per; i < (o + 1) * per; i++) m = Math.max(m, Math.abs(data[i]));
    scale[o] = m > 0 ? m / max : 1;
    for (let i = o * per; i < (o + 1) * per; i++) q[i] = Math.max(-max, Math.min(max, Math.round(data[i] / scale[o])));
  }
  return { q, scale };
}

/**
 * A weight tensor (first axis: output channels) in the export's storage, as a float32 tensor named
 * `name`: float32 as it is; float16 stored and Cast; int8 (both int8 forms: a convolution computes
 * in float32) stored per output channel with the full 8-bit range, Cast and multiplied by its scales.
 * Cast and Mul of initializers only: onnxruntime folds them once when the session loads.
 */
export function storedWeightNodes(name: string, dims: number[], data: Float32Array, quantize: Quantize | null, g: GraphParts): string {
  if (quantize === null) {
    g.inits.push(floatTensor(name, dims, data));
    return name;
  }
  if (quantize === 'float16') {
    const half = Uint16Array.from(data, (v) => toHalfBits(v));
    g.inits.push({ name: `${name}_fp16`, dims, dataType: DT.FLOAT16, rawData: new Uint8Array(half.buffer) });
    g.nodes.push(node('Cast', [`${name}_fp16`], [name], `${name}_cast`, [intAttr('to', DT.FLOAT)]));
    return name;
  }
  const { q, scale } = quantizeRowsInt8(data, data.length / dims[0], INT8_FULL_MAX);
  g.inits.push({ name: `${name}_int8`, dims, dataType: DT.INT8, rawData: new Uint8Array(q.buffer) });
  g.inits.push(floatTensor(`${name}_scale`, [dims[0], ...dims.slice(1).map(() => 1)], scale));
  g.nodes.push(
    node('Cast', [`${name}_int8`], [`${name}_steps`], `${name}_cast`, [intAttr('to', DT.FLOAT)]),
    node('Mul', [`${name}_steps`, `${name}_scale`], [name], `${name}_dequantize`),
  );
  return name;
}

/**
 * The network a quantized export computes in exact arithmetic on its weights (float16: the
 * rounded kernels; int8: dequantized kernels; activation rounding not included): what a lossy
 * export's accuracy is compared with, beside the float network itself.
 */
export function storedKernel(layer: DenseLayer, quantize: Quantize | null): Float32Array {
  if (quantize === null) return layer.kernel;
  if (quantize === 'float16') return Float32Array.from(layer.kernel, (v) => fromHalfBits(toHalfBits(v)));
  const { q, scale } = quantizeKernelInt8(layer, int8WeightMax(quantize));
  const { outSize } = layer;
  return Float32Array.from(q, (v, i) => v * scale[i % outSize]);
}
