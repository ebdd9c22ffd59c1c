/**
 * The export's weight storage, by name: the nodes of one dense layer's linear part (x @ kernel +
 * bias) and of one weight tensor, as the storage table (./weight-storage/table.ts) says:
 * - float32 (default, exact): one Gemm.
 * - 'float16' (LOSSY): weights stored as float16 and Cast to float32 at load (half the bytes).
 * - 'int8' (LOSSY): int8 weights per output channel, activations quantized per call, MatMulInteger.
 * - 'int8-weights' (LOSSY, weights only): int8 weights turned back into float32 in the graph.
 * Each storage is its own file in ./weight-storage/; all run in onnxruntime-node and onnxruntime-web
 * (CPU / WebAssembly kernels).
 */
import type { DenseLayer } from '../network/types';
import type { GraphParts } from './graph-parts';
import { storageOf, type Quantize } from './weight-storage/table';

export { FLOAT32, QUANTIZE_CHOICES, QUANTIZED_STORAGES, storageOf, type Quantize, type WeightStorage } from './weight-storage/table';
export { fromHalfBits, toHalfBits } from './weight-storage/float16';
export { INT8_FULL_MAX, INT8_WEIGHT_MAX, quantizeKernelInt8, quantizeRowsInt8 } from './weight-storage/int8';

/** Emits `out = input @ layer.kernel + layer.bias` in the given weight storage. */
export function linearNodes(layer: DenseLayer, input: string, out: string, prefix: string, quantize: Quantize | null, g: GraphParts): void {
  storageOf(quantize).linear(layer, input, out, prefix, g);
}

/**
 * A weight tensor (first axis: output channels) in the export's storage, as a float32 tensor named
 * `name`: float32 as it is; float16 stored and Cast; int8 (both int8 forms: a convolution computes
 * in float32) stored per output channel with the full 8-bit range, Cast and multiplied by its scales.
 */
export function storedWeightNodes(name: string, dims: number[], data: Float32Array, quantize: Quantize | null, g: GraphParts): string {
  return storageOf(quantize).weights(name, dims, data, g);
}

/**
 * The network a quantized export computes in exact arithmetic on its weights (float16: the
 * rounded kernels; int8: dequantized kernels; activation rounding not included): what a lossy
 * export's accuracy is compared with, beside the float network itself.
 */
export function storedKernel(layer: DenseLayer, quantize: Quantize | null): Float32Array {
  return storageOf(quantize).storedKernel(layer);
}
