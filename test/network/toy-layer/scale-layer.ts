/**
 * A toy layer type that lives outside src/: a per-channel scale y_c = s_c * x_c. It is written the
 * way a built-in layer type is (network/layers/dense.ts) and registered in the table at run time;
 * the test beside it checks that forward, penalty groups, pruning and ONNX export all take it.
 */
import { rowGroups } from '../../../src/network/layers/group-view';
import type { LayerType } from '../../../src/network/layers/layer-type';

export interface ScaleLayer {
  op: 'scale';
  channels: number;
  scale: Float32Array;
}

export const SCALE: LayerType<ScaleLayer> = {
  op: 'scale',
  role: 'channelwise',
  invalid: (l) => (l.scale.length !== l.channels ? `has ${l.scale.length} scales for ${l.channels} channels` : null),
  outShape(l, inShape) {
    if (inShape.reduce((a, b) => a * b, 1) !== l.channels)
      throw new RangeError(`a scale of ${l.channels} channels receives ${inShape.join('x')}`);
    return [l.channels];
  },
  params: (l) => l.channels,
  macs: (l) => l.channels,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels,
  forward(l, x, rows) {
    const out = new Float64Array(rows * l.channels);
    for (let r = 0; r < rows; r++) for (let c = 0; c < l.channels; c++) out[r * l.channels + c] = x[r * l.channels + c] * l.scale[c];
    return out;
  },
  // each scale is a group of its own (a zero scale silences its channel); no singletons
  groups: (l) => ({ w: l.scale, groups: rowGroups(l.channels, 1), b: new Float32Array(0) }),
  constantThrough: (l, c, v) => (v === null ? (l.scale[c] === 0 ? 0 : null) : v * l.scale[c]),
  keep: (l, inKept) => ({ op: 'scale', channels: inKept.length, scale: Float32Array.from(inKept, (c) => l.scale[c]) }),
  onnx(l, site, b) {
    const s = b.floats(`${site.prefix}.scale`, [l.channels], l.scale);
    const out = site.output ?? `${site.prefix}.scaled`;
    b.node('Mul', [site.input, s], [out], `${site.prefix}.mul`);
    return out;
  },
  clone: (l) => ({ ...l, scale: l.scale.slice() }),
};
