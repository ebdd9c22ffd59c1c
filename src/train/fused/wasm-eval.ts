/**
 * Accuracy of a dense ReLU stack on a fixed set of preprocessed rows with the WebAssembly SIMD
 * forward kernel (float32): the rows and the weights are copied into a pooled module instance
 * for each evaluation (a memory copy; fresh memory per evaluator cost more in page faults, and so
 * would a copy of picked rows kept between evaluations). Rows that keep every column of the data
 * (a network whose inputs were pruned) have their kept columns gathered in that copy. Used for
 * the per-epoch accuracies of training; predictions can differ from the float64 reference
 * forward pass only where two logits tie to float32 precision.
 */
import { argmaxRows } from '../../network/forward';
import type { DenseLayer } from '../../network/types';
import type { InputColumns } from '../types';
import { keptColumns } from './kept-columns';
import { layoutEnds, layoutOf, packLayers, sameShape } from './layout';
import type { FlatLayout } from './layout';
import { releaseInstance, takeInstance, WasmNetworkMemory, type RowWriter } from './wasm-pass';

const CHUNK = 256;

export class WasmStackEvaluator {
  private readonly lay: FlatLayout;
  private readonly rows: RowWriter | Float32Array;
  private readonly n: number;
  private readonly labels: Int32Array;

  /**
   * Evaluates the rows `rows` of x (all rows when null), x being [y.length, cols] row-major with
   * cols the first layer's inputs, or with `columns` [y.length, columns.width] of which the first
   * layer reads columns.keep.
   */
  constructor(
    shape: readonly DenseLayer[],
    x: Float32Array,
    y: Int32Array,
    rows: ArrayLike<number> | null = null,
    columns: InputColumns | null = null,
  ) {
    this.lay = layoutOf(shape);
    const { inputs } = layoutEnds(this.lay);
    const width = columns ? columns.width : inputs;
    if (x.length < y.length * width) throw new RangeError(`x has ${x.length} values, fewer than ${y.length} rows x ${width}`);
    // the rows are written into the module's memory at each evaluation
    const picked = rows ? Int32Array.from(rows) : null;
    if (columns) this.rows = keptColumns(x, columns, picked ?? y.length);
    else if (picked) {
      this.rows = {
        length: picked.length * inputs,
        write(into: Float32Array): void {
          for (let i = 0; i < picked.length; i++) into.set(x.subarray(picked[i] * inputs, (picked[i] + 1) * inputs), i * inputs);
        },
      };
    } else this.rows = x.subarray(0, y.length * inputs);
    this.labels = picked ? Int32Array.from(picked, (r) => y[r]) : y;
    this.n = this.labels.length;
  }

  /** Fraction of the rows whose predicted class (first largest logit) equals the label. The rows
   * are laid out in a pooled module instance for the call (see takeInstance). */
  accuracy(layers: readonly DenseLayer[]): number {
    if (this.n === 0) return 0;
    const { lay, labels } = this;
    const given = layoutOf(layers);
    if (!sameShape(given, lay)) {
      throw new RangeError('WasmStackEvaluator.accuracy: the layers do not have the shape the evaluator was made for');
    }
    const instance = takeInstance();
    try {
      const mem = new WasmNetworkMemory(lay, this.rows, labels, CHUNK, undefined, undefined, { instance });
      mem.params.set(packLayers(layers, given));
      const { inputs: cols, outputs: C } = layoutEnds(lay);
      const z = mem.logits;
      let hit = 0;
      for (let s = 0; s < this.n; s += CHUNK) {
        const m = Math.min(CHUNK, this.n - s);
        for (let r = 0; r < m; r++) mem.idxView[r] = s + r;
        mem.ex.forward(mem.table, mem.L, mem.x, cols, mem.idx, m, mem.nzOff, mem.nzVal);
        const pred = argmaxRows(z.subarray(0, m * C), C);
        for (let r = 0; r < m; r++) if (pred[r] === labels[s + r]) hit++;
      }
      return hit / this.n;
    } finally {
      releaseInstance(instance);
    }
  }
}
