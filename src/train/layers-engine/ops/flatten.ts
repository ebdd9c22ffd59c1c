/** Training kernels of flatten: row-major [C, ...spatial] is already [C*S], both ways. */
import type { FlattenLayer } from '../../../network/layers/flatten';
import type { TrainOp } from './train-op';

export const FLATTEN_TRAIN: TrainOp<FlattenLayer> = {
  op: 'flatten',
  params: () => [],
  bind: () => undefined,
  forward: (_l, x) => ({ y: x, cache: null }),
  backward: (_l, _cache, dy, _rows, _inShape, _grads, wantDx) => (wantDx ? dy : null),
};
