/**
 * A synthetic image task for CNN tests: 8x8 images of noise with a bright 2x2 blob somewhere in the
 * quadrant of the class (four classes).
 */
import type { SplitDataset, Table } from '../../src/data/types';
import { Rng } from '../../src/util/rng';

export const SIDE = 8;

/** Images [1, 8, 8]: noise, and a 2x2 blob of brightness ~1 somewhere inside the quadrant of the class. */
export function quadrants(trainRows: number, testRows: number, seed: number): SplitDataset {
  const rng = new Rng(seed);
  const cols = SIDE * SIDE;
  const make = (rows: number): Table => {
    const x = new Float32Array(rows * cols);
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const k = rng.int(4);
      y[r] = k;
      for (let i = 0; i < cols; i++) x[r * cols + i] = 0.15 * rng.normal();
      const top = (k >> 1) * 4 + rng.int(3);
      const left = (k & 1) * 4 + rng.int(3);
      const b = 0.8 + 0.4 * rng.next();
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) x[r * cols + (top + dy) * SIDE + left + dx] += b;
    }
    return { rows, cols, features: x, labels: y };
  };
  return {
    name: 'quadrants',
    train: make(trainRows),
    test: make(testRows),
    classLabels: ['tl', 'tr', 'bl', 'br'],
    featureNames: Array.from({ length: cols }, (_, i) => `p${i}`),
    tabular: false,
    ref: { kind: 'file', path: 'quadrants.csv', files: [] },
  };
}
