/**
 * Training kernels of the convolution (network/kernels/conv.ts convForward / convBackward), then its
 * activation; the same for every convolution-like layer type, given its geometry (convLikeTrainOp).
 */
import { convBackward, convForward, type ConvGeometry } from '../../../network/kernels/conv';
import { convLayerGeometry, type ConvLayer } from '../../../network/layers/conv';
import type { ConvLike } from '../../../network/layers/conv-window';
import { activate, activationBackward } from './activation';
import type { TrainOp } from './train-op';

interface ConvCache {
  g: ConvGeometry;
  x: Float64Array;
  z: Float64Array;
  hidden: boolean;
}

/** The training op of a convolution-like layer type `op` whose reference geometry is `geometry`. */
export function convLikeTrainOp<L extends ConvLike>(op: string, geometry: (l: L, inShape: readonly number[]) => ConvGeometry): TrainOp<L> {
  return {
    op,
    params: (l) => [l.weight, l.bias],
    bind(l, [weight, bias]) {
      l.weight = weight;
      l.bias = bias;
    },
    forward(l, x, _rows, hidden, inShape) {
      const g = geometry(l, inShape);
      const z = convForward(g, x, l.weight, l.bias) as Float64Array;
      const cache: ConvCache = { g, x, z, hidden };
      return { y: hidden ? activate(z, l.activation) : z, cache };
    },
    backward(l, cache, dy, _rows, _inShape, [gw, gb], wantDx) {
      const { g, x, z, hidden } = cache as ConvCache;
      const dz = hidden ? activationBackward(dy, z, l.activation) : dy;
      // float64 weights: the kernel accumulates its gradients in the weights' element type
      const r = convBackward(g, x, Float64Array.from(l.weight), dz, wantDx);
      gw.set(r.dw);
      gb.set(r.db);
      return r.dx as Float64Array | null;
    },
  };
}

export const CONV_TRAIN: TrainOp<ConvLayer> = convLikeTrainOp('conv', convLayerGeometry);
