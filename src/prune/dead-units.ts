/**
 * Finding dead channels (a dense layer's units are channels of size 1) by repeating two exact
 * rules until nothing changes, each rule asked of the layer types (network/layers/):
 *  - unused: a channel that no live output of the next mixing layer reads (its slice there is zero);
 *  - constant: a channel whose mixing layer reads nothing from the live channels before it outputs
 *    a constant (its activation of its bias), or one a channelwise layer makes constant (a zero
 *    scale); carried through the channelwise layers after it, the constant is folded into the next
 *    mixing layer's bias where that is exact, then the channel goes.
 * Outputs are never removed; inputs can only be unused (they have no incoming weights). After a
 * flatten a channel is several inputs of the next mixing layer (WorkingCopy.spread): it is unused
 * when all of them are, and a constant channel folds each of them (with the same value).
 */
import { layerType } from '../network/layers/table';
import { coupledSets, inputMask, type WorkingCopy } from './working-copy';

export interface DeadUnits {
  /** alive[h][i] = 1 when channel i of level h survives; the output level is all ones. Coupled
   * levels (working-copy.ts) share one array. */
  alive: Uint8Array[];
  /** Per level: channels removed as unused / as constant (a coupled set's counted at its first level). */
  removedUnused: number[];
  removedConstant: number[];
}

/**
 * Marks dead channels of `work`, folding constant ones into the next bias (so `work.biases` changes).
 * Each round sweeps forward (constants propagate downstream in one sweep) and then backward
 * (unused channels propagate upstream in one sweep); rounds repeat until a fixpoint. A coupled set
 * (levels a residual add sums) is unused when no reader of any of its levels reads the channel;
 * the constant rule applies to a level coupled to none, read by one mixing layer and with no
 * channelwise layer after a join that holds it (through a sum, such a join, or read along two
 * paths, a constant is not folded: it stays, which is exact). A joined level's channel is read at
 * its offset in the join.
 */
export function findDeadUnits(work: WorkingCopy): DeadUnits {
  const { sizes, layers, mixing, followers, biases, readers } = work;
  const L = mixing.length;
  const sets = coupledSets(work);
  const alive: Uint8Array[] = [];
  sizes.forEach((n, h) => (alive[h] = work.coupled[h] === h ? new Uint8Array(n).fill(1) : alive[work.coupled[h]]));
  const removedUnused = sizes.map(() => 0);
  const removedConstant = sizes.map(() => 0);
  const levelsOf = (h: number) => sets.get(h) as number[];

  /** Channel i of level h >= 1 when it is exactly constant, else null. */
  const constantOf = (h: number, i: number): number | null => {
    const m = layers[mixing[h - 1]];
    const t = layerType(m);
    const liveIn = inputMask(work, h - 1, alive);
    let v: number | null = t.outputConstant!(m, i, liveIn) ? t.constantOutput!(m, biases[h - 1][i], h < L) : null;
    for (const f of followers[h - 1]) {
      const c = layerType(layers[f]).constantThrough!(layers[f], i, null);
      v = c !== null ? c : v === null ? null : layerType(layers[f]).constantThrough!(layers[f], i, v);
    }
    return v;
  };

  /** Whether nothing of channel i of the coupled set at level h reaches a live output of a reader. */
  const unused = (h: number, i: number): boolean => {
    const levels = levelsOf(h);
    if (levels.includes(L)) return false;
    for (const g of levels) {
      for (const { reader: r, offset, spread: s } of readers[g]) {
        const next = layers[mixing[r]];
        const t = layerType(next);
        for (let p = 0; p < s; p++) if (!t.inputUnused!(next, (offset + i) * s + p, alive[r + 1])) return false;
      }
    }
    return true;
  };

  /** Folds channel i of level h, constant at c, into its reader's bias; false (bias unchanged) when not exact. */
  const fold = (h: number, i: number, c: number): boolean => {
    const { reader: r, offset, spread: s } = readers[h][0];
    const next = layers[mixing[r]];
    const t = layerType(next);
    if (s === 1) return t.foldInput!(next, offset + i, c, biases[r]);
    const trial = biases[r].slice();
    for (let p = 0; p < s; p++) if (!t.foldInput!(next, (offset + i) * s + p, c, trial)) return false;
    biases[r].set(trial);
    return true;
  };

  const visit = (h: number): boolean => {
    if (work.coupled[h] !== h) return false;
    // a concat passes a constant on unchanged; the layers after it are not asked (constants are not carried past them)
    const single = levelsOf(h).length === 1 && readers[h].length === 1 && !work.pastJoin[h];
    let changed = false;
    for (let i = 0; i < sizes[h]; i++) {
      if (!alive[h][i]) continue;
      if (unused(h, i)) {
        alive[h][i] = 0;
        removedUnused[h]++;
        changed = true;
      } else if (h > 0 && single) {
        const c = constantOf(h, i);
        if (c === null) continue;
        // a constant channel folds into the next bias (nothing to add for 0); where that is not exact it stays
        if (c !== 0 && !fold(h, i, c)) continue;
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
