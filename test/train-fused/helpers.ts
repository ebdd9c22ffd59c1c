/**
 * Shared fixtures for the fused engine tests: small seeded networks and data sets, a float64
 * reference loss, and a TrainConfig with defaults.
 */
import type { DenseLayer } from '../../src/network/types';
import { DEFAULT_CONFIG } from '../../src/train/defaults';
import type { TrainConfig, TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';

export function randomLayers(sizes: number[], seed: number, scale = 1): DenseLayer[] {
  const rng = new Rng(seed);
  const out: DenseLayer[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const inSize = sizes[k];
    const outSize = sizes[k + 1];
    const b = scale / Math.sqrt(inSize);
    const kernel = Float32Array.from({ length: inSize * outSize }, () => (rng.next() * 2 - 1) * b);
    const bias = Float32Array.from({ length: outSize }, () => (rng.next() * 2 - 1) * b);
    out.push({ op: 'dense', inSize, outSize, kernel, bias });
  }
  return out;
}

export function randomData(rows: number, cols: number, classes: number, seed: number, zeroFrac = 0): TrainingData {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = rng.next() < zeroFrac ? 0 : rng.normal();
  const y = Int32Array.from({ length: rows }, () => rng.int(classes));
  return { x, y, rows, cols, classes };
}

/** Mean cross-entropy over the given rows, computed in float64 from float32 weights. */
export function referenceLoss(layers: DenseLayer[], data: TrainingData, rows: ArrayLike<number>): number {
  let total = 0;
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q];
    let z: number[] = Array.from(data.x.subarray(r * data.cols, (r + 1) * data.cols));
    layers.forEach((l, k) => {
      const next: number[] = Array.from(l.bias);
      for (let i = 0; i < l.inSize; i++) for (let j = 0; j < l.outSize; j++) next[j] += z[i] * l.kernel[i * l.outSize + j];
      z = k < layers.length - 1 ? next.map((v) => Math.max(v, 0)) : next;
    });
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - z[data.y[r]];
  }
  return total / rows.length;
}

export function config(over: Partial<TrainConfig>): TrainConfig {
  return { ...DEFAULT_CONFIG, hidden: [], epochs: 1, ...over };
}

export function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
