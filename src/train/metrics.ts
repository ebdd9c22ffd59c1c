/**
 * Per-epoch accuracy of a dense stack on preprocessed rows, for the training history: the
 * WebAssembly SIMD evaluator (float32) when the run trains on those kernels, else the fused
 * engine's TypeScript evaluator, whose predictions equal the reference forward pass's.
 */
import type { DenseLayer } from '../network/types';
import { StackEvaluator } from './fused/evaluate';
import { WasmStackEvaluator } from './fused/wasm-eval';

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
 * on those kernels, so they are available). */
export function accuracyMeter(
  shape: readonly DenseLayer[],
  x: Float32Array,
  y: Int32Array,
  rows: ArrayLike<number> | null,
  wasm: boolean,
): AccuracyMeter {
  if (wasm) {
    const ev = new WasmStackEvaluator(shape, x, y, rows);
    return (layers) => ev.accuracy(layers);
  }
  return (layers) => stackAccuracy(layers, x, y, rows);
}
