/**
 * Sliding-window geometry shared by the convolution and pooling reference kernels: the ONNX
 * attributes (kernel_shape, strides, pads as [begin..., end...], dilations) resolved for a 1-D or
 * 2-D input, the output size per axis (floor mode, as ONNX with ceil_mode 0 and PyTorch), and a
 * GsError naming the layer when the input is too small for the window.
 *
 * Internally every window is 2-D: a 1-D input of length L is treated as H = 1, W = L with a kernel
 * of height 1, so the kernels have one code path.
 */
import { GsError } from '../../errors';

/** Float arrays the reference kernels accept: Float32Array in the product, Float64Array in gradient checks. */
export type FloatArray = Float32Array | Float64Array;

/** A new zeroed array of the same element type as `like`. */
export function zerosLike(like: FloatArray, length: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

/** ONNX-style window attributes over the spatial axes (1 or 2 of them). */
export interface WindowAttributes {
  /** Kernel size per spatial axis (ONNX kernel_shape). */
  kernel: readonly number[];
  /** Stride per axis (default 1 per axis, as ONNX). */
  strides?: readonly number[];
  /** Zero padding: one value per axis (symmetric), or ONNX pads [begin..., end...] (default 0). */
  pads?: readonly number[];
  /** Dilation per axis (default 1). */
  dilations?: readonly number[];
}

/** A window resolved against an input's spatial size; 1-D windows have ih = kh = sh = dh = 1 and no vertical padding. */
export interface Window2d {
  /** Number of spatial axes of the layer (1 or 2). */
  rank: 1 | 2;
  ih: number;
  iw: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  oh: number;
  ow: number;
}

function perAxis(name: string, what: string, v: readonly number[] | undefined, rank: number, dflt: number, min: number): number[] {
  if (v === undefined) return new Array<number>(rank).fill(dflt);
  if (v.length !== rank)
    throw new GsError('BAD_OPTION', `${name}: ${what} has ${v.length} values, expected ${rank} (one per spatial axis)`);
  for (const x of v) {
    if (!Number.isInteger(x) || x < min) throw new GsError('BAD_OPTION', `${name}: ${what} ${v.join(',')} must be integers >= ${min}`);
  }
  return [...v];
}

/** ONNX pads [begin..., end...] from a symmetric per-axis list or a full begin/end list. */
export function resolvePads(name: string, pads: readonly number[] | undefined, rank: number): { begin: number[]; end: number[] } {
  if (pads === undefined) return { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
  if (pads.length !== rank && pads.length !== 2 * rank) {
    throw new GsError(
      'BAD_OPTION',
      `${name}: pads has ${pads.length} values, expected ${rank} (symmetric) or ${2 * rank} (ONNX begin..., end...)`,
    );
  }
  for (const p of pads) {
    if (!Number.isInteger(p) || p < 0) throw new GsError('BAD_OPTION', `${name}: pads ${pads.join(',')} must be integers >= 0`);
  }
  return pads.length === rank ? { begin: [...pads], end: [...pads] } : { begin: pads.slice(0, rank), end: pads.slice(rank) };
}

/** Output size of one axis: floor((size + padBegin + padEnd - dilation*(kernel-1) - 1) / stride) + 1. */
export function axisOutput(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((size + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Resolves a window over the spatial sizes `spatial` ([L] or [H, W]) of the layer called `name`.
 * Throws a GsError naming the layer, the input size and the window when an output axis would be < 1.
 */
export function resolveWindow(name: string, spatial: readonly number[], attrs: WindowAttributes): Window2d {
  const rank = spatial.length;
  if (rank !== 1 && rank !== 2) throw new GsError('BAD_OPTION', `${name}: input has ${rank} spatial axes, expected 1 (C,L) or 2 (C,H,W)`);
  const kernel = perAxis(name, 'kernel', attrs.kernel, rank, 1, 1);
  const strides = perAxis(name, 'strides', attrs.strides, rank, 1, 1);
  const dil = perAxis(name, 'dilations', attrs.dilations, rank, 1, 1);
  const { begin, end } = resolvePads(name, attrs.pads, rank);
  const out = spatial.map((s, a) => axisOutput(s, kernel[a], strides[a], begin[a], end[a], dil[a]));
  if (out.some((o) => o < 1)) {
    const padded = spatial.map((s, a) => s + begin[a] + end[a]);
    const reach = kernel.map((k, a) => dil[a] * (k - 1) + 1);
    throw new GsError(
      'BAD_OPTION',
      `${name}: input ${spatial.join('x')} (padded ${padded.join('x')}) is smaller than its window ${reach.join('x')}` +
        ` (kernel ${kernel.join('x')}, dilation ${dil.join('x')}); the output would be ${out.join('x')}`,
    );
  }
  if (rank === 1) {
    return {
      rank: 1,
      ih: 1,
      iw: spatial[0],
      kh: 1,
      kw: kernel[0],
      sh: 1,
      sw: strides[0],
      dh: 1,
      dw: dil[0],
      padTop: 0,
      padBottom: 0,
      padLeft: begin[0],
      padRight: end[0],
      oh: 1,
      ow: out[0],
    };
  }
  return {
    rank: 2,
    ih: spatial[0],
    iw: spatial[1],
    kh: kernel[0],
    kw: kernel[1],
    sh: strides[0],
    sw: strides[1],
    dh: dil[0],
    dw: dil[1],
    padTop: begin[0],
    padBottom: end[0],
    padLeft: begin[1],
    padRight: end[1],
    oh: out[0],
    ow: out[1],
  };
}

/** The output spatial sizes of a window in the layer's own rank ([L'] or [H', W']). */
export function windowOutput(w: Window2d): number[] {
  return w.rank === 1 ? [w.ow] : [w.oh, w.ow];
}

/**
 * For each kernel offset k along one axis, the output range [lo[k], hi[k]) whose input position
 * o*stride - pad + k*dilation falls inside [0, size): the positions that read real (unpadded) input.
 */
export function validRanges(
  size: number,
  out: number,
  kernel: number,
  stride: number,
  pad: number,
  dilation: number,
): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(kernel);
  const hi = new Int32Array(kernel);
  for (let k = 0; k < kernel; k++) {
    const off = k * dilation - pad; // input position = o*stride + off
    lo[k] = Math.max(0, Math.ceil(-off / stride));
    hi[k] = Math.max(lo[k], Math.min(out, Math.floor((size - 1 - off) / stride) + 1));
  }
  return { lo, hi };
}

/** Checks that `x` holds a whole number of examples of `perExample` values; returns the batch size. */
export function batchOf(name: string, what: string, length: number, perExample: number): number {
  const n = length / perExample;
  if (!Number.isInteger(n)) {
    throw new GsError('BAD_INPUT', `${name}: ${what} has ${length} values, not a multiple of one example's ${perExample}`);
  }
  return n;
}
