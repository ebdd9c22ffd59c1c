/**
 * What a weight storage of the ONNX export is: how one dense layer's linear part and one weight
 * tensor are written as nodes and initializers, and the kernel the stored weights stand for. The
 * storages are the entries of ./table.ts; every storage but float32 is lossy and is a `--quantize`
 * choice of `prune` (pipeline/export-formats reads them from the table).
 */
import type { DenseLayer } from '../../network/types';
import type { GraphParts } from '../graph-parts';

export interface WeightStorage {
  /** Its name: the `--quantize` value (float32: the exact storage, no --quantize), ONNX metadata and manifest's `quantization`. */
  readonly name: string;
  /** True when the stored weights differ from the network's (then verified by accuracy, not exactly). */
  readonly lossy: boolean;
  /** Its clause of `prune --help`'s --quantize text ("name (what it stores, its size, when to use it)"). */
  readonly help: string;
  /** Standardization applied to the input by nodes (Sub, Mul) rather than folded into the first kernel: a storage
   * with one scale per output column cannot hold rows of very different sizes (see onnx/export.ts denseChain). */
  readonly scalesInput: boolean;
  /** Emits `out = input @ layer.kernel + layer.bias`. */
  linear(layer: DenseLayer, input: string, out: string, prefix: string, g: GraphParts): void;
  /** A weight tensor (first axis: output channels) stored this way, as a float32 tensor named `name`; returns `name`. */
  weights(name: string, dims: number[], data: Float32Array, g: GraphParts): string;
  /** The kernel the stored weights stand for, in exact arithmetic (activation rounding not included). */
  storedKernel(layer: DenseLayer): Float32Array;
}
