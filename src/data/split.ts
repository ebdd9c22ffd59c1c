/**
 * Seeded row selection: the train/test split of one table, subsampling to at most N rows,
 * and copying selected rows into a new table. Selected indices are kept in file order.
 */
import { GsError } from '../errors';
import { Rng } from '../util/rng';
import type { SplitDataset, Table } from './types';

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

/** Default share of the training split held out for validation (model selection, early decisions). */
export const DEFAULT_VAL_FRACTION = 0.1;

/** Throws BAD_OPTION unless 0 <= valFraction < 1 (0: no validation split). */
export function checkValFraction(valFraction: number): void {
  if (!(typeof valFraction === 'number' && valFraction >= 0 && valFraction < 1)) {
    throw new GsError(
      'BAD_OPTION',
      `--val-fraction ${valFraction}: expected a number in [0, 1), for example 0.1 (0 = no validation split)`,
    );
  }
}

/** Seed of the validation shuffle: a function of the data's split seed only (never of a training
 * seed), so every run on the same data, whatever its own seed, is validated on the same rows. */
export function valSeed(splitSeed: number): number {
  return 1_000_003 + 2 * splitSeed;
}

/** Rows held out for validation from `rows` training rows: round(rows * valFraction), at least 1 when valFraction > 0. */
export function valRowCount(rows: number, valFraction: number): number {
  return valFraction > 0 ? Math.max(1, Math.round(rows * valFraction)) : 0;
}

/**
 * A seeded split of 0..rows-1 (the training split's rows) into the rows trained on and the
 * validation rows (the first valRowCount of a shuffle seeded by `seed`), each in ascending order.
 */
export function validationIndices(rows: number, valFraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  checkValFraction(valFraction);
  const nVal = valRowCount(rows, valFraction);
  if (nVal > 0 && nVal >= rows) {
    throw new GsError(
      'BAD_OPTION',
      `cannot hold out a validation split of ${rows} training rows with --val-fraction ${valFraction}: it leaves ${rows - nVal} rows to train on; give a smaller --val-fraction or 0`,
    );
  }
  if (nVal === 0) return { train: Int32Array.from({ length: rows }, (_, i) => i), val: new Int32Array(0) };
  const perm = new Rng(seed).permutation(rows);
  return { val: perm.slice(0, nVal).sort(), train: perm.slice(nVal).sort() };
}

/**
 * `data` with a validation split carved from its training split: `valFraction` of the training
 * rows (seeded by the data's split seed, valSeed) move to `val`, the rest stay in `train`; the test
 * split is untouched. Data that was carved already (valFraction set) is returned as it is, so
 * every stage of a run (teacher, budget segments, fine-tuning) sees the same rows.
 */
export function withValidation(data: SplitDataset, valFraction: number): SplitDataset {
  if (data.valFraction !== undefined) return data;
  checkValFraction(valFraction);
  if (valFraction === 0) return { ...data, valFraction: 0 };
  const { train, val } = validationIndices(data.train.rows, valFraction, valSeed(data.ref.splitSeed ?? 0));
  return { ...data, train: takeRows(data.train, train), val: takeRows(data.train, val), valFraction };
}
