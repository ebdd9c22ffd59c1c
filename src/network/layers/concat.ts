/**
 * The concat layer type: branches joined along the channel axis (ONNX Concat on axis 1, Keras
 * Concatenate), written into the layer list with the residual slots (./residual.ts):
 *
 *   save(s)  branch A...  shortcut(s)  branch B...  concat(s)    -> [A(x), B(x)]   (Inception, Fire)
 *   save(s)  branch A...  shortcut(s)  concat(s)                  -> [A(x), x]
 *   save(s)  branch B...  concat(s)                               -> [x, B(x)]      (DenseNet)
 *
 * `concat` puts the slot's tensor first and the current one after it: output channel c is slot
 * channel c for c < first, else current channel c - first; the other axes must agree. More than
 * two branches nest (the inner concat joins the later branches). No weights, no multiply-adds, no
 * activation (an activation after the join belongs to each branch). For pruning the output's
 * channels are the two parts' channels side by side (prune/working-copy.ts): each part's channels
 * live or die by their own coupled set, and whatever reads the join reads them at an offset.
 */
import { size } from './activate';
import type { LayerType, Slots } from './layer-type';
import { saveLayer, shortcutLayer, slotValue, type SaveLayer, type ShortcutLayer } from './residual';

export interface ConcatLayer {
  op: 'concat';
  slot: number;
  /** Channels of the slot's tensor (first in the output) and of the current one (after them). */
  first: number;
  second: number;
}

export const concatLayer = (slot: number, first: number, second: number): ConcatLayer => ({ op: 'concat', slot, first, second });

const count = (v: number) => Number.isInteger(v) && v >= 0;

export const CONCAT: LayerType<ConcatLayer> = {
  op: 'concat',
  role: 'channelwise',
  slot: (l) => ({ slot: l.slot, kind: 'concat' }),
  invalid: (l) =>
    !(Number.isInteger(l.slot) && l.slot >= 0)
      ? `has slot ${l.slot}`
      : count(l.first) && count(l.second)
        ? null
        : `joins ${l.first} and ${l.second} channels`,
  outShape(l, inShape, slots) {
    const saved = slotValue(slots, l.slot, 'a concat');
    const rest = (s: readonly number[]) => s.slice(1).join('x');
    if (inShape[0] !== l.second || saved[0] !== l.first || rest(inShape) !== rest(saved))
      throw new RangeError(
        `a concat of ${l.first} + ${l.second} channels joins shape ${saved.join('x')} (slot ${l.slot}) with ${inShape.join('x')}`,
      );
    return [l.first + l.second, ...inShape.slice(1)];
  },
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.second,
  outChannels: (l) => l.first + l.second,
  forward(l, x, rows, _hidden, inShape, slots) {
    const saved = slotValue(slots, l.slot, 'a concat');
    const at = size(inShape.slice(1));
    return joinRows(saved, x, rows, l.first * at, l.second * at);
  },
  groups: () => null,
  // it joins two coupled sets: nothing constant is folded through it
  constantThrough: () => null,
  // the shrinker gives the current part's kept channels and the output's (both parts, at their offsets)
  keep: (l, inKept, outKept) => ({ ...l, first: outKept.length - inKept.length, second: inKept.length }),
  onnx(l, site, b) {
    const saved = slotValue(site.slots, l.slot, 'a concat');
    const out = site.output ?? `${site.prefix}.concat`;
    b.node('Concat', [saved, site.input], [out], `${site.prefix}.concat`, { ints: { axis: 1 } });
    return out;
  },
  clone: (l) => ({ ...l }),
};

/** Per row, `a`'s `na` values then `b`'s `nb` (rows examples of each). */
export function joinRows(a: Float64Array, b: Float64Array, rows: number, na: number, nb: number): Float64Array {
  const y = new Float64Array(rows * (na + nb));
  for (let r = 0; r < rows; r++) {
    y.set(a.subarray(r * na, (r + 1) * na), r * (na + nb));
    y.set(b.subarray(r * nb, (r + 1) * nb), r * (na + nb) + na);
  }
  return y;
}

/** The inverse of joinRows: each row's first `na` values and the `nb` after them. */
export function splitRows(y: Float64Array, rows: number, na: number, nb: number): [Float64Array, Float64Array] {
  const a = new Float64Array(rows * na);
  const b = new Float64Array(rows * nb);
  for (let r = 0; r < rows; r++) {
    a.set(y.subarray(r * (na + nb), r * (na + nb) + na), r * na);
    b.set(y.subarray(r * (na + nb) + na, (r + 1) * (na + nb)), r * nb);
  }
  return [a, b];
}

/** One residual-slot layer of a join's plan (joinSteps). */
export interface JoinStep {
  op: 'save' | 'shortcut' | 'concat';
  slot: number;
}

/**
 * The slot layers that join `branches` (>= 2) branches read from one tensor, with two free slots p
 * and q: `start` before the first branch, `after(k)` after branch k. The joined branches go to one
 * slot and the walk continues from the join's input, kept in the other slot while more than one
 * branch remains; the two slots swap roles at each branch:
 *   [A|B]     save(p) A shortcut(p) B concat(p)
 *   [A|B|C]   save(p) A shortcut(p) save(q) B concat(p) shortcut(q) C concat(q)
 */
export function joinSteps(branches: number, p: number, q: number): { start: JoinStep[]; after: (k: number) => JoinStep[] } {
  const acc = (k: number) => (k % 2 === 0 ? p : q);
  const input = (k: number) => (k < 0 || k % 2 === 1 ? p : q);
  return {
    start: [{ op: 'save', slot: p }],
    after(k) {
      if (k >= branches - 1) return [{ op: 'concat', slot: acc(branches - 2) }];
      return [
        ...(k >= 1 ? [{ op: 'concat' as const, slot: acc(k - 1) }] : []),
        { op: 'shortcut', slot: input(k - 1) },
        ...(k + 1 < branches - 1 ? [{ op: 'save' as const, slot: input(k) }] : []),
      ];
    },
  };
}

/** The layer of a join step on a tensor of `channels` channels, with the walk's slot shapes (the
 * shortcut continues with the saved tensor's channels; the concat puts the slot's first). */
export function joinStepLayer(s: JoinStep, channels: number, slots: Slots<readonly number[]>): SaveLayer | ShortcutLayer | ConcatLayer {
  if (s.op === 'save') return saveLayer(s.slot, channels);
  const saved = slotValue(slots, s.slot, `a join's ${s.op}`)[0];
  return s.op === 'shortcut' ? shortcutLayer(s.slot, channels, saved) : concatLayer(s.slot, saved, channels);
}
