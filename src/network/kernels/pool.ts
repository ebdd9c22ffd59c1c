/**
 * Reference pooling kernels (1-D and 2-D), forward and backward, NCHW / NCL as ONNX:
 * MaxPool (padding never wins: padded positions are skipped), AveragePool with ONNX's
 * count_include_pad (0: divide by the real inputs under the window, 1: by the kernel size), and
 * GlobalAveragePool. Floor mode only (ONNX ceil_mode 0, PyTorch's default). Strides default to 1 as
 * in ONNX; the --arch grammar sets them to the pool size. Pads must be smaller than the kernel, so
 * every window holds at least one real input. Pooling has no parameters, and its operations are not
 * counted as multiply-adds (as the peer and the usual MAC counters do).
 */
import { GsError } from '../../errors';
import { batchOf, resolveWindow, windowOutput, zerosLike, type FloatArray, type Window2d, type WindowAttributes } from './window';

export interface PoolAttributes extends WindowAttributes {
  /** AveragePool only: ONNX count_include_pad (default false = 0). */
  countIncludePad?: boolean;
}

/** A pooling window resolved against its per-example input shape [C, L] or [C, H, W]. */
export interface PoolGeometry extends Window2d {
  name: string;
  channels: number;
  countIncludePad: boolean;
}

export function poolGeometry(name: string, inputShape: readonly number[], attrs: PoolAttributes): PoolGeometry {
  if (inputShape.length !== 2 && inputShape.length !== 3) {
    throw new GsError('BAD_OPTION', `${name}: input shape ${inputShape.join('x')} is neither C,L nor C,H,W`);
  }
  if (attrs.dilations && attrs.dilations.some((d) => d !== 1))
    throw new GsError('BAD_OPTION', `${name}: pooling with dilation is not supported`);
  const w = resolveWindow(name, inputShape.slice(1), attrs);
  if (w.padTop >= w.kh || w.padBottom >= w.kh || w.padLeft >= w.kw || w.padRight >= w.kw) {
    throw new GsError('BAD_OPTION', `${name}: pads must be smaller than the pooling kernel ${w.rank === 1 ? w.kw : `${w.kh}x${w.kw}`}`);
  }
  return { ...w, name, channels: inputShape[0], countIncludePad: attrs.countIncludePad ?? false };
}

/** Per-example output shape [C, L'] or [C, H', W']. */
export function poolOutputShape(g: PoolGeometry): number[] {
  return [g.channels, ...windowOutput(g)];
}

/** The input rows [y0, y1) and columns [x0, x1) under output position (oy, ox), clipped to the real input. */
/** The window of output (oy, ox) clipped to the input, into w: [y0, y1, x0, x1] (no allocation per window). */
function clip(g: PoolGeometry, oy: number, ox: number, w: Int32Array): Int32Array {
  const ty = oy * g.sh - g.padTop;
  const tx = ox * g.sw - g.padLeft;
  w[0] = ty > 0 ? ty : 0;
  w[1] = ty + g.kh < g.ih ? ty + g.kh : g.ih;
  w[2] = tx > 0 ? tx : 0;
  w[3] = tx + g.kw < g.iw ? tx + g.kw : g.iw;
  return w;
}

export interface MaxPoolResult {
  y: FloatArray;
  /** For each output value, the index into x of the input that won (first one on ties). */
  argmax: Int32Array;
}

export function maxPoolForward(g: PoolGeometry, x: FloatArray): MaxPoolResult {
  const win = new Int32Array(4);
  const ihw = g.ih * g.iw;
  const ohw = g.oh * g.ow;
  const planes = batchOf(g.name, 'input', x.length, g.channels * ihw) * g.channels;
  const y = zerosLike(x, planes * ohw);
  const argmax = new Int32Array(planes * ohw);
  for (let p = 0; p < planes; p++) {
    const xBase = p * ihw;
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        clip(g, oy, ox, win);
        const y0 = win[0],
          y1 = win[1],
          x0 = win[2],
          x1 = win[3];
        let best = -Infinity;
        let at = xBase + y0 * g.iw + x0;
        for (let iy = y0; iy < y1; iy++) {
          const row = xBase + iy * g.iw;
          for (let ix = x0; ix < x1; ix++) {
            const v = x[row + ix];
            if (v > best) {
              best = v;
              at = row + ix;
            }
          }
        }
        const o = p * ohw + oy * g.ow + ox;
        y[o] = x[at];
        argmax[o] = at;
      }
    }
  }
  return { y, argmax };
}

