/**
 * Accuracy, cross-entropy and channel counts of a stack of any layer types for the training
 * history and the budget trainer's choices: the reference forward pass (network/layers/table.ts
 * forwardLayers, batch norm on running statistics) in chunks of rows.
 */
import { forwardLayers, layerShapes, layerType } from '../../network/layers/table';
import type { AnyLayer } from '../../network/types';
import { GsError } from '../../errors';
import { wasmPassAvailable } from '../fused/wasm-pass';
import { CONV_TRAIN } from './ops/conv';
import { wasmConvTrainOp } from './ops/conv-wasm';
import { DENSE_TRAIN } from './ops/dense';
import { wasmDenseTrainOp } from './ops/dense-wasm';
import { trainSlots, type TrainOp } from './ops/train-op';
import { trainOp } from './ops/table';

const CHUNK = 256;

/** Each layer's kernels for an evaluation forward pass (training false: batch norm on running statistics). */
export type EvalOps = (l: AnyLayer) => TrainOp<AnyLayer>;

/**
 * Kernels for layersAccuracy with the convolutions on the WebAssembly SIMD kernels (instances kept
 * per convolution geometry for chunks of up to CHUNK rows, reused from call to call).
 */
export function wasmEvalOps(): EvalOps {
  if (!wasmPassAvailable()) throw new GsError('UNAVAILABLE', 'the WebAssembly SIMD kernels are unavailable');
  const conv = wasmConvTrainOp(CONV_TRAIN, CHUNK, true) as TrainOp<AnyLayer>;
  const dense = wasmDenseTrainOp(DENSE_TRAIN, CHUNK, true) as TrainOp<AnyLayer>;
  return (l) => (l.op === 'conv' ? conv : l.op === 'dense' ? dense : trainOp(l));
}

/**
 * The outputs of `layers` on preprocessed rows x [rows x cols] (all rows, or those listed in `pick`),
 * CHUNK rows at a time: `visit(z, n, s)` gets the outputs z [n x C] of rows s .. s + n - 1 of the
 * selection. The reference forward pass, or with `ops` the training kernels' forward.
 */
function eachChunk(
  layers: readonly AnyLayer[],
  inShape: readonly number[],
  x: Float32Array,
  count: number,
  pick: ArrayLike<number> | null,
  ops: EvalOps | null,
  visit: (z: Float64Array, n: number, s: number) => void,
): void {
  const cols = inShape.reduce((a, b) => a * b, 1);
  const shapes = ops ? layerShapes(layers, inShape) : null;
  const L = layers.length;
  const forward = (xb: Float64Array, n: number): Float64Array => {
    if (!ops || !shapes) return forwardLayers(layers, xb, n, inShape);
    let cur = xb;
    const slots = trainSlots();
    for (let k = 0; k < L; k++) cur = ops(layers[k]).forward(layers[k], cur, n, k < L - 1, shapes[k], false, slots).y;
    return cur;
  };
  const buf = new Float64Array(Math.min(CHUNK, count) * cols);
  for (let s = 0; s < count; s += CHUNK) {
    const n = Math.min(CHUNK, count - s);
    const xb = buf.subarray(0, n * cols);
    for (let r = 0; r < n; r++) {
      const row = pick ? pick[s + r] : s + r;
      for (let c = 0; c < cols; c++) xb[r * cols + c] = x[row * cols + c];
    }
    visit(forward(xb, n), n, s);
  }
}

/** What one pass over the rows measures: accuracy and mean cross-entropy (natural log, last layer: logits). */
export interface LayersMeters {
  accuracy: number;
  crossEntropy: number;
}

/**
 * Accuracy and mean cross-entropy of a classifier's `layers` on preprocessed rows x [rows x cols]
 * (all rows, or those listed in `pick`): the reference forward pass, or with `ops` the training
 * kernels' forward (e.g. wasmEvalOps). Cross-entropy is finer than accuracy where two networks are
 * compared on a sample of rows.
 */
export function layersMeters(
  layers: readonly AnyLayer[],
  inShape: readonly number[],
  x: Float32Array,
  y: Int32Array,
  pick: ArrayLike<number> | null = null,
  ops: EvalOps | null = null,
): LayersMeters {
  const count = pick ? pick.length : y.length;
  if (count === 0) return { accuracy: 0, crossEntropy: 0 };
  let hits = 0;
  let sum = 0;
  eachChunk(layers, inShape, x, count, pick, ops, (z, n, s) => {
    const C = z.length / n;
    for (let r = 0; r < n; r++) {
      const label = y[pick ? pick[s + r] : s + r];
      let best = 0;
      for (let j = 1; j < C; j++) if (z[r * C + j] > z[r * C + best]) best = j;
      if (best === label) hits++;
      const max = z[r * C + best];
      let e = 0;
      for (let j = 0; j < C; j++) e += Math.exp(z[r * C + j] - max);
      sum += max + Math.log(e) - z[r * C + label];
    }
  });
  return { accuracy: hits / count, crossEntropy: sum / count };
}

/** Accuracy of `layers` on the rows (layersMeters). */
export const layersAccuracy = (...a: Parameters<typeof layersMeters>): number => layersMeters(...a).accuracy;

/** Mean cross-entropy of a classifier's `layers` on the rows (layersMeters). */
export const layersCrossEntropy = (...a: Parameters<typeof layersMeters>): number => layersMeters(...a).crossEntropy;

/**
 * Live channels for the history, as aliveUnits / aliveInputs count a dense network's units: per
 * mixing layer but the last, its output channels whose filter reads something (LayerType.outputConstant
 * false) and that the next mixing layer reads (inputUnused false for one of the channel's inputs, a
 * flatten spreading a channel over positions); and the first mixing layer's input channels it reads.
 */
export function liveChannels(layers: readonly AnyLayer[]): { aliveUnits: number[]; aliveInputs: number } {
  const all = (n: number) => new Uint8Array(n).fill(1);
  const reads = (l: AnyLayer, i: number) => {
    const t = layerType(l);
    return !t.inputUnused?.(l, i, all(t.outChannels(l)));
  };
  const aliveUnits: number[] = [];
  let aliveInputs = -1;
  layers.forEach((l, k) => {
    const t = layerType(l);
    if (t.role !== 'mixing') return;
    if (aliveInputs < 0) {
      aliveInputs = 0;
      for (let i = 0; i < t.inChannels(l); i++) if (reads(l, i)) aliveInputs++;
    }
    // the next mixing layer, and how many of its inputs each channel becomes on the way
    // (up to a residual layer: past one, the channels are read by several layers; counted when not constant)
    let spread = 1;
    let next: AnyLayer | null = null;
    let residual = false;
    for (let m = k + 1; m < layers.length && !next && !residual; m++) {
      const u = layerType(layers[m]);
      if (u.slot) residual = true;
      else if (u.role === 'mixing') next = layers[m];
      else spread *= u.spread?.(layers[m]) ?? 1;
    }
    if (!next && !residual) return;
    const liveIn = all(t.inChannels(l));
    let n = 0;
    for (let j = 0; j < t.outChannels(l); j++) {
      if (t.outputConstant?.(l, j, liveIn)) continue;
      let used = next === null;
      for (let s = 0; s < spread && !used && next; s++) used = reads(next, j * spread + s);
      if (used) n++;
    }
    aliveUnits.push(n);
  });
  return { aliveUnits, aliveInputs: Math.max(0, aliveInputs) };
}
