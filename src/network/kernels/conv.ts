/**
 * Reference convolution kernels (1-D and 2-D), the ones the fused engine's TypeScript and
 * WebAssembly kernels are checked against. Layout as ONNX Conv: input [N, C, H, W] (or [N, C, L]),
 * weight [O, C/group, kH, kW] (or [O, C/group, kL]), bias [O], output [N, O, H', W'], batch-major,
 * zero padding; attributes as ONNX (kernel_shape, strides, pads, dilations, group), with groups 1,
 * depthwise (group = C) and anything between.
 *
 * Direct loops, no im2col: for each (example, output channel, input channel, kernel offset) the
 * range of output positions that read real input is precomputed (window.ts validRanges), so the
 * innermost loop is a branch-free multiply-add over one output row. Float32Array in the product,
 * Float64Array accepted everywhere (gradient checks); outputs take the input's element type.
 */
import { GsError } from '../../errors';
import {
  batchOf,
  resolveWindow,
  validRanges,
  windowOutput,
  zerosLike,
  type FloatArray,
  type Window2d,
  type WindowAttributes,
} from './window';

export interface ConvAttributes extends WindowAttributes {
  /** ONNX group: 1 (default), C (depthwise) or any common divisor of C and O. */
  group?: number;
}

/** A convolution resolved against its per-example input shape. */
export interface ConvGeometry extends Window2d {
  name: string;
  cin: number;
  cout: number;
  group: number;
  /** Per kernel row / column offset, the output rows / columns that read real input. */
  rowLo: Int32Array;
  rowHi: Int32Array;
  colLo: Int32Array;
  colHi: Int32Array;
}

/**
 * Resolves a convolution of `outChannels` filters over a per-example input of shape `inputShape`
 * ([C, L] or [C, H, W]); `name` names the layer in errors (input too small, bad group, ...).
 */
export function convGeometry(name: string, inputShape: readonly number[], outChannels: number, attrs: ConvAttributes): ConvGeometry {
  if (inputShape.length !== 2 && inputShape.length !== 3) {
    throw new GsError('BAD_OPTION', `${name}: input shape ${inputShape.join('x')} is neither C,L nor C,H,W`);
  }
  const cin = inputShape[0];
  const group = attrs.group ?? 1;
  if (!Number.isInteger(outChannels) || outChannels < 1)
    throw new GsError('BAD_OPTION', `${name}: ${outChannels} output channels, expected an integer >= 1`);
  if (!Number.isInteger(group) || group < 1 || cin % group !== 0 || outChannels % group !== 0) {
    throw new GsError(
      'BAD_OPTION',
      `${name}: group ${group} must divide both the input channels (${cin}) and the output channels (${outChannels})`,
    );
  }
  const w = resolveWindow(name, inputShape.slice(1), attrs);
  const rows = validRanges(w.ih, w.oh, w.kh, w.sh, w.padTop, w.dh);
  const cols = validRanges(w.iw, w.ow, w.kw, w.sw, w.padLeft, w.dw);
  return { ...w, name, cin, cout: outChannels, group, rowLo: rows.lo, rowHi: rows.hi, colLo: cols.lo, colHi: cols.hi };
}

/** Per-example output shape [O, L'] or [O, H', W']. */
export function convOutputShape(g: ConvGeometry): number[] {
  return [g.cout, ...windowOutput(g)];
}

/** Weight tensor shape [O, C/group, kL] or [O, C/group, kH, kW]. */
export function convWeightShape(g: ConvGeometry): number[] {
  return g.rank === 1 ? [g.cout, g.cin / g.group, g.kw] : [g.cout, g.cin / g.group, g.kh, g.kw];
}

/** Trainable parameters: the weights plus the bias when present. */
export function convParameterCount(g: ConvGeometry, bias = true): number {
  return g.cout * (g.cin / g.group) * g.kh * g.kw + (bias ? g.cout : 0);
}

/** Multiply-adds per example: every output value reads (C/group)*kH*kW weights (padding counted, bias not). */
export function convMultiplyAdds(g: ConvGeometry): number {
  return g.cout * g.oh * g.ow * (g.cin / g.group) * g.kh * g.kw;
}

function checkWeights(g: ConvGeometry, w: FloatArray, b: FloatArray | null): void {
  const need = g.cout * (g.cin / g.group) * g.kh * g.kw;
  if (w.length !== need)
    throw new GsError('BAD_MODEL', `${g.name}: weight has ${w.length} values, expected ${convWeightShape(g).join('x')} = ${need}`);
  if (b && b.length !== g.cout) throw new GsError('BAD_MODEL', `${g.name}: bias has ${b.length} values, expected ${g.cout}`);
}

