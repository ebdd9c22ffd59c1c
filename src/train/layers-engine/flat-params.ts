/**
 * Where each layer's trainable buffers sit in one flat float32 array (the layers engine's
 * parameters, gradients and optimizer state), in the order of the layer's training op's `params`.
 * The engine and its worker thread (./parallel/) derive the same layout from the same layers.
 */
import type { AnyLayer } from '../../network/types';
import { trainOp } from './ops/table';

/** One layer's buffers: their offsets and lengths in the flat arrays. */
export interface Slot {
  offsets: number[];
  lengths: number[];
}

export interface FlatLayout {
  slots: Slot[];
  /** Values in the flat array. */
  total: number;
}

export function flatLayout(layers: readonly AnyLayer[]): FlatLayout {
  const slots: Slot[] = [];
  let total = 0;
  for (const l of layers) {
    const slot: Slot = { offsets: [], lengths: [] };
    for (const b of trainOp(l).params(l)) {
      slot.offsets.push(total);
      slot.lengths.push(b.length);
      total += b.length;
    }
    slots.push(slot);
  }
  return { slots, total };
}

/** The views of one layer's buffers in `flat`. */
export const slotViews = (flat: Float32Array, s: Slot): Float32Array[] => s.offsets.map((o, i) => flat.subarray(o, o + s.lengths[i]));

/** Points every layer at its views in `params` (copying its values there first when `copy`); returns the views. */
export function bindLayers(layers: readonly AnyLayer[], layout: FlatLayout, params: Float32Array, copy: boolean): Float32Array[][] {
  return layers.map((l, k) => {
    const op = trainOp(l);
    const pv = slotViews(params, layout.slots[k]);
    if (copy) op.params(l).forEach((b, i) => pv[i].set(b));
    op.bind(l, pv);
    return pv;
  });
}
