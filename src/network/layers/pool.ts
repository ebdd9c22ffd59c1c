/**
 * The pooling layer type (max or average, 1-D or 2-D by its kernel's rank), ONNX MaxPool /
 * AveragePool semantics: floor mode, pads [begin..., end...] that max pooling never picks and that
 * average pooling counts only with count_include_pad. Channelwise: channel c of the output pools
 * channel c of the input. No parameters, no multiply-adds (as arch.ts counts).
 */
import { avgPoolForward, maxPoolForward, poolGeometry, poolOutputShape, type PoolGeometry } from '../kernels/pool';
import type { LayerType } from './layer-type';

export interface PoolLayer {
  op: 'pool';
  kind: 'max' | 'avg';
  channels: number;
  /** Window per spatial axis ([kL] or [kH, kW]); its length is the layer's rank. */
  kernel: number[];
  strides: number[];
  /** ONNX pads [begin..., end...]. */
  pads: number[];
  /** Average pooling: divide by the whole window, padding included (ONNX count_include_pad 1). */
  countIncludePad: boolean;
}

/** A pooling layer; strides default to the window (as --arch's mS / aS), pads to 0. */
export function poolLayer(
  kind: 'max' | 'avg',
  channels: number,
  kernel: number[],
  o: { strides?: number[]; pads?: number[]; countIncludePad?: boolean } = {},
): PoolLayer {
  const r = kernel.length;
  const pads = o.pads === undefined ? new Array<number>(2 * r).fill(0) : o.pads.length === r ? [...o.pads, ...o.pads] : [...o.pads];
  return {
    op: 'pool',
    kind,
    channels,
    kernel: [...kernel],
    strides: [...(o.strides ?? kernel)],
    pads,
    countIncludePad: o.countIncludePad ?? false,
  };
}

function geometry(l: PoolLayer, inShape: readonly number[]): PoolGeometry {
  if (inShape.length !== l.kernel.length + 1 || inShape[0] !== l.channels) {
    throw new RangeError(`a ${l.kernel.length}-D pooling of ${l.channels} channels receives shape ${inShape.join('x')}`);
  }
  return poolGeometry(`${l.kind} pooling`, inShape, {
    kernel: l.kernel,
    strides: l.strides,
    pads: l.pads,
    countIncludePad: l.countIncludePad,
  });
}

export const POOL: LayerType<PoolLayer> = {
  op: 'pool',
  role: 'channelwise',
  invalid: (l) =>
    (l.kernel.length !== 1 && l.kernel.length !== 2) || l.strides.length !== l.kernel.length || l.pads.length !== 2 * l.kernel.length
      ? `has kernel ${l.kernel.join('x')}, strides ${l.strides.join('x')}, pads ${l.pads.join(',')} that do not fit`
      : null,
  outShape: (l, inShape) => poolOutputShape(geometry(l, inShape)),
  params: () => 0,
  macs: () => 0,
  inChannels: (l) => l.channels,
  outChannels: (l) => l.channels,
  forward(l, x, _rows, _hidden, inShape) {
    const g = geometry(l, inShape);
    return (l.kind === 'max' ? maxPoolForward(g, x).y : avgPoolForward(g, x)) as Float64Array;
  },
  groups: () => null,
  // the max or the mean of a constant is that constant, unless padded zeros enter the mean
  constantThrough: (l, _c, v) => (v === null || (l.kind === 'avg' && l.countIncludePad && l.pads.some((p) => p !== 0)) ? null : v),
  keep: (l, kept) => ({ ...POOL.clone(l), channels: kept.length }),
  onnx(l, site, b) {
    const out = site.output ?? `${site.prefix}.${l.kind}pool`;
    const ints: Record<string, number | number[]> = { kernel_shape: l.kernel, strides: l.strides, pads: l.pads };
    if (l.kind === 'avg') ints.count_include_pad = l.countIncludePad ? 1 : 0;
    b.node(l.kind === 'max' ? 'MaxPool' : 'AveragePool', [site.input], [out], `${site.prefix}.pool`, { ints });
    return out;
  },
  clone: (l) => ({ ...l, kernel: [...l.kernel], strides: [...l.strides], pads: [...l.pads] }),
};
