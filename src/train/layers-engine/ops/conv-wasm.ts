/**
 * The convolution's training kernels on the WebAssembly SIMD kernels (assembly/conv.ts through
 * fused/conv-wasm.ts), float32 inside: one module instance per convolution layer, laid out for the
 * engine's batch size and reused across batches, as are the float64 arrays handed to the
 * neighbouring layers (the activation stays the TypeScript one of ./activation.ts). The input
 * stays in the instance between the forward and the backward pass of a batch.
 */
import type { ConvGeometry } from '../../../network/kernels/conv';
import { convLayerGeometry, type ConvLayer } from '../../../network/layers/conv';
import type { ConvLike } from '../../../network/layers/conv-window';
import { WasmConv } from '../../fused/conv-wasm';
import { wasmActivate, wasmActivationBackward, type WasmActivated } from './activation';
import type { TrainOp } from './train-op';
import { toFloat64 } from '../../fused/wasm-instance';

interface Slot {
  k: WasmConv;
  /** float64 arrays handed out, for maxBatch rows: the pre-activation z, the output y, the input gradient dx; and dL/dz. */
  z: Float64Array;
  y: Float64Array;
  dx: Float64Array;
  dz: Float64Array;
  inPer: number;
  outPer: number;
}

interface WasmConvCache {
  s: Slot;
  /** The activation's outputs (none when the layer is not hidden). */
  done: WasmActivated;
  hidden: boolean;
}

/**
 * A training op for convolutions on the WebAssembly kernels, for batches of up to `maxBatch` rows
 * (larger ones go to `base`). Its instances are per layer object (an engine's own layers, whose
 * input stays in the instance from forward to backward), kept while the op lives; or, for
 * forward passes only (evaluation, whose layers are fresh copies every time), per geometry.
 */
export function wasmConvTrainOp(base: TrainOp<ConvLayer>, maxBatch: number, perGeometry = false): TrainOp<ConvLayer> {
  return wasmConvLikeTrainOp(base, maxBatch, perGeometry, convLayerGeometry);
}

/** wasmConvTrainOp for any layer type that is a convolution of the geometry `geometryOf` gives (a depthwise one: group = C). */
export function wasmConvLikeTrainOp<L extends ConvLike>(
  base: TrainOp<L>,
  maxBatch: number,
  perGeometry: boolean,
  geometryOf: (l: L, inShape: readonly number[]) => ConvGeometry,
): TrainOp<L> {
  const slots = new Map<unknown, Slot>();
  const slotOf = (l: L, inShape: readonly number[]): Slot => {
    const g = perGeometry ? geometryOf(l, inShape) : null;
    const key = g ? JSON.stringify(g) : l;
    let s = slots.get(key);
    if (!s) {
      const k = new WasmConv(g ?? geometryOf(l, inShape), maxBatch);
      const inPer = k.x.length / maxBatch;
      const outPer = k.y.length / maxBatch;
      s = {
        k,
        z: new Float64Array(maxBatch * outPer),
        y: new Float64Array(maxBatch * outPer),
        dx: new Float64Array(maxBatch * inPer),
        dz: new Float64Array(maxBatch * outPer),
        inPer,
        outPer,
      };
      slots.set(key, s);
    }
    return s;
  };
  return {
    op: base.op,
    params: (l) => base.params(l),
    bind: (l, bufs) => base.bind(l, bufs),
    forward(l, x, rows, hidden, inShape, training) {
      if (rows > maxBatch) return base.forward(l, x, rows, hidden, inShape, training);
      const s = slotOf(l, inShape);
      const { k } = s;
      k.x.set(x.subarray(0, rows * s.inPer));
      k.w.set(l.weight);
      k.b.set(l.bias);
      k.runForward(rows, true);
      const done = wasmActivate(k.relu, k.y, rows * s.outPer, hidden ? l.activation : null, s.z, s.y);
      const cache: WasmConvCache = { s, done, hidden };
      return { y: done.y, cache };
    },
    backward(l, cache, dy, rows, inShape, grads, wantDx) {
      if (!(cache as WasmConvCache).s) return base.backward(l, cache, dy, rows, inShape, grads, wantDx);
      const { s, done, hidden } = cache as WasmConvCache;
      const { k } = s;
      wasmActivationBackward(k.relu, dy, rows * s.outPer, hidden ? l.activation : null, done, k.y, k.dy, s.dz);
      k.runBackward(rows, wantDx);
      grads[0].set(k.dW);
      grads[1].set(k.db);
      if (!wantDx) return null;
      return toFloat64(s.dx, k.dx, rows * s.inPer);
    },
  };
}
