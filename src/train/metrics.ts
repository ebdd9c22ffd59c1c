/**
 * Per-epoch accuracy of a dense stack on preprocessed rows, for the training history. It uses
 * the fused engine's evaluator, whose predictions equal the reference forward pass's.
 */
import type { DenseLayer } from '../network/types';
import { StackEvaluator } from './fused/evaluate';

/** Accuracy of the stack on preprocessed rows x (all rows, or those listed in `rows`). */
export function stackAccuracy(layers: readonly DenseLayer[], x: Float32Array, y: Int32Array, rows: ArrayLike<number> | null = null): number {
  return new StackEvaluator(layers).accuracy(x, y, rows);
}
