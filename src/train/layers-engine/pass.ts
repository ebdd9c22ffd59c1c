/**
 * One minibatch through a stack of layers of any type of the layer table: the forward pass in
 * training mode with each layer's cache, the task's loss on the logits (softmax cross-entropy,
 * distillation or mean squared error: the fused engine's loss functions), and the backward pass
 * through the layer list into per-layer parameter gradients (./ops/).
 */
import type { AnyLayer } from '../../network/types';
import { softmaxCrossEntropy } from '../fused/backprop';
import { distillCrossEntropy } from '../fused/distill';
import { meanSquaredError } from '../fused/mse';
import type { TrainingData } from '../types';
import { trainOp } from './ops/table';
import { trainSlots, type SplitBatch, type TrainOp } from './ops/train-op';

/** Labels and targets of the loss, read at data row rows[r] for batch row r. */
export type LossData = Pick<TrainingData, 'y' | 'soft' | 'targets'>;

/**
 * Copies data rows src[from..from+n) of x ([rows, cols] float32) into xb (float64, batch row r at
 * r * cols) and their indices into rows: the minibatch batchGradient reads.
 */
export function gatherBatch(
  x: Float32Array,
  cols: number,
  src: ArrayLike<number>,
  from: number,
  n: number,
  xb: Float64Array,
  rows: Int32Array,
): void {
  for (let r = 0; r < n; r++) {
    const row = src[from + r];
    rows[r] = row;
    xb.set(x.subarray(row * cols, (row + 1) * cols), r * cols);
  }
}

/**
 * Forward (training mode: batch norm uses and updates batch statistics) and backward of `n`
 * examples x [n, ...shapes[0]] (float64), batch row r being data row rows[r]; overwrites grads[k]
 * (laid out as trainOp(layers[k]).params) with the gradient of the batch's mean loss, which it returns.
 * opOf: each layer's training kernels (default the TypeScript ones of the table; the engine may
 * swap in others, e.g. the WebAssembly convolution). split: these n rows are part of a minibatch of
 * split.rows rows shared between threads (../parallel/): the gradients written are this part's
 * share of the whole batch's mean-loss gradient (the loss's gradient scaled by n / split.rows, and
 * batch norm normalizes with the whole batch's statistics), so the parts' gradients sum to the whole
 * batch's; the loss returned stays this part's mean.
 */
export function batchGradient(
  layers: readonly AnyLayer[],
  shapes: readonly (readonly number[])[],
  x: Float64Array,
  n: number,
  rows: Int32Array,
  data: LossData,
  grads: readonly Float32Array[][],
  opOf: (l: AnyLayer) => TrainOp<AnyLayer> = trainOp,
  split?: SplitBatch,
): number {
  const L = layers.length;
  const caches: unknown[] = [];
  const slots = trainSlots(split);
  let cur = x;
  for (let k = 0; k < L; k++) {
    const f = opOf(layers[k]).forward(layers[k], cur, n, k < L - 1, shapes[k], true, slots);
    caches.push(f.cache);
    cur = f.y;
  }
  // the loss functions turn the logits into their gradient in place: work on a copy
  const z = cur.slice();
  const C = z.length / n;
  const loss = data.targets
    ? meanSquaredError(z, data.targets, rows, n, C)
    : data.soft
      ? distillCrossEntropy(z, data.y, rows, n, C, data.soft)
      : softmaxCrossEntropy(z, data.y, rows, n, C);
  if (split && split.rows !== n) {
    const share = n / split.rows;
    for (let i = 0; i < z.length; i++) z[i] *= share;
  }
  let dy: Float64Array | null = z;
  for (let k = L - 1; k >= 0 && dy !== null; k--) {
    dy = opOf(layers[k]).backward(layers[k], caches[k], dy, n, shapes[k], grads[k], k > 0, slots);
  }
  return loss;
}
