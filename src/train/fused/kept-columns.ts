/**
 * The kept input columns of a pruned network, gathered from rows that keep every column of the
 * data (TrainingData.inputColumns) straight into a WebAssembly instance's memory: a budget run's
 * later stages read the data set as the network reads it, compact, without a fresh copy of it (a
 * fresh array costs many times the copy in page faults on some machines; a reused instance's
 * memory is mapped already). Reading the full rows in place instead (through an index of the kept
 * columns) was measured slower: a small network's passes then touch every cache line of each row.
 */
import { copyColumns } from '../../data/columns';
import type { InputColumns } from '../types';

/** A writer of columns c.keep of x [?, c.width]: rows 0..rows-1, or the rows listed, compact (a
 * RowWriter of wasm-pass.ts: `length` values, all set by `write`). */
export function keptColumns(
  x: Float32Array,
  c: InputColumns,
  rows: number | ArrayLike<number>,
): { length: number; write(into: Float32Array): void } {
  const n = typeof rows === 'number' ? rows : rows.length;
  return { length: n * c.keep.length, write: (into) => copyColumns(x, c.width, c.keep, rows, into) };
}
