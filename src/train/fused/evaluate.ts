/**
 * Fast evaluation of a dense ReLU stack on preprocessed rows, for the per-epoch accuracies of
 * the training loop. It runs the fused engine's row kernels (nonzero inputs only, blocks of 8
 * outputs in float64) with no allocation per row, and adds the same terms in the same order as
 * the reference forward pass (network/forward.ts), so its predictions equal the reference's.
 */
import type { DenseLayer } from '../../network/types';
import { activationFn, activationOf } from '../../network/activations';
import { forwardRow, gatherNonzero32, gatherNonzero64 } from './kernels';

/** Predicts row after row with buffers sized once for a given stack. */
export class StackEvaluator {
  private readonly acts: Float64Array[];
  private readonly nzOff: Int32Array;
  private readonly nzVal: Float64Array;
  /** Per layer: null for relu (fused into forwardRow) and the output layer, else the activation. */
  private readonly acts1: (((x: number) => number) | null)[];

  constructor(private readonly layers: readonly DenseLayer[]) {
    if (layers.length === 0) throw new RangeError('a network needs at least one layer');
    this.acts = layers.map((l) => new Float64Array(l.outSize));
    const widest = Math.max(...layers.map((l) => l.inSize));
    this.nzOff = new Int32Array(widest);
    this.nzVal = new Float64Array(widest);
    this.acts1 = layers.map((l, k) => (k < layers.length - 1 && activationOf(l).name !== 'relu' ? activationFn(activationOf(l)) : null));
  }

  /** Output values (logits, or a regression's predictions) of the row starting at x[off]; the
   * returned buffer is reused by the next call. */
  outputRow(x: Float32Array, off: number): Float64Array {
    const { layers, acts, nzOff, nzVal } = this;
    const L = layers.length;
    for (let k = 0; k < L; k++) {
      const l = layers[k];
      const m =
        k === 0
          ? gatherNonzero32(x, off, 1, l.inSize, l.outSize, nzOff, nzVal, 0)
          : gatherNonzero64(acts[k - 1], 0, 1, l.inSize, l.outSize, nzOff, nzVal, 0);
      const f = this.acts1[k];
      forwardRow(nzOff, nzVal, 0, m, l.kernel, l.bias, l.outSize, acts[k], 0, k < L - 1 && f === null);
      if (f) for (let j = 0; j < l.outSize; j++) acts[k][j] = f(acts[k][j]);
    }
    return acts[L - 1];
  }

  /** Predicted class of the row starting at x[off] (first largest logit after float32 rounding,
   * as argmaxRows over the reference's Float32 logits). */
  predictRow(x: Float32Array, off: number): number {
    const z = this.outputRow(x, off);
    let best = 0;
    let top = Math.fround(z[0]);
    for (let j = 1; j < z.length; j++) {
      const v = Math.fround(z[j]);
      if (v > top) {
        top = v;
        best = j;
      }
    }
    return best;
  }

  /** Fraction of rows (all of x, or the listed row indices) whose prediction equals the label. */
  accuracy(x: Float32Array, y: Int32Array, rows: ArrayLike<number> | null = null): number {
    const cols = this.layers[0].inSize;
    const n = rows ? rows.length : y.length;
    if (n === 0) return 0;
    if (x.length < y.length * cols) throw new RangeError(`x has ${x.length} values, fewer than ${y.length} rows x ${cols}`);
    let hit = 0;
    for (let i = 0; i < n; i++) {
      const r = rows ? rows[i] : i;
      if (this.predictRow(x, r * cols) === y[r]) hit++;
    }
    return hit / n;
  }
}
