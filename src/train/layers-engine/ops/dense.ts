/** Training kernels of the dense layer: y = act(x @ kernel + bias). */
import { activationOf } from '../../../network/activations';
import type { DenseLayer } from '../../../network/layers/dense';
import { activate, activationBackward } from './activation';
import type { TrainOp } from './train-op';

interface DenseCache {
  x: Float64Array;
  z: Float64Array;
  hidden: boolean;
}

export const DENSE_TRAIN: TrainOp<DenseLayer> = {
  op: 'dense',
  params: (l) => [l.kernel, l.bias],
  bind(l, [kernel, bias]) {
    l.kernel = kernel;
    l.bias = bias;
  },
  forward(l, x, rows, hidden) {
    const { inSize: m, outSize: n, kernel: K, bias: b } = l;
    const z = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) z[o + j] = b[j];
      for (let i = 0; i < m; i++) {
        const a = x[r * m + i];
        if (a === 0) continue;
        const ko = i * n;
        for (let j = 0; j < n; j++) z[o + j] += a * K[ko + j];
      }
    }
    const y = hidden ? activate(z, activationOf(l)) : z;
    const cache: DenseCache = { x, z, hidden };
    return { y, cache };
  },
  backward(l, cache, dy, rows, _inShape, [gK, gb], wantDx) {
    const { x, z, hidden } = cache as DenseCache;
    const { inSize: m, outSize: n, kernel: K } = l;
    const dz = hidden ? activationBackward(dy, z, activationOf(l)) : dy;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += dz[r * n + j];
      gb[j] = s;
    }
    const acc = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let r = 0; r < rows; r++) {
        const a = x[r * m + i];
        if (a === 0) continue;
        const o = r * n;
        for (let j = 0; j < n; j++) acc[j] += a * dz[o + j];
      }
      gK.set(acc, i * n);
    }
    if (!wantDx) return null;
    const dx = new Float64Array(rows * m);
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      for (let i = 0; i < m; i++) {
        const ko = i * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += K[ko + j] * dz[o + j];
        dx[r * m + i] = s;
      }
    }
    return dx;
  },
};
