/**
 * The reference convolution kernels (src/network/kernels/conv.ts): forward against a naive
 * per-output formula written here and against tfjs's CPU conv2d / depthwiseConv2d (NHWC, transposed
 * at the border), for 2-D and 1-D, strides, asymmetric ONNX pads, dilation, groups 1, 2 and
 * depthwise; input, weight and bias gradients against float64 central differences; shapes, counts
 * and the errors for an input too small for the kernel.
 */
import * as tf from '@tensorflow/tfjs';
import {
  convBackward,
  convForward,
  convGeometry,
  convMultiplyAdds,
  convOutputShape,
  convParameterCount,
  type ConvAttributes,
} from '../../../src/network/kernels/conv';
import { GsError } from '../../../src/errors';
import { Rng } from '../../../src/util/rng';
import { dot, maxRelDiff, nchwToTf, numericGradient, randomF32, randomF64, tfToNchw, useTfCpu } from './helpers';

interface Case {
  label: string;
  n: number;
  input: number[]; // [C, H, W] or [C, L]
  out: number;
  attrs: ConvAttributes;
}

const CASES: Case[] = [
  {
    label: '2-D stride, asymmetric pads, dilation',
    n: 2,
    input: [3, 7, 6],
    out: 4,
    attrs: { kernel: [3, 2], strides: [2, 1], pads: [1, 0, 2, 1], dilations: [1, 2] },
  },
  { label: '2-D symmetric pads', n: 3, input: [2, 5, 5], out: 3, attrs: { kernel: [3, 3], pads: [1, 1] } },
  { label: '2-D depthwise, multiplier 2', n: 2, input: [4, 6, 5], out: 8, attrs: { kernel: [3, 3], pads: [1, 1], group: 4 } },
  { label: '2-D two groups', n: 2, input: [4, 5, 6], out: 6, attrs: { kernel: [2, 3], strides: [1, 2], pads: [0, 1], group: 2 } },
  { label: '1-D stride, pads, dilation', n: 2, input: [3, 11], out: 2, attrs: { kernel: [3], strides: [2], pads: [2, 1], dilations: [2] } },
  { label: '1-D depthwise', n: 2, input: [3, 9], out: 3, attrs: { kernel: [4], pads: [1], group: 3 } },
];

/** The pads of a case as [top, left, bottom, right] in 2-D form (1-D: no vertical padding). */
function pads2d(c: Case): [number, number, number, number] {
  const p = c.attrs.pads ?? [];
  if (c.input.length === 2) {
    const [b, e] = p.length === 1 ? [p[0], p[0]] : p.length === 2 ? [p[0], p[1]] : [0, 0];
    return [0, b, 0, e];
  }
  if (p.length === 2) return [p[0], p[1], p[0], p[1]];
  if (p.length === 4) return [p[0], p[1], p[2], p[3]];
  return [0, 0, 0, 0];
}

function as2d(c: Case): { C: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number } {
  const a = c.attrs;
  if (c.input.length === 2) {
    return { C: c.input[0], H: 1, W: c.input[1], kh: 1, kw: a.kernel[0], sh: 1, sw: a.strides?.[0] ?? 1, dh: 1, dw: a.dilations?.[0] ?? 1 };
  }
  return {
    C: c.input[0],
    H: c.input[1],
    W: c.input[2],
    kh: a.kernel[0],
    kw: a.kernel[1],
    sh: a.strides?.[0] ?? 1,
    sw: a.strides?.[1] ?? 1,
    dh: a.dilations?.[0] ?? 1,
    dw: a.dilations?.[1] ?? 1,
  };
}

