/**
 * The opt-in, lossy magnitude threshold: zero small groups (kernel rows) and small bias elements
 * so that exact pruning can then remove them.
 */
import { GsError } from '../errors';
import type { WorkingCopy } from './working-copy';

/** Validates a threshold option: undefined means exact pruning (null). */
export function checkThreshold(t: number | undefined): number | null {
  if (t === undefined) return null;
  if (typeof t !== 'number' || Number.isNaN(t) || t < 0) {
    throw new GsError('BAD_OPTION', `prune threshold must be a number >= 0, got ${String(t)}`);
  }
  return t;
}

/**
 * Zeroes in place every kernel row with L2 norm <= t and every bias element with |b| <= t, in all
 * layers (output layer included). Returns how many non-zero groups and biases it zeroed.
 */
export function applyThreshold(work: WorkingCopy, t: number): { groups: number; biases: number } {
  let groups = 0;
  let biases = 0;
  work.kernels.forEach((k, h) => {
    const n = work.sizes[h + 1];
    for (let i = 0; i < work.sizes[h]; i++) {
      let sq = 0;
      for (let j = 0; j < n; j++) sq += k[i * n + j] * k[i * n + j];
      if (sq > 0 && Math.sqrt(sq) <= t) {
        k.fill(0, i * n, (i + 1) * n);
        groups++;
      }
    }
  });
  for (const b of work.biases) {
    for (let j = 0; j < b.length; j++) {
      if (b[j] !== 0 && Math.abs(b[j]) <= t) {
        b[j] = 0;
        biases++;
      }
    }
  }
  return { groups, biases };
}
