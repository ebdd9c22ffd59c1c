/**
 * Per-epoch measurements on preprocessed data: accuracy of a dense stack and the sparsity counts
 * (exact zeros, alive hidden units, alive inputs) recorded in the history.
 */
import { argmaxRows, logits } from '../network/forward';
import type { DenseLayer, Network } from '../network/types';

/** The dense stack alone as a Network over already preprocessed columns. */
export function stackNetwork(layers: DenseLayer[], classLabels: string[]): Network {
  const w = layers[0].inSize;
  return {
    inputWidth: w,
    inputIndices: Array.from({ length: w }, (_, i) => i),
    scaling: null,
    layers,
    classLabels,
    featureNames: Array.from({ length: w }, (_, i) => `x${i}`),
  };
}

/** Accuracy of the stack on preprocessed rows, evaluated in chunks to bound memory. */
export function stackAccuracy(net: Network, x: Float32Array, y: Int32Array, rows: number[] | null = null): number {
  const cols = net.inputWidth;
  const classes = net.layers[net.layers.length - 1].outSize;
  const n = rows ? rows.length : y.length;
  if (n === 0) return 0;
  const chunk = 4096;
  let hit = 0;
  const buf = new Float32Array(chunk * cols);
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    let view: Float32Array;
    if (rows) {
      for (let r = 0; r < m; r++) buf.set(x.subarray(rows[s + r] * cols, rows[s + r] * cols + cols), r * cols);
      view = buf.subarray(0, m * cols);
    } else {
      view = x.subarray(s * cols, (s + m) * cols);
    }
    const pred = argmaxRows(logits(net, view, m), classes);
    for (let r = 0; r < m; r++) if (pred[r] === y[rows ? rows[s + r] : s + r]) hit++;
  }
  return hit / n;
}
