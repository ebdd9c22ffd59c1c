/**
 * A small planted regression problem written into a temp folder: 20 features, the target a linear
 * function of x0..x2 plus tanh(x3 + x4) (the other 15 columns are noise) plus a little noise.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/util/rng';

export const FEATURES = 20;
export const NOISE = 0.05;

export function plantedRows(rows: number, seed: number): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const v = Array.from({ length: FEATURES }, () => rng.normal());
    x.push(v);
    y.push(10 + 3 * v[0] - 2 * v[1] + v[2] + 2 * Math.tanh(v[3] + v[4]) + NOISE * rng.normal());
  }
  return { x, y };
}

/** Writes the planted problem as CSV with a header (target column `price` last); returns the file. */
export function writePlanted(dir: string, rows = 400, seed = 1): string {
  const { x, y } = plantedRows(rows, seed);
  const head = [...Array.from({ length: FEATURES }, (_, i) => `f${i}`), 'price'].join(',');
  const lines = x.map((v, r) => [...v.map((a) => a.toFixed(5)), y[r].toFixed(5)].join(','));
  const file = path.join(dir, 'planted.csv');
  fs.writeFileSync(file, [head, ...lines].join('\n') + '\n');
  return file;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gs-reg-'));
}
