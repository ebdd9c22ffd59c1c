/**
 * The global average pooling layer type (ONNX GlobalAveragePool): [C, ...spatial] -> [C, 1, ...]
 * (the spatial axes kept at size 1, as ONNX and arch.ts), each channel the mean of its plane.
 * Channelwise; no parameters, no multiply-adds.
 */
import { globalAvgPoolForward } from '../kernels/pool';
import { size } from './activate';
import type { LayerType } from './layer-type';

export interface GapLayer {
  op: 'gap';
  channels: number;
}

export function gapLayer(channels: number): GapLayer {
  return { op: 'gap', channels };
}

function check(l: GapLayer, inShape: readonly number[]): void {
  if (inShape.length < 2 || inShape[0] !== l.channels)
    throw new RangeError(`global average pooling of ${l.channels} channels receives shape ${inShape.join('x')}`);
}

export const GAP: LayerType<GapLayer> = {
  op: 'gap',
  role: 'channelwise',
  invalid: (l) => (Number.isInteger(l.channels) && l.channels >= 0 ? null : `has ${l.channels} channels`),
  outShape(l, inShape) {
    check(l, inShape);
    return [l.channels, ...inShape.slice(1).map(() => 1)];
  },
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels,
  forward(l, x, _rows, _hidden, inShape) {
    check(l, inShape);
    return globalAvgPoolForward(x, l.channels, size(inShape.slice(1))) as Float64Array;
  },
  groups: () => null,
  constantThrough: (_l, _c, v) => v,
  keep: (_l, kept) => ({ op: 'gap', channels: kept.length }),
  onnx(_l, site, b) {
    const out = site.output ?? `${site.prefix}.gap`;
    b.node('GlobalAveragePool', [site.input], [out], `${site.prefix}.gap`);
    return out;
  },
  clone: (l) => ({ ...l }),
};
