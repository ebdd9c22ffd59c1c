/** Shared helpers for the prune tests: planting dead units and comparing logits. */
import { logits } from '../../src/network/forward';
import type { DenseLayer, Network } from '../../src/network/types';
import { Rng } from '../../src/util/rng';

/** Zero row i (unit i's outgoing weights) of a layer's kernel. */
export function zeroRow(layer: DenseLayer, i: number): void {
  layer.kernel.fill(0, i * layer.outSize, (i + 1) * layer.outSize);
}

/** Zero column j (unit j's incoming weights) of a layer's kernel. */
export function zeroCol(layer: DenseLayer, j: number): void {
  for (let i = 0; i < layer.inSize; i++) layer.kernel[i * layer.outSize + j] = 0;
}

/** Keep only the given rows of column j non-zero. */
export function onlyFrom(layer: DenseLayer, j: number, rows: number[]): void {
  for (let i = 0; i < layer.inSize; i++) if (!rows.includes(i)) layer.kernel[i * layer.outSize + j] = 0;
}

/** Keep only the given columns of row i non-zero. */
export function onlyTo(layer: DenseLayer, i: number, cols: number[]): void {
  for (let j = 0; j < layer.outSize; j++) if (!cols.includes(j)) layer.kernel[i * layer.outSize + j] = 0;
}

export function randomRows(seed: number, rows: number, width: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * width }, () => rng.normal() * 2);
}

export function randomScaling(seed: number, width: number): { mean: Float32Array; std: Float32Array } {
  const rng = new Rng(seed);
  return {
    mean: Float32Array.from({ length: width }, () => rng.normal()),
    std: Float32Array.from({ length: width }, () => 0.5 + rng.next() * 2),
  };
}

export function hiddenSizes(net: Network): number[] {
  return net.layers.slice(0, -1).map((l) => l.outSize);
}

/** Max violation of |a-b| <= tol * max(1, |a|) between the logits of two networks on random rows. */
export function expectSameLogits(a: Network, b: Network, seed = 7, rows = 64, tol = 1e-6): void {
  const x = randomRows(seed, rows, a.inputWidth);
  const za = logits(a, x, rows);
  const zb = logits(b, x, rows);
  expect(zb.length).toBe(za.length);
  let worst = 0;
  for (let i = 0; i < za.length; i++) worst = Math.max(worst, Math.abs(za[i] - zb[i]) / Math.max(1, Math.abs(za[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}
