/**
 * Regression targets in the training loop: standardizing them with statistics of the training split
 * (so one learning rate suits any unit of the target), moving a network's output layer between the
 * user's units and standardized units (y = mean + std * y', folded into the last kernel and bias, so
 * the saved network predicts in the user's units), and the per-epoch RMSE and R^2 meters.
 */
import type { DenseLayer } from '../network/types';
import { regressionMetrics } from '../network/tasks';
import { StackEvaluator } from './fused/evaluate';

/** Per-column mean and standard deviation of targets [rows x k] (std 1 for a constant column). */
export interface TargetScaling {
  mean: Float64Array;
  std: Float64Array;
}

export function fitTargetScaling(targets: Float32Array, k: number): TargetScaling {
  const rows = targets.length / k;
  const mean = new Float64Array(k);
  const std = new Float64Array(k);
  for (let i = 0; i < targets.length; i++) mean[i % k] += targets[i];
  for (let j = 0; j < k; j++) mean[j] /= Math.max(rows, 1);
  for (let i = 0; i < targets.length; i++) std[i % k] += (targets[i] - mean[i % k]) ** 2;
  for (let j = 0; j < k; j++) {
    const s = Math.sqrt(std[j] / Math.max(rows, 1));
    std[j] = s > 1e-12 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/** (t - mean) / std per column, as float32. */
export function standardizeTargets(targets: Float32Array, s: TargetScaling): Float32Array {
  const k = s.mean.length;
  return Float32Array.from(targets, (v, i) => (v - s.mean[i % k]) / s.std[i % k]);
}

function mapOutput(layers: readonly DenseLayer[], f: (w: number, j: number) => number, g: (b: number, j: number) => number): DenseLayer[] {
  const out = layers.map((l) => ({ ...l }));
  const last = out[out.length - 1];
  const k = last.outSize;
  last.kernel = Float32Array.from(last.kernel, (w, i) => f(w, i % k));
  last.bias = Float32Array.from(last.bias, (b, j) => g(b, j));
  return out;
}

/** A stack predicting in user units turned into one predicting standardized targets (weights copied). */
export function toStandardized(layers: readonly DenseLayer[], s: TargetScaling): DenseLayer[] {
  return mapOutput(
    layers,
    (w, j) => w / s.std[j],
    (b, j) => (b - s.mean[j]) / s.std[j],
  );
}

/** A stack predicting standardized targets turned into one predicting in user units (weights copied).
 * Exact zeros of the kernel stay zero, so pruning sees the same structure. */
export function toUserUnits(layers: readonly DenseLayer[], s: TargetScaling): DenseLayer[] {
  return mapOutput(
    layers,
    (w, j) => w * s.std[j],
    (b, j) => b * s.std[j] + s.mean[j],
  );
}

/** Predictions [rows x k] of a stack (user units) on preprocessed rows x (all, or `rows`). */
export function stackOutputs(layers: readonly DenseLayer[], x: Float32Array, nRows: number, rows: ArrayLike<number> | null): Float64Array {
  const ev = new StackEvaluator(layers);
  const cols = layers[0].inSize;
  const k = layers[layers.length - 1].outSize;
  const n = rows ? rows.length : nRows;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) out.set(ev.outputRow(x, (rows ? rows[i] : i) * cols), i * k);
  return out;
}

/** Measures RMSE and R^2 on fixed rows again and again as the weights change. */
export type RegressionMeter = (layers: readonly DenseLayer[]) => { rmse: number; r2: number };

/** A meter for rows of x (all, or `rows`) against targets [rows x k]. */
export function regressionMeter(x: Float32Array, targets: Float32Array, k: number, rows: ArrayLike<number> | null): RegressionMeter {
  const nRows = targets.length / k;
  let t = targets;
  if (rows) {
    t = new Float32Array(rows.length * k);
    for (let i = 0; i < rows.length; i++) t.set(targets.subarray(rows[i] * k, (rows[i] + 1) * k), i * k);
  }
  return (layers) => regressionMetrics(stackOutputs(layers, x, nRows, rows), t, k);
}