/** Forward pass: y = conv(x, w) + b for a batch x [N, C, ...]; returns y [N, O, ...] (into `out` when given). */
export function convForward(g: ConvGeometry, x: FloatArray, w: FloatArray, b: FloatArray | null, out?: FloatArray): FloatArray {
  checkWeights(g, w, b);
  const { cin, cout, group, iw, kh, kw, sh, sw, dh, dw, oh, ow, padTop, padLeft, rowLo, rowHi, colLo, colHi } = g;
  const ihw = g.ih * iw;
  const ohw = oh * ow;
  const n = batchOf(g.name, 'input', x.length, cin * ihw);
  const y = out ?? zerosLike(x, n * cout * ohw);
  const ipg = cin / group;
  const opg = cout / group;
  const khw = kh * kw;
  for (let e = 0; e < n; e++) {
    for (let oc = 0; oc < cout; oc++) {
      const yBase = (e * cout + oc) * ohw;
      y.fill(b ? b[oc] : 0, yBase, yBase + ohw);
      const icStart = Math.floor(oc / opg) * ipg;
      for (let j = 0; j < ipg; j++) {
        const xBase = (e * cin + icStart + j) * ihw;
        const wBase = (oc * ipg + j) * khw;
        for (let ky = 0; ky < kh; ky++) {
          const oy0 = rowLo[ky];
          const oy1 = rowHi[ky];
          for (let kx = 0; kx < kw; kx++) {
            const wv = w[wBase + ky * kw + kx];
            const ox0 = colLo[kx];
            const ox1 = colHi[kx];
            for (let oy = oy0; oy < oy1; oy++) {
              const xRow = xBase + (oy * sh - padTop + ky * dh) * iw - padLeft + kx * dw;
              const yRow = yBase + oy * ow;
              if (sw === 1) {
                for (let ox = ox0; ox < ox1; ox++) y[yRow + ox] += wv * x[xRow + ox];
              } else {
                for (let ox = ox0; ox < ox1; ox++) y[yRow + ox] += wv * x[xRow + ox * sw];
              }
            }
          }
        }
      }
    }
  }
  return y;
}

export interface ConvGradients {
  /** dL/dx [N, C, ...], or null when not asked for (the first layer). */
  dx: FloatArray | null;
  /** dL/dw, same shape as the weight; summed over the batch. */
  dw: FloatArray;
  /** dL/db [O]; summed over the batch. */
  db: FloatArray;
}

/**
 * Backward pass for a batch: from the output gradient dy [N, O, ...], the input gradient (when
 * `wantDx`), the weight gradient and the bias gradient, each summed over the batch.
 */
export function convBackward(g: ConvGeometry, x: FloatArray, w: FloatArray, dy: FloatArray, wantDx = true): ConvGradients {
  checkWeights(g, w, null);
  const { cin, cout, group, iw, kh, kw, sh, sw, dh, dw: dil, oh, ow, padTop, padLeft, rowLo, rowHi, colLo, colHi } = g;
  const ihw = g.ih * iw;
  const ohw = oh * ow;
  const n = batchOf(g.name, 'input', x.length, cin * ihw);
  if (dy.length !== n * cout * ohw)
    throw new GsError('BAD_INPUT', `${g.name}: output gradient has ${dy.length} values, expected ${n * cout * ohw}`);
  const dx = wantDx ? zerosLike(x, x.length) : null;
  const dW = zerosLike(w, w.length);
  const dB = zerosLike(w, cout);
  const ipg = cin / group;
  const opg = cout / group;
  const khw = kh * kw;
  for (let e = 0; e < n; e++) {
    for (let oc = 0; oc < cout; oc++) {
      const yBase = (e * cout + oc) * ohw;
      let sb = 0;
      for (let p = 0; p < ohw; p++) sb += dy[yBase + p];
      dB[oc] += sb;
      const icStart = Math.floor(oc / opg) * ipg;
      for (let j = 0; j < ipg; j++) {
        const xBase = (e * cin + icStart + j) * ihw;
        const wBase = (oc * ipg + j) * khw;
        for (let ky = 0; ky < kh; ky++) {
          const oy0 = rowLo[ky];
          const oy1 = rowHi[ky];
          for (let kx = 0; kx < kw; kx++) {
            const wi = wBase + ky * kw + kx;
            const wv = w[wi];
            const ox0 = colLo[kx];
            const ox1 = colHi[kx];
            let sw2 = 0;
            for (let oy = oy0; oy < oy1; oy++) {
              const xRow = xBase + (oy * sh - padTop + ky * dh) * iw - padLeft + kx * dil;
              const yRow = yBase + oy * ow;
              if (dx) {
                for (let ox = ox0; ox < ox1; ox++) {
                  const d = dy[yRow + ox];
                  sw2 += d * x[xRow + ox * sw];
                  dx[xRow + ox * sw] += wv * d;
                }
              } else {
                for (let ox = ox0; ox < ox1; ox++) sw2 += dy[yRow + ox] * x[xRow + ox * sw];
              }
            }
            dW[wi] += sw2;
          }
        }
      }
    }
  }
  return { dx, dw: dW, db: dB };
}
