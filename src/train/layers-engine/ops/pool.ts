/** Training kernels of max and average pooling (network/kernels/pool.ts). No parameters. */
import {
  avgPoolBackward,
  avgPoolForward,
  maxPoolBackward,
  maxPoolForward,
  poolGeometry,
  type PoolGeometry,
} from '../../../network/kernels/pool';
import type { PoolLayer } from '../../../network/layers/pool';
import type { TrainOp } from './train-op';

interface PoolCache {
  g: PoolGeometry;
  inputLength: number;
  argmax: Int32Array | null;
}

const geometry = (l: PoolLayer, inShape: readonly number[]): PoolGeometry =>
  poolGeometry(`${l.kind} pooling`, inShape, { kernel: l.kernel, strides: l.strides, pads: l.pads, countIncludePad: l.countIncludePad });

export const POOL_TRAIN: TrainOp<PoolLayer> = {
  op: 'pool',
  params: () => [],
  bind: () => undefined,
  forward(l, x, _rows, _hidden, inShape) {
    const g = geometry(l, inShape);
    if (l.kind === 'max') {
      const { y, argmax } = maxPoolForward(g, x);
      const cache: PoolCache = { g, inputLength: x.length, argmax };
      return { y: y as Float64Array, cache };
    }
    const cache: PoolCache = { g, inputLength: x.length, argmax: null };
    return { y: avgPoolForward(g, x) as Float64Array, cache };
  },
  backward(_l, cache, dy, _rows, _inShape, _grads, wantDx) {
    if (!wantDx) return null;
    const { g, inputLength, argmax } = cache as PoolCache;
    return (argmax ? maxPoolBackward(g, argmax, dy, inputLength) : avgPoolBackward(g, dy, inputLength)) as Float64Array;
  },
};
