/**
 * The flatten layer type: [C, ...spatial] -> [C * S] in NCHW order (ONNX Flatten, axis 1), S =
 * `spread` positions per channel. For pruning it is channelwise on the C channels before it: the
 * mixing layer after it reads channel c as its inputs c*S .. (c+1)*S - 1 (LayerType.spread), which
 * are removed or folded together.
 */
import { size } from './activate';
import type { LayerType } from './layer-type';

export interface FlattenLayer {
  op: 'flatten';
  channels: number;
  /** Positions per channel (H*W, L, or 1). */
  spread: number;
}

export function flattenLayer(inShape: readonly number[]): FlattenLayer {
  return { op: 'flatten', channels: inShape[0], spread: size(inShape.slice(1)) };
}

export const FLATTEN: LayerType<FlattenLayer> = {
  op: 'flatten',
  role: 'channelwise',
  invalid: (l) => (Number.isInteger(l.spread) && l.spread >= 1 ? null : `has ${l.spread} positions per channel`),
  outShape(l, inShape) {
    if (inShape[0] !== l.channels || size(inShape) !== l.channels * l.spread) {
      throw new RangeError(`a flatten of ${l.channels} channels of ${l.spread} positions receives shape ${inShape.join('x')}`);
    }
    return [l.channels * l.spread];
  },
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels * l.spread,
  spread: (l) => l.spread,
  // row-major [C, ...spatial] is already [C*S]
  forward: (_l, x) => x.slice(),
  groups: () => null,
  constantThrough: (_l, _c, v) => v,
  keep: (l, kept) => ({ op: 'flatten', channels: kept.length, spread: l.spread }),
  onnx(_l, site, b) {
    const out = site.output ?? `${site.prefix}.flat`;
    b.node('Flatten', [site.input], [out], `${site.prefix}.flatten`, { ints: { axis: 1 } });
    return out;
  },
  clone: (l) => ({ ...l }),
};
