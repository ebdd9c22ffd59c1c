/**
 * Finding dead units by repeating two exact rules until nothing changes:
 *  - unused: a unit whose outgoing weights to the live units of the next level are all zero;
 *  - constant: a hidden unit whose incoming weights from the live units of the previous level are
 *    all zero outputs act(b_j) (its layer's activation, e.g. relu(b_j), tanh(b_j), gelu(b_j)); that
 *    constant is folded into the next level's bias, then the unit goes.
 * Outputs are never removed; inputs can only be unused (they have no incoming weights).
 */
import { activationFn, RELU } from '../network/activations';
import type { WorkingCopy } from './working-copy';

export interface DeadUnits {
  /** alive[h][i] = 1 when unit i of level h survives; the output level is all ones. */
  alive: Uint8Array[];
  /** Per level: units removed as unused / as constant. */
  removedUnused: number[];
  removedConstant: number[];
}

/**
 * Marks dead units of `work`, folding constant units into the next bias (so `work.biases` changes).
 * Each round sweeps forward (constants propagate downstream in one sweep) and then backward
 * (unused units propagate upstream in one sweep); rounds repeat until a fixpoint.
 */
export function findDeadUnits(work: WorkingCopy): DeadUnits {
  const { sizes, kernels, biases } = work;
  const L = kernels.length;
  const alive = sizes.map((n) => new Uint8Array(n).fill(1));
  const removedUnused = sizes.map(() => 0);
  const removedConstant = sizes.map(() => 0);
  // the same activation functions as the reference forward pass; level h >= 1 is the output of layer h-1
  const act = kernels.map((_, l) => activationFn(work.activations?.[l] ?? RELU));

  // Outgoing row of unit i (level h) restricted to live units of level h+1.
  const rowIsZero = (h: number, i: number): boolean => {
    const n = sizes[h + 1];
    const k = kernels[h];
    const next = alive[h + 1];
    for (let j = 0; j < n; j++) if (next[j] && k[i * n + j] !== 0) return false;
    return true;
  };
  // Incoming column of unit j (level h >= 1) restricted to live units of level h-1.
  const colIsZero = (h: number, j: number): boolean => {
    const n = sizes[h];
    const k = kernels[h - 1];
    const prev = alive[h - 1];
    for (let i = 0; i < sizes[h - 1]; i++) if (prev[i] && k[i * n + j] !== 0) return false;
    return true;
  };
  const visit = (h: number): boolean => {
    let changed = false;
    for (let i = 0; i < sizes[h]; i++) {
      if (!alive[h][i]) continue;
      if (rowIsZero(h, i)) {
        alive[h][i] = 0;
        removedUnused[h]++;
        changed = true;
      } else if (h > 0 && colIsZero(h, i)) {
        const c = act[h - 1](biases[h - 1][i]);
        const n = sizes[h + 1];
        if (c !== 0) for (let j = 0; j < n; j++) biases[h][j] += c * kernels[h][i * n + j];
        alive[h][i] = 0;
        removedConstant[h]++;
        changed = true;
      }
    }
    return changed;
  };

  for (;;) {
    let changed = false;
    for (let h = 0; h < L; h++) changed = visit(h) || changed;
    for (let h = L - 1; h >= 0; h--) changed = visit(h) || changed;
    if (!changed) break;
  }
  return { alive, removedUnused, removedConstant };
}
