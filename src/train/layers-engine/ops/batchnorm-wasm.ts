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
import { activate, activationBackward } from './activation';
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
  z: Float64Array;
  hidden: boolean;
  /** The ReLU ran in the instance (z then holds its output; backward masks in the instance too). */
  relu: boolean;
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
    forward(l, x, rows, hidden, inShape, training) {
      if (!training || rows > maxBatch) return base.forward(l, x, rows, hidden, inShape, training);
      const S = size(inShape.slice(1));
      const s = slotOf(l, S);
      const { k } = s;
      const m = rows * l.channels * S;
      k.x.set(x.subarray(0, m));
      k.gamma.set(l.gamma);
      k.beta.set(l.beta);
      k.runForward(rows, l.epsilon);
      updateRunningStats(l, { mean: k.mean, variance: k.variance, count: rows * S }, BN_MOMENTUM);
      if (hidden && l.activation?.name === 'relu') {
        k.relu.forward(k.y, m);
        const y = toFloat64(s.y, k.y, m);
        return { y, cache: { s, z: y, hidden, relu: true } satisfies WasmBatchNormCache };
      }
      const z = toFloat64(s.z, k.y, m);
      const cache: WasmBatchNormCache = { s, z, hidden, relu: false };
      return { y: hidden ? activate(z, l.activation, s.y) : z, cache };
    },
    backward(l, cache, dy, rows, inShape, grads, wantDx) {
      if (!(cache as WasmBatchNormCache).s) return base.backward(l, cache, dy, rows, inShape, grads, wantDx);
      const { s, z, hidden, relu } = cache as WasmBatchNormCache;
      const { k } = s;
      const m = z.length;
      if (relu) {
        k.dy.set(dy.subarray(0, m));
        k.relu.backward(k.dy, k.y, m);
      } else k.dy.set((hidden ? activationBackward(dy, z, l.activation, s.dz) : dy).subarray(0, m));
      k.runBackward(rows);
      grads[0].set(k.dgamma);
      grads[1].set(k.dbeta);
      if (!wantDx) return null;
      return toFloat64(s.dx, k.dx, m);
    },
  };
}
