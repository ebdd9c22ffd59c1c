/** Shared fixtures for the onnx tests: random networks, subsets of their inputs, random data. */
import { initNetwork } from '../../src/network/create';
import { predictProba } from '../../src/network/forward';
import type { Network } from '../../src/network/types';
import { Rng } from '../../src/util/rng';

export function randomNet(d: number, hidden: number[], classes: number, seed: number, scaled = false): Network {
  const rng = new Rng(seed + 1000);
  const scaling = scaled
    ? { mean: Float32Array.from({ length: d }, () => rng.normal() * 3), std: Float32Array.from({ length: d }, () => 0.3 + rng.next() * 3) }
    : null;
  return initNetwork({ inputWidth: d, hidden, classes }, seed, {
    scaling,
    classLabels: Array.from({ length: classes }, (_, i) => `c${i}`),
  });
}

/** The network reading only raw columns `keep` (rows of the first kernel picked accordingly). */
export function keepInputs(net: Network, keep: number[]): Network {
  const l0 = net.layers[0];
  const kernel = new Float32Array(keep.length * l0.outSize);
  keep.forEach((c, i) => kernel.set(l0.kernel.subarray(c * l0.outSize, (c + 1) * l0.outSize), i * l0.outSize));
  return { ...net, inputIndices: keep, layers: [{ ...l0, inSize: keep.length, kernel }, ...net.layers.slice(1)] };
}

export function randomData(rows: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * d }, () => rng.normal() * 2 + 1);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export { predictProba };
