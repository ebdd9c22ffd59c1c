/**
 * One minibatch's forward and backward pass through the whole network, with buffers
 * preallocated for the largest batch. Batch rows are read from the data in place through
 * their offsets (no copy of the data). The gradient of the batch mean loss (cross-entropy, or mean
 * squared error when the data has regression targets) is written
 * (not accumulated) into a flat gradient buffer that shares the parameters' layout.
 */
import type { TrainingData } from '../types';
import { layerActivation } from './layout';
import type { FlatLayout, LayerViews } from './layout';
import { activateBlock, backpropDeltaThrough } from './activation-kernels';
import { backpropDelta, biasGradient, softmaxCrossEntropy } from './backprop';
import { distillCrossEntropy } from './distill';
import { meanSquaredError } from './mse';
import { forwardRow, gatherNonzero64, gradientRow } from './kernels';
import { BatchInputs } from './sparse';

export class BatchPass {
  private readonly acts: Float64Array[]; // output of each layer (ReLU applied for hidden layers)
  private readonly deltas: Float64Array[]; // dLoss/d(pre-activation) of each layer
  private readonly pres: (Float64Array | null)[]; // pre-activations of hidden layers whose activation is not relu
  private readonly dataOff: Int32Array; // offset of each batch row in data.x
  private readonly rows: Int32Array;
  private readonly inputs: BatchInputs;
  private readonly nzOff: Int32Array; // scratch list of nonzero entries (offsets, values)
  private readonly nzVal: Float64Array;

  constructor(
    private readonly lay: FlatLayout,
    private readonly data: TrainingData,
    maxBatch: number,
  ) {
    this.acts = lay.layers.map(({ outSize: o }) => new Float64Array(maxBatch * o));
    this.deltas = lay.layers.map(({ outSize: o }) => new Float64Array(maxBatch * o));
    const L = lay.layers.length;
    this.pres = lay.layers.map(({ outSize: o }, k) =>
      k < L - 1 && layerActivation(lay, k).name !== 'relu' ? new Float64Array(maxBatch * o) : null,
    );
    this.dataOff = new Int32Array(maxBatch);
    this.rows = new Int32Array(maxBatch);
    this.inputs = new BatchInputs(lay.layers[0].inSize, lay.layers[0].outSize, maxBatch);
    const widest = Math.max(maxBatch, ...lay.layers.map((s) => s.inSize));
    this.nzOff = new Int32Array(widest);
    this.nzVal = new Float64Array(widest);
  }

  /** Forward only for rows order[start..start+n); leaves logits in the last activation buffer. */
  forward(params: LayerViews<Float32Array>[], order: Int32Array, start: number, n: number): void {
    const { lay, data, acts, dataOff, rows, inputs, nzOff, nzVal } = this;
    const cols = data.cols;
    for (let r = 0; r < n; r++) {
      const row = order[start + r];
      rows[r] = row;
      dataOff[r] = row * cols;
    }
    inputs.gatherRows(data.x, dataOff, n);
    const L = lay.layers.length;
    for (let k = 0; k < L; k++) {
      const inS = lay.layers[k].inSize;
      const outS = lay.layers[k].outSize;
      const W = params[k].kernel;
      const b = params[k].bias;
      const out = acts[k];
      const pre = this.pres[k];
      const relu = k < L - 1 && pre === null;
      for (let r = 0; r < n; r++) {
        if (k === 0) {
          forwardRow(inputs.rowOff, inputs.rowVal, inputs.rowStart[r], inputs.rowStart[r + 1], W, b, outS, out, r * outS, relu);
        } else {
          const m = gatherNonzero64(acts[k - 1], r * inS, 1, inS, outS, nzOff, nzVal, 0);
          forwardRow(nzOff, nzVal, 0, m, W, b, outS, out, r * outS, relu);
        }
      }
      if (pre) activateBlock(layerActivation(lay, k), out, pre, 0, n * outS);
    }
  }

  /**
   * Forward and backward for rows order[start..start+n); overwrites grads with the gradient
   * of the batch's mean loss, which it returns.
   */
  run(params: LayerViews<Float32Array>[], grads: LayerViews<Float32Array>[], order: Int32Array, start: number, n: number): number {
    this.forward(params, order, start, n);
    const { lay, data, acts, deltas, inputs, nzOff, nzVal } = this;
    const L = lay.layers.length;
    const logits = acts[L - 1];
    const C = lay.layers[L - 1].outSize;
    const loss = data.targets
      ? meanSquaredError(logits, data.targets, this.rows, n, C)
      : data.soft
        ? distillCrossEntropy(logits, data.y, this.rows, n, C, data.soft)
        : softmaxCrossEntropy(logits, data.y, this.rows, n, C);
    // the output layer's delta is the transformed logits buffer itself
    let delta = logits;
    for (let k = L - 1; k >= 0; k--) {
      const inS = lay.layers[k].inSize;
      const outS = lay.layers[k].outSize;
      const gW = grads[k].kernel;
      biasGradient(delta, n, outS, grads[k].bias);
      if (k === 0) {
        inputs.transpose(n);
        const cs = inputs.colStart;
        for (let i = 0; i < inS; i++) gradientRow(inputs.colOff, inputs.colVal, cs[i], cs[i + 1], delta, outS, gW, i * outS);
      } else {
        // batch rows whose input i is nonzero, as offsets r*outS into delta
        for (let i = 0; i < inS; i++) {
          const m = gatherNonzero64(acts[k - 1], i, inS, n, outS, nzOff, nzVal, 0);
          gradientRow(nzOff, nzVal, 0, m, delta, outS, gW, i * outS);
        }
        const pre = this.pres[k - 1];
        if (pre) backpropDeltaThrough(layerActivation(lay, k - 1), pre, n, inS, params[k].kernel, outS, delta, deltas[k - 1]);
        else backpropDelta(acts[k - 1], n, inS, params[k].kernel, outS, delta, deltas[k - 1], nzOff);
        delta = deltas[k - 1];
      }
    }
    return loss;
  }
}
