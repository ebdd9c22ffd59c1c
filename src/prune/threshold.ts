/**
 * The opt-in, lossy magnitude threshold: zero small groups (kernel rows) and small bias elements
 * so that exact pruning can then remove them.
 */
import { GsError } from '../errors';
import { blockStart } from '../network/layers/group-view';
import { layerType } from '../network/layers/table';
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
 * Zeroes in place every weight group (network/layers/group-view.ts: a kernel row, a channel's slice)
 * with L2 norm <= t, and every bias element with |b| <= t, in all layers (output layer included).
 * Returns how many non-zero groups and biases it zeroed.
 */
export function applyThreshold(work: WorkingCopy, t: number): { groups: number; biases: number } {
  let groups = 0;
  let biases = 0;
  const mixingBias = new Map(work.mixing.map((l, h) => [l, work.biases[h]]));
  work.layers.forEach((layer, l) => {
    const parts = layerType(layer).groups(layer);
    if (!parts) return;
    const v = parts.groups;
    for (let g = 0; g < v.count; g++) {
      let sq = 0;
      for (let b = 0; b < v.blocks; b++) {
        const o = blockStart(v, g, b);
        for (let j = 0; j < v.blockLen; j++) sq += parts.w[o + j] * parts.w[o + j];
      }
      if (sq > 0 && Math.sqrt(sq) <= t) {
        for (let b = 0; b < v.blocks; b++) parts.w.fill(0, blockStart(v, g, b), blockStart(v, g, b) + v.blockLen);
        groups++;
      }
    }
    // a mixing layer's bias is its float64 working copy; other layers' singletons are their own
    const b = mixingBias.get(l) ?? parts.b;
    for (let j = 0; j < b.length; j++) {
      if (b[j] !== 0 && Math.abs(b[j]) <= t) {
        b[j] = 0;
        biases++;
      }
    }
  });
  return { groups, biases };
}
