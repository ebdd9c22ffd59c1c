/** Training kernels of global average pooling (network/kernels/pool.ts). No parameters. */
import { size } from '../../../network/layers/activate';
import type { GapLayer } from '../../../network/layers/gap';
import { globalAvgPoolBackward, globalAvgPoolForward } from '../../../network/kernels/pool';
import type { TrainOp } from './train-op';

export const GAP_TRAIN: TrainOp<GapLayer> = {
  op: 'gap',
  params: () => [],
  bind: () => undefined,
  forward: (l, x, _rows, _hidden, inShape) => ({
    y: globalAvgPoolForward(x, l.channels, size(inShape.slice(1))) as Float64Array,
    cache: null,
  }),
  backward: (_l, _cache, dy, _rows, inShape, _grads, wantDx) =>
    wantDx ? (globalAvgPoolBackward(dy, size(inShape.slice(1))) as Float64Array) : null,
};
