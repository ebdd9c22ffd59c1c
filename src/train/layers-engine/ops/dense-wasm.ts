/**
 * The dense layer's training kernels on the WebAssembly SIMD kernels (assembly/dense.ts through
 * fused/dense-wasm.ts), float32 inside, as ./conv-wasm.ts does for convolutions: one module instance
 * per layer (or per shape, for evaluation's fresh copies) laid out for the engine's batch size; the
 * input stays in the instance between the forward and the backward pass of a batch. The activation
 * is the TypeScript one of ./activation.ts.
 */
import { activationOf } from '../../../network/activations';
import type { DenseLayer } from '../../../network/layers/dense';
import { WasmDense } from '../../fused/dense-wasm';
import { wasmActivate, wasmActivationBackward, type WasmActivated } from './activation';
import type { TrainOp } from './train-op';
import { toFloat64 } from '../../fused/wasm-instance';

interface Slot {
  k: WasmDense;
  z: Float64Array;
  y: Float64Array;
  dx: Float64Array;
  dz: Float64Array;
}

interface WasmDenseCache {
  s: Slot;
  /** The activation's outputs (none when the layer is not hidden). */
  done: WasmActivated;
  hidden: boolean;
}

/** A training op for dense layers on the WebAssembly kernels for batches of up to `maxBatch` rows (larger ones go to `base`). */
export function wasmDenseTrainOp(base: TrainOp<DenseLayer>, maxBatch: number, perShape = false): TrainOp<DenseLayer> {
  const slots = new Map<unknown, Slot>();
  const slotOf = (l: DenseLayer): Slot => {
    const key = perShape ? `${l.inSize}x${l.outSize}` : l;
    let s = slots.get(key);
    if (!s) {
      s = {
        k: new WasmDense(l.inSize, l.outSize, maxBatch),
        z: new Float64Array(maxBatch * l.outSize),
        y: new Float64Array(maxBatch * l.outSize),
        dx: new Float64Array(maxBatch * l.inSize),
        dz: new Float64Array(maxBatch * l.outSize),
      };
      slots.set(key, s);
    }
    return s;
  };
  return {
    op: 'dense',
    params: (l) => base.params(l),
    bind: (l, bufs) => base.bind(l, bufs),
    forward(l, x, rows, hidden, inShape, training) {
      if (rows > maxBatch) return base.forward(l, x, rows, hidden, inShape, training);
      const s = slotOf(l);
      const { k } = s;
      k.x.set(x.subarray(0, rows * l.inSize));
      k.k.set(l.kernel);
      k.b.set(l.bias);
      k.runForward(rows);
      const done = wasmActivate(k.relu, k.z, rows * l.outSize, hidden ? activationOf(l) : null, s.z, s.y);
      const cache: WasmDenseCache = { s, done, hidden };
      return { y: done.y, cache };
    },
    backward(l, cache, dy, rows, inShape, grads, wantDx) {
      if (!(cache as WasmDenseCache).s) return base.backward(l, cache, dy, rows, inShape, grads, wantDx);
      const { s, done, hidden } = cache as WasmDenseCache;
      const { k } = s;
      wasmActivationBackward(k.relu, dy, rows * l.outSize, hidden ? activationOf(l) : null, done, k.z, k.dz, s.dz);
      k.runBackward(rows, wantDx);
      grads[0].set(k.dk);
      grads[1].set(k.db);
      if (!wantDx) return null;
      return toFloat64(s.dx, k.dx, rows * l.inSize);
    },
  };
}
