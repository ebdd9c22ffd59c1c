/**
 * The two int8 weight storages (LOSSY), a quarter of the weights' bytes each:
 * - 'int8': the kernel quantized symmetrically per output channel (scale_j = max_i |W_ij| / 63,
 *   7 bits: see INT8_WEIGHT_MAX; zero point 0), activations quantized dynamically per call
 *   (DynamicQuantizeLinear, uint8), MatMulInteger, then int32 -> float * (activation scale x channel
 *   scale) + bias: the graph onnxruntime's Python dynamic quantizer writes for MatMul (leading/trailing
 *   zero rows of a full-width first layer restored by a Pad folded at load).
 * - 'int8-weights' (weights only): the kernel stored as int8 per output channel (full 8-bit range,
 *   scale_j = max_i |W_ij| / 127) and turned back into float32 by a Cast and a Mul of initializers
 *   (folded once when the session loads); activations and compute stay float32, so only the weights'
 *   rounding is lost (tabular inputs of very different ranges keep their accuracy).
 * Other weight tensors (convolutions) are stored per output channel with the full range by both, and
 * computed in float32. Both standardize the input by nodes (one scale per output column cannot hold
 * a kernel with 1/std folded in).
 */
import { floatTensor, int64Tensor, intAttr, node, onnx } from '../../codec/onnx-proto';
import type { DenseLayer } from '../../network/types';
import type { GraphParts } from '../graph-parts';
import type { WeightStorage } from './types';

const DT = onnx.TensorProto.DataType;

/**
 * Largest int8 weight magnitude: 7 bits, as onnxruntime's quantizer does with reduce_range. x64
 * kernels multiply uint8 activations by int8 weights in pairs summed into int16 (VPMADDUBSW),
 * which saturates with full-range weights: measured on MNIST, 127 gave probability errors of 0.5
 * in onnxruntime-node (0.06 in onnxruntime-web), 63 keeps both close.
 */
export const INT8_WEIGHT_MAX = 63;
/** Largest weight magnitude of 'int8-weights' (dequantized to float32 before the MatMul: the full range). */
export const INT8_FULL_MAX = 127;

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

/** The int8 kernel of a dense layer as initializers (zero leading/trailing rows left out, restored by a Pad
 * of initializers only, which onnxruntime folds once when the session loads), and its scale per column. */
function int8Kernel(layer: DenseLayer, max: number, prefix: string, g: GraphParts): void {
  const { inSize, outSize } = layer;
  const { q, scale } = quantizeKernelInt8(layer, max);
  g.inits.push(floatTensor(`${prefix}.kernel_scale`, [outSize], scale));
  const p = (s: string) => `${prefix}.${s}`;
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
}

/** A weight tensor stored per output channel with the full 8-bit range, Cast and multiplied by its scales. */
function int8Weights(name: string, dims: number[], data: Float32Array, g: GraphParts): string {
  const { q, scale } = quantizeRowsInt8(data, data.length / dims[0], INT8_FULL_MAX);
  g.inits.push({ name: `${name}_int8`, dims, dataType: DT.INT8, rawData: new Uint8Array(q.buffer) });
  g.inits.push(floatTensor(`${name}_scale`, [dims[0], ...dims.slice(1).map(() => 1)], scale));
  g.nodes.push(
    node('Cast', [`${name}_int8`], [`${name}_steps`], `${name}_cast`, [intAttr('to', DT.FLOAT)]),
    node('Mul', [`${name}_steps`, `${name}_scale`], [name], `${name}_dequantize`),
  );
  return name;
}

/** The kernel int8 weights with magnitude `max` stand for. */
function dequantized(layer: DenseLayer, max: number): Float32Array {
  const { q, scale } = quantizeKernelInt8(layer, max);
  return Float32Array.from(q, (v, i) => v * scale[i % layer.outSize]);
}

export const INT8 = {
  name: 'int8',
  lossy: true,
  help: 'int8 (weights per output channel, activations quantized per call, MatMulInteger: a quarter of the bytes, fastest in onnxruntime-web with --compact-input)',
  scalesInput: true,
  linear(layer, input, out, prefix, g) {
    g.inits.push(floatTensor(`${prefix}.bias`, [layer.outSize], layer.bias));
    int8Kernel(layer, INT8_WEIGHT_MAX, prefix, g);
    const p = (s: string) => `${prefix}.${s}`;
    g.nodes.push(
      node('DynamicQuantizeLinear', [input], [p('x_q'), p('x_scale'), p('x_zero')], p('quantize_input')),
      node('MatMulInteger', [p('x_q'), p('kernel_int8'), p('x_zero')], [p('acc_int32')], p('matmul_int8')),
      node('Cast', [p('acc_int32')], [p('acc')], p('acc_cast'), [intAttr('to', DT.FLOAT)]),
      node('Mul', [p('x_scale'), p('kernel_scale')], [p('scale')], p('combine_scales')),
      node('Mul', [p('acc'), p('scale')], [p('scaled')], p('rescale')),
      node('Add', [p('scaled'), p('bias')], [out], p('add_bias')),
    );
  },
  weights: int8Weights,
  storedKernel: (layer) => dequantized(layer, INT8_WEIGHT_MAX),
} as const satisfies WeightStorage;

export const INT8_WEIGHTS = {
  name: 'int8-weights',
  lossy: true,
  help: 'int8-weights (int8 weights turned back into float32 in the graph, float compute: the same size, only the weights rounded, for inputs of very different ranges)',
  scalesInput: true,
  linear(layer, input, out, prefix, g) {
    g.inits.push(floatTensor(`${prefix}.bias`, [layer.outSize], layer.bias));
    int8Kernel(layer, INT8_FULL_MAX, prefix, g);
    const p = (s: string) => `${prefix}.${s}`;
    // Cast and Mul of initializers only: onnxruntime folds them into a float32 kernel when the
    // session loads (a DequantizeLinear is kept as a node and ran on every call: 70 µs at batch 1).
    g.nodes.push(
      node('Cast', [p('kernel_int8')], [p('kernel_steps')], p('kernel_cast'), [intAttr('to', DT.FLOAT)]),
      node('Mul', [p('kernel_steps'), p('kernel_scale')], [p('kernel')], p('kernel_dequantize')),
      node('Gemm', [input, p('kernel'), p('bias')], [out], prefix),
    );
  },
  weights: int8Weights,
  storedKernel: (layer) => dequantized(layer, INT8_FULL_MAX),
} as const satisfies WeightStorage;
