/**
 * Training kernels of the concat layer (network/layers/concat.ts), on the pass's TrainSlots:
 * forward joins the slot's tensor and the current one per row (the reference); backward splits
 * dL/dy per row: the first part becomes the slot's gradient (the earlier branch, or the saved input,
 * picks it up going back: ./residual.ts), the rest is the current input's. No parameters.
 */
import { joinRows, splitRows, type ConcatLayer } from '../../../network/layers/concat';
import { slotValue } from '../../../network/layers/residual';
import type { TrainOp } from './train-op';

const perRow = (shape: readonly number[]) => shape.slice(1).reduce((p, v) => p * v, 1);

export const CONCAT_TRAIN: TrainOp<ConcatLayer> = {
  op: 'concat',
  params: () => [],
  bind: () => undefined,
  forward(l, x, rows, _hidden, inShape, _training, slots) {
    if (!slots) throw new RangeError('a concat needs the pass to keep slots');
    const saved = slotValue(slots.value, l.slot, 'a concat');
    const at = perRow(inShape);
    return { y: joinRows(saved, x, rows, l.first * at, l.second * at), cache: null };
  },
  backward(l, _cache, dy, rows, inShape, _grads, wantDx, slots) {
    if (!slots) throw new RangeError('a concat needs the pass to keep slots');
    const at = perRow(inShape);
    const [first, second] = splitRows(dy, rows, l.first * at, l.second * at);
    slots.grad.set(l.slot, first);
    return wantDx ? second : null;
  },
};
