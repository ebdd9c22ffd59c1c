/**
 * Bringing images to another size and channel count: bilinear resampling of one channel plane
 * (half-pixel centres, edges clamped: what PyTorch's interpolate(mode='bilinear',
 * align_corners=False) computes, without antialiasing), channel conversion (grey repeated over
 * R, G, B; colour to grey by luma 0.299 R + 0.587 G + 0.114 B; alpha dropped), and both applied to
 * every row of a table of C x H x W images. Image folders and image arrays share these.
 */
import { GsError } from '../errors';
import type { LabeledTable } from './types';

/** The factor on 8-bit pixel values unless one is asked for: 1/255, values in [0, 1] (as IDX images are read). */
export const DEFAULT_PIXEL_SCALE = 1 / 255;

/** Luma weights of R, G, B (ITU-R BT.601), what a colour image becomes in one channel. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/** Where each target position samples the source along one axis: two indices and the weight of the second. */
interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  t: Float32Array;
}

function axis(src: number, dst: number): Axis {
  const lo = new Int32Array(dst);
  const hi = new Int32Array(dst);
  const t = new Float32Array(dst);
  const s = src / dst;
  for (let i = 0; i < dst; i++) {
    const f = Math.min(Math.max((i + 0.5) * s - 0.5, 0), src - 1);
    lo[i] = Math.floor(f);
    hi[i] = Math.min(lo[i] + 1, src - 1);
    t[i] = f - lo[i];
  }
  return { lo, hi, t };
}

const axes = new Map<string, Axis>();
function cachedAxis(src: number, dst: number): Axis {
  const key = `${src}>${dst}`;
  let a = axes.get(key);
  if (!a) {
    if (axes.size > 64) axes.clear();
    a = axis(src, dst);
    axes.set(key, a);
  }
  return a;
}

/** One source plane: value (y, x) is at `data[offset + (y * width + x) * stride]`. */
export interface Plane {
  data: ArrayLike<number>;
  height: number;
  width: number;
  offset: number;
  stride: number;
}

/**
 * Adds `weight` times the plane resampled (bilinear) to h x w onto `out[outOffset + y * w + x]`
 * (a copy when the sizes agree). Callers start from zeros; several calls sum channels (luma).
 */
export function addResized(p: Plane, out: Float32Array, outOffset: number, h: number, w: number, weight: number): void {
  const { data, offset, stride, width } = p;
  if (p.height === h && p.width === w) {
    for (let i = 0; i < h * w; i++) out[outOffset + i] += weight * data[offset + i * stride];
    return;
  }
  const ay = cachedAxis(p.height, h);
  const ax = cachedAxis(width, w);
  for (let y = 0; y < h; y++) {
    const r0 = offset + ay.lo[y] * width * stride;
    const r1 = offset + ay.hi[y] * width * stride;
    const ty = ay.t[y];
    const o = outOffset + y * w;
    for (let x = 0; x < w; x++) {
      const c0 = ax.lo[x] * stride;
      const c1 = ax.hi[x] * stride;
      const tx = ax.t[x];
      const top = data[r0 + c0] + (data[r0 + c1] - data[r0 + c0]) * tx;
      const bottom = data[r1 + c0] + (data[r1 + c1] - data[r1 + c0]) * tx;
      out[o + x] += weight * (top + (bottom - top) * ty);
    }
  }
}

/**
 * Writes an image of `from` channels (planes(c) gives channel c) as `to` channels of h x w at
 * `out[outOffset...]`, each value times `scale`: equal counts copy, 1 -> 3 repeats the grey, 3 or 4
 * -> 1 takes the luma, 4 -> 3 drops alpha. `out` there must hold zeros.
 */
export function writeImage(
  planes: (c: number) => Plane,
  from: number,
  to: number,
  out: Float32Array,
  outOffset: number,
  h: number,
  w: number,
  scale: number,
): void {
  const size = h * w;
  if (to === 1 && from >= 3) {
    for (let c = 0; c < 3; c++) addResized(planes(c), out, outOffset, h, w, scale * LUMA[c]);
    return;
  }
  for (let c = 0; c < to; c++) addResized(planes(from === 1 ? 0 : c), out, outOffset + c * size, h, w, scale);
}

/** Whether images of `from` channels can be brought to `to` channels. */
export function convertible(from: number, to: number): boolean {
  return from === to || (from === 1 && to === 3) || (from >= 3 && from <= 4 && (to === 1 || to === 3));
}

/**
 * The table's C x H x W rows brought to `shape` [C', H', W'] (bilinear resize, channel conversion),
 * with a warning saying what changed; the table itself when it already has that shape.
 */
export function fitImages(table: LabeledTable, shape: readonly number[], where: string): LabeledTable {
  const from = table.exampleShape;
  if (!from || from.length !== 3)
    throw new GsError(
      'BAD_OPTION',
      `${where}: holds flat rows of ${table.cols} features, not images; an image size or channel count applies to images (give --input-shape C,H,W to read rows as images)`,
    );
  const [C, H, W] = from;
  const [C2, H2, W2] = shape;
  if (C === C2 && H === H2 && W === W2) return table;
  if (!convertible(C, C2))
    throw new GsError('BAD_OPTION', `${where}: images of ${C} channels cannot be read as ${C2} channels (1 <-> 3, or 3/4 -> 1)`);
  const cols = C2 * H2 * W2;
  const features = new Float32Array(table.rows * cols);
  const per = C * H * W;
  for (let r = 0; r < table.rows; r++)
    writeImage(
      (c) => ({ data: table.features, height: H, width: W, offset: r * per + c * H * W, stride: 1 }),
      C,
      C2,
      features,
      r * cols,
      H2,
      W2,
      1,
    );
  const note = `${where}: images of ${C} x ${H} x ${W} read as ${C2} x ${H2} x ${W2}${H !== H2 || W !== W2 ? ' (resized, bilinear)' : ''}${
    C !== C2
      ? C2 === 1
        ? ' (luma of the colour channels)'
        : C === 1
          ? ' (the grey repeated over three channels)'
          : ' (alpha dropped)'
      : ''
  }`;
  return {
    ...table,
    cols,
    features,
    featureNames: Array.from({ length: cols }, (_, i) => `x${i}`),
    exampleShape: [C2, H2, W2],
    warnings: [...(table.warnings ?? []), note],
  };
}