/** dL/dx of max pooling: each output gradient goes to the input that won its window. */
export function maxPoolBackward(g: PoolGeometry, argmax: Int32Array, dy: FloatArray, inputLength: number): FloatArray {
  if (dy.length !== argmax.length)
    throw new GsError('BAD_INPUT', `${g.name}: output gradient has ${dy.length} values, expected ${argmax.length}`);
  const dx = zerosLike(dy, inputLength);
  for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
  return dx;
}

/** The divisor of each output position of an average pool (the same for every plane). */
function divisors(g: PoolGeometry): Float64Array {
  const win = new Int32Array(4);
  const d = new Float64Array(g.oh * g.ow);
  for (let oy = 0; oy < g.oh; oy++) {
    for (let ox = 0; ox < g.ow; ox++) {
      clip(g, oy, ox, win);
      const y0 = win[0],
        y1 = win[1],
        x0 = win[2],
        x1 = win[3];
      d[oy * g.ow + ox] = g.countIncludePad ? g.kh * g.kw : (y1 - y0) * (x1 - x0);
    }
  }
  return d;
}

export function avgPoolForward(g: PoolGeometry, x: FloatArray): FloatArray {
  const win = new Int32Array(4);
  const ihw = g.ih * g.iw;
  const ohw = g.oh * g.ow;
  const planes = batchOf(g.name, 'input', x.length, g.channels * ihw) * g.channels;
  const y = zerosLike(x, planes * ohw);
  const div = divisors(g);
  for (let p = 0; p < planes; p++) {
    const xBase = p * ihw;
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        clip(g, oy, ox, win);
        const y0 = win[0],
          y1 = win[1],
          x0 = win[2],
          x1 = win[3];
        let s = 0;
        for (let iy = y0; iy < y1; iy++) {
          const row = xBase + iy * g.iw;
          for (let ix = x0; ix < x1; ix++) s += x[row + ix];
        }
        y[p * ohw + oy * g.ow + ox] = s / div[oy * g.ow + ox];
      }
    }
  }
  return y;
}

export function avgPoolBackward(g: PoolGeometry, dy: FloatArray, inputLength: number): FloatArray {
  const win = new Int32Array(4);
  const ihw = g.ih * g.iw;
  const ohw = g.oh * g.ow;
  const planes = batchOf(g.name, 'input', inputLength, g.channels * ihw) * g.channels;
  if (dy.length !== planes * ohw)
    throw new GsError('BAD_INPUT', `${g.name}: output gradient has ${dy.length} values, expected ${planes * ohw}`);
  const dx = zerosLike(dy, inputLength);
  const div = divisors(g);
  for (let p = 0; p < planes; p++) {
    const xBase = p * ihw;
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        clip(g, oy, ox, win);
        const y0 = win[0],
          y1 = win[1],
          x0 = win[2],
          x1 = win[3];
        const d = dy[p * ohw + oy * g.ow + ox] / div[oy * g.ow + ox];
        for (let iy = y0; iy < y1; iy++) {
          const row = xBase + iy * g.iw;
          for (let ix = x0; ix < x1; ix++) dx[row + ix] += d;
        }
      }
    }
  }
  return dx;
}

/** GlobalAveragePool: x [N, C, ...spatial] with `spatial` values per plane -> [N, C] (ONNX keeps 1x1 axes; same values). */
export function globalAvgPoolForward(x: FloatArray, channels: number, spatial: number): FloatArray {
  const planes = batchOf('global average pool', 'input', x.length, channels * spatial) * channels;
  const y = zerosLike(x, planes);
  for (let p = 0; p < planes; p++) {
    let s = 0;
    for (let i = p * spatial, end = i + spatial; i < end; i++) s += x[i];
    y[p] = s / spatial;
  }
  return y;
}

export function globalAvgPoolBackward(dy: FloatArray, spatial: number): FloatArray {
  const dx = zerosLike(dy, dy.length * spatial);
  for (let p = 0; p < dy.length; p++) dx.fill(dy[p] / spatial, p * spatial, (p + 1) * spatial);
  return dx;
}
