/**
 * How many threads the layers engine trains on: 1, 2 (the minibatch split between main and a
 * worker thread, ./split-pass.ts), or 'auto': 2 where it pays, that is on the WebAssembly kernels,
 * with at least two cores available, batches of at least AUTO_MIN_BATCH rows (each half must
 * outweigh the threads' meetings) and at least AUTO_MIN_ROWS training rows (the worker's start-up
 * must pay); measured by scripts/bench-threads.ts.
 */
import os from 'os';
import { GsError } from '../../../errors';

export type ThreadsOption = 'auto' | 1 | 2;
export const THREAD_CHOICES: readonly ThreadsOption[] = ['auto', 1, 2];
/** Smallest batch 'auto' splits between two threads. */
export const AUTO_MIN_BATCH = 32;
/** Fewest training rows 'auto' starts a worker thread for (its start-up outweighs a short run). */
export const AUTO_MIN_ROWS = 1000;

/** A threads setting as given (a number or its text, or 'auto'), checked. */
export function parseThreads(v: unknown): ThreadsOption {
  if (v === 'auto') return 'auto';
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (n === 1 || n === 2) return n;
  throw new GsError('BAD_OPTION', `--threads ${String(v)}: expected auto, 1 or 2`);
}

/** The threads a run uses: `wanted`, 'auto' resolved (see the header); always 1 off the WebAssembly kernels. */
export function chooseThreads(wanted: ThreadsOption, wasm: boolean, batch: number, rows: number): 1 | 2 {
  if (!wasm) return 1;
  if (wanted !== 'auto') return wanted;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2 && batch >= AUTO_MIN_BATCH && rows >= AUTO_MIN_ROWS ? 2 : 1;
}
