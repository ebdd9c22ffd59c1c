/**
 * Reference forward pass of a Network in plain TypeScript (float64 accumulation).
 * It is the ground truth that pruning, ONNX export and the training engines are checked against.
 */
import { forwardLayers, layerType } from './layers/table';
import type { AnyLayer, Network } from './types';

/** Logits [rows x classes] for raw features [rows x inputWidth], row-major. */
export function logits(net: Network<AnyLayer>, features: Float32Array, rows: number): Float32Array {
  const d = net.inputWidth;
  if (features.length !== rows * d) {
    throw new RangeError(`features has ${features.length} values, expected ${rows} x ${d}`);
  }
  const idx = net.inputIndices;
  const mean = net.scaling?.mean;
  const std = net.scaling?.std;
  const shape = inputShapeOf(net);
  const classes = outputCount(net);
  const out = new Float32Array(rows * classes);
  // a chunk of rows at a time: a convolution's float64 maps of every row at once would take
  // gigabytes (10,000 rows of 16 x 28 x 28 are 1 GB)
  for (let r0 = 0; r0 < rows; r0 += FORWARD_CHUNK_ROWS) {
    const n = Math.min(FORWARD_CHUNK_ROWS, rows - r0);
    const cur = new Float64Array(n * idx.length);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < idx.length; k++) {
        const c = idx[k];
        const v = features[(r0 + r) * d + c];
        cur[r * idx.length + k] = mean && std ? (v - mean[c]) / std[c] : v;
      }
    }
    out.set(forwardLayers(net.layers, cur, n, shape), r0 * classes);
  }
  return out;
}

/** Rows the reference forward pass computes at once. */
const FORWARD_CHUNK_ROWS = 256;

/** Shape of one example as the first layer reads it: net.inputShape, or a flat row of the kept columns. */
export function inputShapeOf(net: Network<AnyLayer>): number[] {
  return net.inputShape ? [...net.inputShape] : [net.inputIndices.length];
}

/** Output columns of a network (its last layer's channels). */
export function outputCount(net: Network<AnyLayer>): number {
  const last = net.layers[net.layers.length - 1];
  return layerType(last).outChannels(last);
}

/** Softmax of each row of logits, computed stably. */
export function softmaxRows(z: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let o = 0; o < z.length; o += cols) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, z[o + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(z[o + j] - m);
    for (let j = 0; j < cols; j++) out[o + j] = Math.exp(z[o + j] - m) / s;
  }
  return out;
}

/** Class probabilities [rows x classes]. */
export function predictProba(net: Network<AnyLayer>, features: Float32Array, rows: number): Float32Array {
  return softmaxRows(logits(net, features, rows), outputCount(net));
}

/** Index of the largest value of each row (first one on ties). */
export function argmaxRows(z: Float32Array, cols: number): Int32Array {
  const out = new Int32Array(z.length / cols);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (z[r * cols + j] > z[r * cols + best]) best = j;
    out[r] = best;
  }
  return out;
}

/** Predicted class index of each row. */
export function predictLabels(net: Network<AnyLayer>, features: Float32Array, rows: number): Int32Array {
  return argmaxRows(logits(net, features, rows), outputCount(net));
}

/** Fraction of rows whose predicted class equals the label. */
export function accuracy(net: Network<AnyLayer>, features: Float32Array, labels: Int32Array): number {
  const pred = predictLabels(net, features, labels.length);
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) hit++;
  return labels.length === 0 ? 0 : hit / labels.length;
}
