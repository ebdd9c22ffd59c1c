/**
 * The residual layer types: a residual block written into the layer list as
 *
 *   save(s)  branch layers...  add(s)                                (identity shortcut)
 *   save(s)  branch layers...  shortcut(s)  projection layers...  add(s)   (projection shortcut)
 *
 * `save` keeps the current tensor in slot s; `shortcut` keeps the branch's output in the slot and
 * continues from the saved input (a 1x1 convolution and batch norm follow, as torch's downsample);
 * `add` adds the slot's tensor to the current one and applies its activation (ResNet's ReLU after
 * the sum). Slots live in the walk (LayerType Slots): every walker makes one map per pass.
 * No weights, no multiply-adds (as the peer counts). For pruning the tensors an add sums are one
 * coupled channel set (prune/working-copy.ts): channel c of the branch, of the shortcut and of the
 * sum lives or dies as one.
 */
import type { Activation } from '../activations';
import { activateInPlace } from './activate';
import { nodeThenActivation } from './activation-onnx';
import type { LayerType, Slots } from './layer-type';

export interface SaveLayer {
  op: 'save';
  slot: number;
  channels: number;
}

export interface ShortcutLayer {
  op: 'shortcut';
  slot: number;
  /** The branch's output channels (kept in the slot) and the saved input's (where the walk continues). */
  inChannels: number;
  outChannels: number;
}

export interface AddLayer {
  op: 'add';
  slot: number;
  channels: number;
  /** Applied after the sum when hidden; null = none. */
  activation: Activation | null;
}

export const saveLayer = (slot: number, channels: number): SaveLayer => ({ op: 'save', slot, channels });
export const shortcutLayer = (slot: number, inChannels: number, outChannels: number): ShortcutLayer => ({
  op: 'shortcut',
  slot,
  inChannels,
  outChannels,
});
export const addLayer = (slot: number, channels: number, activation: Activation | null = { name: 'relu' }): AddLayer => ({
  op: 'add',
  slot,
  channels,
  activation,
});

/** The slot's entry, or a plain error: a residual layer walked without its save is a damaged network. */
export function slotValue<T>(slots: Slots<T> | undefined, slot: number, who: string): T {
  const v = slots?.get(slot);
  if (v === undefined) throw new RangeError(`${who} reads slot ${slot}, which no earlier save layer filled`);
  return v;
}

const counts = (...n: number[]) => n.every((v) => Number.isInteger(v) && v >= 0);
const badSlot = (slot: number) => (Number.isInteger(slot) && slot >= 0 ? null : `has slot ${slot}`);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function checkChannels(what: string, channels: number, shape: readonly number[]): void {
  if (shape[0] !== channels) throw new RangeError(`${what} of ${channels} channels receives shape ${shape.join('x')}`);
}

export const SAVE: LayerType<SaveLayer> = {
  op: 'save',
  role: 'channelwise',
  slot: (l) => ({ slot: l.slot, kind: 'save' }),
  invalid: (l) => badSlot(l.slot) ?? (counts(l.channels) ? null : `has ${l.channels} channels`),
  outShape(l, inShape, slots) {
    checkChannels('a residual save', l.channels, inShape);
    slots?.set(l.slot, [...inShape]);
    return [...inShape];
  },
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels,
  forward(l, x, _rows, _hidden, _inShape, slots) {
    if (!slots) throw new RangeError('a residual save needs the walk to keep slots');
    slots.set(l.slot, x.slice());
    return x;
  },
  groups: () => null,
  constantThrough: (_l, _c, v) => v,
  keep: (l, kept) => ({ ...l, channels: kept.length }),
  onnx(l, site) {
    if (!site.slots || site.output !== undefined) throw new RangeError('a residual save cannot end a network');
    site.slots.set(l.slot, site.input);
    return site.input;
  },
  clone: (l) => ({ ...l }),
};

export const SHORTCUT: LayerType<ShortcutLayer> = {
  op: 'shortcut',
  role: 'channelwise',
  slot: (l) => ({ slot: l.slot, kind: 'shortcut' }),
  invalid: (l) => badSlot(l.slot) ?? (counts(l.inChannels, l.outChannels) ? null : `has ${l.inChannels} -> ${l.outChannels} channels`),
  outShape(l, inShape, slots) {
    checkChannels('a residual shortcut', l.inChannels, inShape);
    const saved = slotValue(slots, l.slot, 'a residual shortcut');
    checkChannels('the shortcut of a residual block', l.outChannels, saved);
    slots?.set(l.slot, [...inShape]);
    return [...saved];
  },
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.inChannels,
  outChannels: (l) => l.outChannels,
  forward(l, x, _rows, _hidden, _inShape, slots) {
    const saved = slotValue(slots, l.slot, 'a residual shortcut');
    slots?.set(l.slot, x.slice());
    return saved;
  },
  groups: () => null,
  // it switches between two coupled sets: nothing constant passes through it
  constantThrough: () => null,
  keep: (l, inKept, outKept) => ({ ...l, inChannels: inKept.length, outChannels: outKept.length }),
  onnx(l, site) {
    const saved = slotValue(site.slots, l.slot, 'a residual shortcut');
    if (site.output !== undefined) throw new RangeError('a residual shortcut cannot end a network');
    site.slots?.set(l.slot, site.input);
    return saved;
  },
  clone: (l) => ({ ...l }),
};

export const ADD: LayerType<AddLayer> = {
  op: 'add',
  role: 'channelwise',
  slot: (l) => ({ slot: l.slot, kind: 'add' }),
  invalid: (l) => badSlot(l.slot) ?? (counts(l.channels) ? null : `has ${l.channels} channels`),
  outShape(l, inShape, slots) {
    checkChannels('a residual add', l.channels, inShape);
    const saved = slotValue(slots, l.slot, 'a residual add');
    if (!sameShape(saved, inShape))
      throw new RangeError(`a residual add sums shape ${inShape.join('x')} with the shortcut's ${saved.join('x')}`);
    return [...inShape];
  },
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels,
  forward(l, x, _rows, hidden, _inShape, slots) {
    const saved = slotValue(slots, l.slot, 'a residual add');
    if (saved.length !== x.length) throw new RangeError(`a residual add sums ${x.length} values with the shortcut's ${saved.length}`);
    const y = new Float64Array(x.length);
    for (let i = 0; i < y.length; i++) y[i] = x[i] + saved[i];
    if (hidden) activateInPlace(y, l.activation);
    return y;
  },
  groups: () => null,
  // the sum of coupled tensors: pruning does not fold constants through it (working-copy.ts)
  constantThrough: () => null,
  keep: (l, kept) => ({ ...l, channels: kept.length, activation: l.activation ? { ...l.activation } : null }),
  onnx(l, site, b) {
    const saved = slotValue(site.slots, l.slot, 'a residual add');
    return nodeThenActivation(site, site.hidden ? l.activation : null, 'add', b, (out) =>
      b.node('Add', [site.input, saved], [out], `${site.prefix}.add`),
    );
  },
  clone: (l) => ({ ...l, activation: l.activation ? { ...l.activation } : null }),
};
