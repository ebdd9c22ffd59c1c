/**
 * Helpers of the reference-kernel tests: seeded random tensors, a float64 central-difference
 * gradient of a scalar function, the tfjs CPU backend, and NCHW <-> NHWC transposes for tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng';

export function randomF64(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

export function randomF32(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from(randomF64(rng, n, scale));
}

/** Central differences of f at every coordinate of `at` (perturbed in place and restored). */
export function numericGradient(f: () => number, at: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) {
    const keep = at[i];
    at[i] = keep + h;
    const up = f();
    at[i] = keep - h;
    const down = f();
    at[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** Largest |a - b| / max(1, |b|) over the elements (lengths must agree). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export async function useTfCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** [N, C, H, W] values -> tfjs tensor [N, H, W, C]. */
export function nchwToTf(x: ArrayLike<number>, shape: [number, number, number, number]): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(Float32Array.from(x), shape), [0, 2, 3, 1]));
}

/** tfjs tensor [N, H, W, C] -> its values as [N, C, H, W]. */
export function tfToNchw(t: tf.Tensor4D): Float32Array {
  return tf.tidy(() => tf.transpose(t, [0, 3, 1, 2]).dataSync() as Float32Array);
}
