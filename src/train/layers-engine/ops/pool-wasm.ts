/**
 * Max pooling's training kernels on WebAssembly (assembly/pool.ts through fused/pool-wasm.ts),
 * float32 inside, one instance per layer laid out for the engine's batch size (the winners stay in
 * it from forward to backward); average pooling and larger batches use `base` (TypeScript).
 */
import { poolGeometry } from '../../../network/kernels/pool';
import type { PoolLayer } from '../../../network/layers/pool';
import { WasmMaxPool } from '../../fused/pool-wasm';
import type { TrainOp } from './train-op';
import { toFloat64 } from '../../fused/wasm-instance';

interface Slot {
  k: WasmMaxPool;
  y: Float64Array;
  dx: Float64Array;
}

export function wasmMaxPoolTrainOp(base: TrainOp<PoolLayer>, maxBatch: number): TrainOp<PoolLayer> {
  const slots = new Map<PoolLayer, Slot>();
  const slotOf = (l: PoolLayer, inShape: readonly number[]): Slot => {
    let s = slots.get(l);
    if (!s || s.k.perIn !== inShape.reduce((a, b) => a * b, 1)) {
      const g = poolGeometry('max pooling', inShape, { kernel: l.kernel, strides: l.strides, pads: l.pads });
      const k = new WasmMaxPool(g, maxBatch);
      s = { k, y: new Float64Array(maxBatch * k.perOut), dx: new Float64Array(maxBatch * k.perIn) };
      slots.set(l, s);
    }
    return s;
  };
  return {
    op: 'pool',
    params: () => [],
    bind: () => undefined,
    forward(l, x, rows, hidden, inShape, training) {
      if (l.kind !== 'max' || rows > maxBatch) return base.forward(l, x, rows, hidden, inShape, training);
      const s = slotOf(l, inShape);
      const { k } = s;
      k.x.set(x.subarray(0, rows * k.perIn));
      k.runForward(rows);
      return { y: toFloat64(s.y, k.y, rows * k.perOut), cache: { s, rows } };
    },
    backward(l, cache, dy, rows, inShape, grads, wantDx) {
      const c = cache as { s?: Slot };
      if (!c.s) return base.backward(l, cache, dy, rows, inShape, grads, wantDx);
      if (!wantDx) return null;
      const { k } = c.s;
      k.dy.set(dy.subarray(0, rows * k.perOut));
      k.runBackward(rows);
      return toFloat64(c.s.dx, k.dx, rows * k.perIn);
    },
  };
}
