/**
 * Per-epoch accuracy of a dense stack on preprocessed rows, for the training history: the
 * WebAssembly SIMD evaluator (float32) when the run trains on those kernels, else the fused
 * engine's TypeScript evaluator, whose predictions equal the reference forward pass's.
 */
import type { DenseLayer } from '../network/types';
import { StackEvaluator } from './fused/evaluate';
import { WasmStackEvaluator } from './fused/wasm-eval';
import { selectColumns } from '../data/columns';
import type { InputColumns } from './types';

/** Accuracy of the stack on preprocessed rows x (all rows, or those listed in `rows`). */
export function stackAccuracy(
  layers: readonly DenseLayer[],
  x: Float32Array,
  y: Int32Array,
  rows: ArrayLike<number> | null = null,
): number {
  return new StackEvaluator(layers).accuracy(x, y, rows);
}

/** Measures accuracy on fixed rows again and again as the weights change. */
export type AccuracyMeter = (layers: readonly DenseLayer[]) => number;

/** A meter for rows of x (all, or `rows`); wasm: use the WebAssembly evaluator (the run trains
 * on those kernels, so they are available). With `columns`, x holds rows of columns.width values
 * of which the network reads columns.keep (gathered into its memory at each evaluation by the
 * WebAssembly evaluator, copied once for the TypeScript one). */
export function accuracyMeter(
  shape: readonly DenseLayer[],
  x: Float32Array,
  y: Int32Array,
  rows: ArrayLike<number> | null,
  wasm: boolean,
  columns: InputColumns | null = null,
): AccuracyMeter {
  if (wasm) {
    const ev = new WasmStackEvaluator(shape, x, y, rows, columns);
    return (layers) => ev.accuracy(layers);
  }
  const xs = columns ? selectColumns(x, y.length, columns.width, columns.keep) : x;
  return (layers) => stackAccuracy(layers, xs, y, rows);
}