/** Each output value from its definition: sum over its group's input channels and the kernel of w * x(padded). */
function naiveConv(c: Case, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const { C, H, W, kh, kw, sh, sw, dh, dw } = as2d(c);
  const [pt, pl, pb, pr] = pads2d(c);
  const G = c.attrs.group ?? 1;
  const OH = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const cg = C / G;
  const og = c.out / G;
  const y = new Float64Array(c.n * c.out * OH * OW);
  const at = (e: number, ch: number, r: number, col: number): number =>
    r < 0 || r >= H || col < 0 || col >= W ? 0 : x[((e * C + ch) * H + r) * W + col];
  let k = 0;
  for (let e = 0; e < c.n; e++)
    for (let o = 0; o < c.out; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = b[o];
          const grp = Math.floor(o / og);
          for (let q = 0; q < cg; q++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++)
                s += w[((o * cg + q) * kh + u) * kw + v] * at(e, grp * cg + q, i * sh - pt + u * dh, j * sw - pl + v * dw);
          y[k++] = s;
        }
  return y;
}

/** The same convolution in tfjs (NHWC, HWIO weights; depthwise through depthwiseConv2d, other groups by slicing). */
function tfjsConv(c: Case, x: Float32Array, w: Float32Array, b: Float32Array): Float32Array {
  const { C, H, W, kh, kw, sh, sw, dh, dw } = as2d(c);
  const [pt, pl, pb, pr] = pads2d(c);
  const G = c.attrs.group ?? 1;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pt, pb],
    [pl, pr],
    [0, 0],
  ];
  return tf.tidy(() => {
    const xt = nchwToTf(x, [c.n, C, H, W]);
    const wt = tf.tensor4d(w, [c.out, C / G, kh, kw]);
    let y: tf.Tensor4D;
    if (G === C && G > 1) {
      // ONNX depthwise: output channel o reads input channel floor(o / m); tfjs: output c*m + j reads c.
      const m = c.out / C;
      const filt = tf.transpose<tf.Tensor4D>(tf.reshape(wt, [C, m, kh, kw]), [2, 3, 0, 1]);
      y = tf.depthwiseConv2d(xt, filt, 1, pad, 'NHWC', [dh, dw]);
    } else {
      const parts: tf.Tensor4D[] = [];
      const og = c.out / G;
      const cg = C / G;
      for (let g = 0; g < G; g++) {
        const xs = tf.slice(xt, [0, 0, 0, g * cg], [-1, -1, -1, cg]);
        const ws = tf.transpose<tf.Tensor4D>(tf.slice(wt, [g * og, 0, 0, 0], [og, -1, -1, -1]), [2, 3, 1, 0]);
        parts.push(tf.conv2d(xs, ws, 1, pad, 'NHWC', [dh, dw]));
      }
      y = parts.length === 1 ? parts[0] : tf.concat<tf.Tensor4D>(parts, 3);
    }
    // tfjs refuses strides and dilations together: convolve with stride 1 and keep every stride-th position.
    const [, h1, w1] = y.shape;
    y = tf.stridedSlice(y, [0, 0, 0, 0], [c.n, h1, w1, c.out], [1, sh, sw, 1]) as tf.Tensor4D;
    return tfToNchw(tf.add<tf.Tensor4D>(y, tf.tensor1d(b)));
  });
}

beforeAll(useTfCpu);

