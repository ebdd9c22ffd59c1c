/** Shared fixtures for the training-loop tests: small synthetic SplitDatasets. */
import type { SplitDataset, Table } from '../../src/data/types';
import { Rng } from '../../src/util/rng';

/** Raw columns that decide the label of the planted problem. */
export const RELEVANT = [2, 5, 11, 14, 19];

function table(x: Float32Array, y: Int32Array, cols: number): Table {
  return { rows: y.length, cols, features: x, labels: y };
}

function dataset(name: string, train: Table, test: Table, classes: number, tabular: boolean): SplitDataset {
  return {
    name,
    train,
    test,
    classLabels: Array.from({ length: classes }, (_, i) => `k${i}`),
    featureNames: Array.from({ length: train.cols }, (_, i) => `f${i}`),
    tabular,
    ref: { kind: 'file', path: `${name}.csv`, files: [] },
  };
}

/**
 * 20 standard gaussian features; the label is the sign of a random linear rule over the 5
 * RELEVANT ones (|weight| in [1, 2], random sign).
 */
export function planted(trainRows: number, testRows: number, seed: number): SplitDataset {
  const ruleRng = new Rng(1000 + seed);
  const w = RELEVANT.map(() => (1 + ruleRng.next()) * (ruleRng.next() < 0.5 ? -1 : 1));
  const rng = new Rng(seed);
  const cols = 20;
  const make = (rows: number): Table => {
    const x = new Float32Array(rows * cols);
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) x[r * cols + c] = rng.normal();
      RELEVANT.forEach((c, k) => (s += w[k] * x[r * cols + c]));
      y[r] = s > 0 ? 1 : 0;
    }
    return table(x, y, cols);
  };
  return dataset('planted', make(trainRows), make(testRows), 2, true);
}

/**
 * `classes` gaussian blobs in `cols` dimensions (centres drawn with spread `sep`), features
 * shifted and scaled per column so standardization has something to do.
 */
export function blobs(trainRows: number, testRows: number, cols: number, classes: number, seed: number, sep = 3): SplitDataset {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: cols }, () => rng.normal() * sep));
  const shift = Array.from({ length: cols }, () => rng.normal() * 5);
  const scale = Array.from({ length: cols }, () => 0.5 + rng.next() * 3);
  const make = (rows: number): Table => {
    const x = new Float32Array(rows * cols);
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const k = rng.int(classes);
      y[r] = k;
      for (let c = 0; c < cols; c++) x[r * cols + c] = (centres[k][c] + rng.normal()) * scale[c] + shift[c];
    }
    return table(x, y, cols);
  };
  return dataset('blobs', make(trainRows), make(testRows), classes, true);
}

/** Largest absolute difference between the weights of two layer stacks of the same shape. */
export function maxWeightDiff(
  a: { kernel: Float32Array; bias: Float32Array }[],
  b: { kernel: Float32Array; bias: Float32Array }[],
): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  a.forEach((l, k) => {
    expect(l.kernel.length).toBe(b[k].kernel.length);
    expect(l.bias.length).toBe(b[k].bias.length);
    for (let i = 0; i < l.kernel.length; i++) m = Math.max(m, Math.abs(l.kernel[i] - b[k].kernel[i]));
    for (let i = 0; i < l.bias.length; i++) m = Math.max(m, Math.abs(l.bias[i] - b[k].bias[i]));
  });
  return m;
}

/** Row i of a [in, out] kernel is input unit i's group; its L2 norm. */
export function rowNorm(kernel: Float32Array, outSize: number, i: number): number {
  let s = 0;
  for (let j = 0; j < outSize; j++) s += kernel[i * outSize + j] ** 2;
  return Math.sqrt(s);
}
