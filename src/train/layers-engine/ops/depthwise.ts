/** Training kernels of the depthwise convolution (network/kernels/conv.ts with group = channels), then its activation. */
import { convBackward, convForward, type ConvGeometry } from '../../../network/kernels/conv';
import { depthwiseGeometry, type DepthwiseLayer } from '../../../network/layers/depthwise';
import { activate, activationBackward } from './activation';
import type { TrainOp } from './train-op';

interface DepthwiseCache {
  g: ConvGeometry;
  x: Float64Array;
  z: Float64Array;
  hidden: boolean;
}

export const DEPTHWISE_TRAIN: TrainOp<DepthwiseLayer> = {
  op: 'depthwise',
  params: (l) => [l.weight, l.bias],
  bind(l, [weight, bias]) {
    l.weight = weight;
    l.bias = bias;
  },
  forward(l, x, _rows, hidden, inShape) {
    const g = depthwiseGeometry(l, inShape);
    const z = convForward(g, x, l.weight, l.bias) as Float64Array;
    const cache: DepthwiseCache = { g, x, z, hidden };
    return { y: hidden ? activate(z, l.activation) : z, cache };
  },
  backward(l, cache, dy, _rows, _inShape, [gw, gb], wantDx) {
    const { g, x, z, hidden } = cache as DepthwiseCache;
    const dz = hidden ? activationBackward(dy, z, l.activation) : dy;
    // float64 weights: the kernel accumulates its gradients in the weights' element type
    const r = convBackward(g, x, Float64Array.from(l.weight), dz, wantDx);
    gw.set(r.dw);
    gb.set(r.db);
    return r.dx as Float64Array | null;
  },
};
