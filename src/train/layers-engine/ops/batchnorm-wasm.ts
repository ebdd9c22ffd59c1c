/**
 * Batch norm's training kernels on the WebAssembly SIMD kernels (assembly/batchnorm.ts through
 * fused/batchnorm-wasm.ts), float32 inside (statistics summed in float64), for batches of up to
 * `maxBatch` examples in training mode; evaluation and larger batches use `base` (the TypeScript
 * kernels). One instance per layer; the batch's input stays in it from forward to backward. The
 * running statistics are folded as the TypeScript op does (updateRunningStats).
 */
import { BN_MOMENTUM, updateRunningStats } from '../../../network/kernels/batchnorm';
import { size } from '../../../network/layers/activate';
import type { BatchNormLayer } from '../../../network/layers/batchnorm';
import { WasmBatchNorm } from '../../fused/batchnorm-wasm';
import { wasmActivate, wasmActivationBackward, type WasmActivated } from './activation';
import type { TrainOp } from './train-op';
import { toFloat64 } from '../../fused/wasm-instance';

interface Slot {
  k: WasmBatchNorm;
  z: Float64Array;
  y: Float64Array;
  dx: Float64Array;
  dz: Float64Array;
}

interface WasmBatchNormCache {
  s: Slot;
  /** The activation's outputs (none when the layer is not hidden). */
  done: WasmActivated;
  hidden: boolean;
  m: number;
  /** Rows of the whole minibatch (more than this pass's when split between threads). */
  total: number;
}

export function wasmBatchNormTrainOp(base: TrainOp<BatchNormLayer>, maxBatch: number): TrainOp<BatchNormLayer> {
  const slots = new Map<BatchNormLayer, Slot>();
  const slotOf = (l: BatchNormLayer, spatial: number): Slot => {
    let s = slots.get(l);
    if (!s || s.k.spatial !== spatial) {
      const len = maxBatch * l.channels * spatial;
      s = {
        k: new WasmBatchNorm(l.channels, spatial, maxBatch),
        z: new Float64Array(len),
        y: new Float64Array(len),
        dx: new Float64Array(len),
        dz: new Float64Array(len),
      };
      slots.set(l, s);
    }
    return s;
  };
  return {
    op: 'batchnorm',
    params: (l) => base.params(l),
    bind: (l, bufs) => base.bind(l, bufs),
    forward(l, x, rows, hidden, inShape, training, slots) {
      const split = slots?.split;
      if (!training || rows > maxBatch) {
        if (split) throw new Error('batch norm: a minibatch split between threads trains on the WebAssembly kernels only');
        return base.forward(l, x, rows, hidden, inShape, training);
      }
      const S = size(inShape.slice(1));
      const s = slotOf(l, S);
      const { k } = s;
      const m = rows * l.channels * S;
      k.x.set(x.subarray(0, m));
      k.gamma.set(l.gamma);
      k.beta.set(l.beta);
      // split between threads: the whole batch's statistics (every part folds the same ones)
      const total = split ? split.rows : rows;
      k.runForward(rows, l.epsilon, split?.sum, total);
      updateRunningStats(l, { mean: k.mean, variance: k.variance, count: total * S }, BN_MOMENTUM);
      const done = wasmActivate(k.relu, k.y, m, hidden ? l.activation : null, s.z, s.y);
      const cache: WasmBatchNormCache = { s, done, hidden, m, total };
      return { y: done.y, cache };
    },
    backward(l, cache, dy, rows, inShape, grads, wantDx, slots) {
      if (!(cache as WasmBatchNormCache).s) return base.backward(l, cache, dy, rows, inShape, grads, wantDx);
      const { s, done, hidden, m, total } = cache as WasmBatchNormCache;
      const { k } = s;
      wasmActivationBackward(k.relu, dy, m, hidden ? l.activation : null, done, k.y, k.dy, s.dz);
      // dgamma and dbeta of this part (the engine sums the parts' gradients); dx from the whole batch's sums
      k.runBackward(rows, slots?.split?.sum, total);
      grads[0].set(k.dgamma);
      grads[1].set(k.dbeta);
      if (!wantDx) return null;
      return toFloat64(s.dx, k.dx, m);
    },
  };
}
