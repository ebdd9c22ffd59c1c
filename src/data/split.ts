/**
 * Seeded row selection: the train/test split of one table, subsampling to at most N rows,
 * and copying selected rows into a new table. Selected indices are kept in file order.
 */
import { GsError } from '../errors';
import { Rng } from '../util/rng';
import type { Table } from './types';

/** Rows in the test part when `rows` are split with `testFraction` (the paper's rounding). */
export function testRowCount(rows: number, testFraction: number): number {
  return Math.round(rows * testFraction);
}

/** Throws BAD_OPTION unless 0 < testFraction < 1. */
export function checkTestFraction(testFraction: number): void {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new GsError('BAD_OPTION', `test fraction ${testFraction} is out of range; expected a number between 0 and 1 (e.g. 0.3)`);
  }
}

/** A seeded shuffle of 0..rows-1 cut into test (the first round(rows*testFraction)) and train. */
export function splitIndices(rows: number, testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  checkTestFraction(testFraction);
  const nTest = testRowCount(rows, testFraction);
  if (nTest < 1 || nTest >= rows) {
    throw new GsError(
      'BAD_OPTION',
      `cannot split ${rows} rows with test fraction ${testFraction}: it leaves ${nTest} test and ${rows - nTest} training rows; expected at least one of each`,
    );
  }
  const perm = new Rng(seed).permutation(rows);
  const test = perm.slice(0, nTest).sort();
  const train = perm.slice(nTest).sort();
  return { train, test };
}

/** At most `max` of 0..rows-1 chosen with a seeded shuffle (in ascending order); null if all rows fit. */
export function subsampleIndices(rows: number, max: number | undefined, seed: number): Int32Array | null {
  if (max === undefined || rows <= max) return null;
  return new Rng(seed).permutation(rows).slice(0, max).sort();
}

/** A new table holding the given rows of `table`. */
export function takeRows(table: Table, idx: Int32Array): Table {
  const { cols } = table;
  const features = new Float32Array(idx.length * cols);
  const labels = new Int32Array(idx.length);
  const t = table.targets;
  const k = t ? t.length / table.rows : 0;
  const targets = t ? new Float32Array(idx.length * k) : null;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    features.set(table.features.subarray(r * cols, (r + 1) * cols), i * cols);
    labels[i] = table.labels[r];
    if (t && targets) targets.set(t.subarray(r * k, (r + 1) * k), i * k);
  }
  return targets ? { rows: idx.length, cols, features, labels, targets } : { rows: idx.length, cols, features, labels };
}

/** `table` reduced to at most `max` rows (seeded), or itself when it is small enough. */
export function subsample(table: Table, max: number | undefined, seed: number): Table {
  const idx = subsampleIndices(table.rows, max, seed);
  return idx ? takeRows(table, idx) : table;
}
