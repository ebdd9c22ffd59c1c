/**
 * The budget trainer's unit statistics on the WebAssembly kernels, pinned bit for bit: the Taylor
 * pass takes four rows at a time through the transposed kernels (assembly/scores.ts) and must add
 * the same terms in the same order as row by row. The hashes were taken on the row-by-row kernel;
 * row counts and widths exercise every block and tail (8 and 4 lanes, single lanes, rows left
 * over from groups of four, chunks of 256 rows).
 */
import { createHash } from 'crypto';
import { engineUnitStats } from '../../src/train/fused/unit-stats';
import { wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { randomData, randomLayers } from './helpers';

const run = wasmPassAvailable() ? test : test.skip;

function statsHash(sizes: number[], rows: number, seed: number, regression: boolean): string {
  const layers = randomLayers(sizes, seed);
  const C = sizes[sizes.length - 1];
  const d = randomData(rows, sizes[0], C, seed + 1, 0.4);
  const targets = regression ? Float32Array.from({ length: rows * C }, (_, i) => Math.sin(i)) : undefined;
  const s = engineUnitStats(layers, { x: d.x, rows, ...(targets ? { targets } : { labels: d.y }) }, 'wasm');
  const h = createHash('sha256');
  for (const lv of [...s.mean, ...s.std, ...(s.taylor ?? [])]) h.update(Buffer.from(lv.buffer, lv.byteOffset, lv.byteLength));
  return h.digest('hex').slice(0, 16);
}

const PINNED: [number[], number, number, boolean, string][] = [
  [[13, 11, 6, 3], 302, 1, false, 'af3acaf5ddb18761'],
  [[37, 20, 5], 7, 2, false, 'f09fd9a42b4b2a8a'],
  [[64, 33, 17, 10], 517, 3, false, '6e0849c74a40ed12'],
  [[9, 12, 2], 130, 4, true, '16859c4e7a82da4e'],
];

run.each(PINNED)(
  'unit statistics of a %j network on %i rows (seed %i, regression %s) are the pinned ones',
  (sizes, rows, seed, reg, hash) => {
    expect(statsHash(sizes, rows, seed, reg)).toBe(hash);
  },
);