describe.each(CASES)('convolution: $label', (c) => {
  const g = convGeometry('conv test', c.input, c.out, c.attrs);
  const C = c.input[0];
  const G = c.attrs.group ?? 1;
  const perX = c.input.reduce((a, v) => a * v, 1);
  const wLen = c.out * (C / G) * c.attrs.kernel.reduce((a, v) => a * v, 1);

  test('forward equals the naive formula and tfjs', () => {
    const rng = new Rng(7);
    const x = randomF32(rng, c.n * perX);
    const w = randomF32(rng, wLen);
    const b = randomF32(rng, c.out);
    const y = convForward(g, x, w, b);
    expect(y).toBeInstanceOf(Float32Array);
    const outShape = convOutputShape(g);
    expect(y.length).toBe(c.n * outShape.reduce((a, v) => a * v, 1));
    expect(maxRelDiff(y, naiveConv(c, x, w, b))).toBeLessThan(1e-5);
    expect(maxRelDiff(y, tfjsConv(c, x, w, b))).toBeLessThan(1e-4);
  });

  test('float64 forward equals the naive formula to rounding, and counts match the output', () => {
    const rng = new Rng(8);
    const x = randomF64(rng, c.n * perX);
    const w = randomF64(rng, wLen);
    const b = randomF64(rng, c.out);
    expect(maxRelDiff(convForward(g, x, w, b), naiveConv(c, x, w, b))).toBeLessThan(1e-12);
    const outShape = convOutputShape(g);
    const positions = outShape.slice(1).reduce((a, v) => a * v, 1);
    expect(convParameterCount(g)).toBe(wLen + c.out);
    expect(convParameterCount(g, false)).toBe(wLen);
    expect(convMultiplyAdds(g)).toBe(positions * wLen);
  });

  test('input, weight and bias gradients equal central differences (float64)', () => {
    const rng = new Rng(9);
    const x = randomF64(rng, c.n * perX);
    const w = randomF64(rng, wLen);
    const b = randomF64(rng, c.out);
    const r = randomF64(rng, convForward(g, x, w, b).length); // loss = sum(r * y), so dL/dy = r
    const loss = (): number => dot(r, convForward(g, x, w, b));
    const grads = convBackward(g, x, w, r);
    expect(maxRelDiff(grads.dx!, numericGradient(loss, x))).toBeLessThan(1e-7);
    expect(maxRelDiff(grads.dw, numericGradient(loss, w))).toBeLessThan(1e-7);
    expect(maxRelDiff(grads.db, numericGradient(loss, b))).toBeLessThan(1e-7);
    const noDx = convBackward(g, x, w, r, false);
    expect(noDx.dx).toBeNull();
    expect(maxRelDiff(noDx.dw, grads.dw)).toBe(0);
  });
});

describe('convolution geometry', () => {
  test('shapes and counts of LeNet-5 first convolution by hand', () => {
    const g = convGeometry('conv1', [1, 28, 28], 6, { kernel: [5, 5] });
    expect(convOutputShape(g)).toEqual([6, 24, 24]);
    expect(convParameterCount(g)).toBe(6 * 25 + 6);
    expect(convMultiplyAdds(g)).toBe(6 * 24 * 24 * 25);
  });

  test('stride, padding and dilation follow floor((size + pads - dilation*(k-1) - 1) / stride) + 1', () => {
    expect(convOutputShape(convGeometry('c', [2, 10, 9], 3, { kernel: [3, 3], strides: [2, 3], pads: [1, 0, 0, 2] }))).toEqual([3, 5, 3]);
    expect(convOutputShape(convGeometry('c', [2, 10], 3, { kernel: [3], dilations: [3], pads: [1] }))).toEqual([3, 6]);
  });

  test('an input too small for the kernel names the layer and the sizes', () => {
    expect(() => convGeometry('conv2 (c16k5)', [6, 4, 4], 16, { kernel: [5, 5] })).toThrow(GsError);
    expect(() => convGeometry('conv2 (c16k5)', [6, 4, 4], 16, { kernel: [5, 5] })).toThrow(/conv2 \(c16k5\): input 4x4 .*window 5x5/);
    expect(() => convGeometry('c1d', [1, 3], 2, { kernel: [3], dilations: [2] })).toThrow(/c1d: input 3 .*window 5/);
  });

  test('bad groups, pads and shapes are refused', () => {
    expect(() => convGeometry('c', [3, 5, 5], 4, { kernel: [3, 3], group: 2 })).toThrow(/group 2 must divide/);
    expect(() => convGeometry('c', [3, 5, 5], 4, { kernel: [3, 3], pads: [1, 1, 1] })).toThrow(/pads has 3 values/);
    expect(() => convGeometry('c', [3, 5, 5], 4, { kernel: [3] })).toThrow(/kernel has 1 values, expected 2/);
    expect(() => convGeometry('c', [3, 5, 5, 5], 4, { kernel: [3, 3, 3] })).toThrow(/neither C,L nor C,H,W/);
    const g = convGeometry('c', [2, 4, 4], 3, { kernel: [3, 3] });
    expect(() => convForward(g, new Float32Array(31), new Float32Array(54), null)).toThrow(/not a multiple/);
    expect(() => convForward(g, new Float32Array(32), new Float32Array(50), null)).toThrow(/weight has 50 values, expected 3x2x3x3/);
  });
});
