/**
 * Training kernels of the residual layers (network/layers/residual.ts), on the pass's TrainSlots:
 * forward as the reference; backward, in reverse order, keeps the gradient of each slot's tensor
 *  - add: dL/dz = dL/dy * act'(z) goes both to the current tensor and to the slot's;
 *  - shortcut: the branch's output gets the slot's gradient (from the add), and the slot now holds
 *    the gradient of the saved input (what the walk continued from);
 *  - save: the input's gradient is the current one plus the slot's (the two uses of one tensor).
 * No parameters.
 */
import { slotValue, type AddLayer, type SaveLayer, type ShortcutLayer } from '../../../network/layers/residual';
import { activate, activationBackward } from './activation';
import type { TrainOp, TrainSlots } from './train-op';

const need = (slots: TrainSlots | undefined): TrainSlots => {
  if (!slots) throw new RangeError('a residual layer needs the pass to keep slots');
  return slots;
};

export const SAVE_TRAIN: TrainOp<SaveLayer> = {
  op: 'save',
  params: () => [],
  bind: () => undefined,
  forward(l, x, _rows, _hidden, _inShape, _training, slots) {
    need(slots).value.set(l.slot, x.slice());
    return { y: x, cache: null };
  },
  backward(l, _cache, dy, _rows, _inShape, _grads, wantDx, slots) {
    const s = need(slots);
    const g = slotValue(s.grad, l.slot, 'the backward pass of a residual save');
    s.grad.delete(l.slot);
    if (!wantDx) return null;
    const dx = new Float64Array(dy.length);
    for (let i = 0; i < dx.length; i++) dx[i] = dy[i] + g[i];
    return dx;
  },
};

export const SHORTCUT_TRAIN: TrainOp<ShortcutLayer> = {
  op: 'shortcut',
  params: () => [],
  bind: () => undefined,
  forward(l, x, _rows, _hidden, _inShape, _training, slots) {
    const s = need(slots);
    const saved = slotValue(s.value, l.slot, 'a residual shortcut');
    s.value.set(l.slot, x.slice());
    return { y: saved, cache: null };
  },
  backward(l, _cache, dy, _rows, _inShape, _grads, _wantDx, slots) {
    const s = need(slots);
    const branch = slotValue(s.grad, l.slot, 'the backward pass of a residual shortcut');
    s.grad.set(l.slot, dy.slice());
    // the branch always has layers before it: its gradient is wanted
    return branch;
  },
};

export const ADD_TRAIN: TrainOp<AddLayer> = {
  op: 'add',
  params: () => [],
  bind: () => undefined,
  forward(l, x, _rows, hidden, _inShape, _training, slots) {
    const saved = slotValue(need(slots).value, l.slot, 'a residual add');
    const z = new Float64Array(x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i] + saved[i];
    const act = hidden ? l.activation : null;
    return { y: activate(z, act), cache: { z, act } };
  },
  backward(l, cache, dy, _rows, _inShape, _grads, wantDx, slots) {
    const { z, act } = cache as { z: Float64Array; act: AddLayer['activation'] };
    const dz = activationBackward(dy, z, act);
    // a copy: the layers before may work on their dy in place
    need(slots).grad.set(l.slot, dz.slice());
    return wantDx ? dz : null;
  },
};
