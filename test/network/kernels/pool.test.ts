/**
 * The reference pooling kernels (src/network/kernels/pool.ts): max and average pooling in 1-D and
 * 2-D with strides and pads, ONNX count_include_pad both ways, and global average pooling. Forward
 * against a naive enumeration of each window written here and against tfjs CPU (maxPool / avgPool
 * divide by the real inputs, i.e. count_include_pad 0; count_include_pad 1 is tfjs avgPool over a
 * zero-padded input); gradients against float64 central differences.
 */
import * as tf from '@tensorflow/tfjs';
import {
  avgPoolBackward,
  avgPoolForward,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  maxPoolBackward,
  maxPoolForward,
  poolGeometry,
  poolOutputShape,
  type PoolAttributes,
} from '../../../src/network/kernels/pool';
import { Rng } from '../../../src/util/rng';
import { dot, maxRelDiff, nchwToTf, numericGradient, randomF32, randomF64, tfToNchw, useTfCpu } from './helpers';

interface Case {
  label: string;
  n: number;
  input: number[];
  attrs: PoolAttributes;
}

const CASES: Case[] = [
  { label: '2-D 2x2 stride 2 (LeNet)', n: 2, input: [3, 6, 6], attrs: { kernel: [2, 2], strides: [2, 2] } },
  { label: '2-D 3x3 stride 2, pads 1', n: 2, input: [2, 7, 6], attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1] } },
  { label: '2-D 3x2 asymmetric pads, odd size', n: 1, input: [2, 5, 7], attrs: { kernel: [3, 2], strides: [2, 3], pads: [2, 0, 1, 1] } },
  { label: '1-D 3 stride 2, pads', n: 2, input: [3, 10], attrs: { kernel: [3], strides: [2], pads: [1, 2] } },
];

/** 2-D view of a case: sizes, kernel, strides, pads [top, left, bottom, right]. */
function view(c: Case): { C: number; H: number; W: number; k: [number, number]; s: [number, number]; p: [number, number, number, number] } {
  const a = c.attrs;
  if (c.input.length === 2) {
    const p = a.pads ?? [0];
    return { C: c.input[0], H: 1, W: c.input[1], k: [1, a.kernel[0]], s: [1, a.strides?.[0] ?? 1], p: [0, p[0], 0, p[p.length - 1]] };
  }
  const p = a.pads ?? [0, 0];
  return {
    C: c.input[0],
    H: c.input[1],
    W: c.input[2],
    k: [a.kernel[0], a.kernel[1]],
    s: [a.strides?.[0] ?? 1, a.strides?.[1] ?? 1],
    p: p.length === 2 ? [p[0], p[1], p[0], p[1]] : [p[0], p[1], p[2], p[3]],
  };
}

/** Each output from the list of real inputs under its window. */
function naivePool(c: Case, x: ArrayLike<number>, kind: 'max' | 'avg', includePad: boolean): Float64Array {
  const { C, H, W, k, s, p } = view(c);
  const OH = Math.floor((H + p[0] + p[2] - k[0]) / s[0]) + 1;
  const OW = Math.floor((W + p[1] + p[3] - k[1]) / s[1]) + 1;
  const out: number[] = [];
  for (let e = 0; e < c.n; e++)
    for (let ch = 0; ch < C; ch++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          const vals: number[] = [];
          for (let u = 0; u < k[0]; u++)
            for (let v = 0; v < k[1]; v++) {
              const r = i * s[0] + u - p[0];
              const q = j * s[1] + v - p[1];
              if (r >= 0 && r < H && q >= 0 && q < W) vals.push(x[((e * C + ch) * H + r) * W + q]);
            }
          if (kind === 'max') out.push(Math.max(...vals));
          else out.push(vals.reduce((a, b) => a + b, 0) / (includePad ? k[0] * k[1] : vals.length));
        }
  return Float64Array.from(out);
}

function tfjsPool(c: Case, x: Float32Array, kind: 'max' | 'avg', includePad: boolean): Float32Array {
  const { C, H, W, k, s, p } = view(c);
  return tf.tidy(() => {
    let xt = nchwToTf(x, [c.n, C, H, W]);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [p[0], p[2]],
      [p[1], p[3]],
      [0, 0],
    ];
    if (kind === 'avg' && includePad) {
      xt = tf.pad(xt, pad);
      return tfToNchw(tf.avgPool(xt, k, s, 'valid'));
    }
    // explicit padding (typed as number in the op signature): tfjs skips padded positions in max and average pooling
    const f = kind === 'max' ? tf.maxPool : tf.avgPool;
    return tfToNchw(f(xt, k, s, pad as unknown as number));
  });
}

beforeAll(useTfCpu);

describe.each(CASES)('pooling: $label', (c) => {
  const per = c.input.reduce((a, v) => a * v, 1);
  const maxG = poolGeometry('pool test', c.input, c.attrs);
  const exclG = poolGeometry('pool test', c.input, { ...c.attrs, countIncludePad: false });
  const inclG = poolGeometry('pool test', c.input, { ...c.attrs, countIncludePad: true });

  test('forward equals the naive window enumeration and tfjs', () => {
    const x = randomF32(new Rng(3), c.n * per);
    const { y, argmax } = maxPoolForward(maxG, x);
    expect(y.length).toBe(c.n * poolOutputShape(maxG).reduce((a, v) => a * v, 1));
    for (let o = 0; o < y.length; o++) expect(x[argmax[o]]).toBe(y[o]);
    expect(maxRelDiff(y, naivePool(c, x, 'max', false))).toBeLessThan(1e-7);
    expect(maxRelDiff(y, tfjsPool(c, x, 'max', false))).toBeLessThan(1e-7);
    for (const include of [false, true]) {
      const ya = avgPoolForward(include ? inclG : exclG, x);
      expect(maxRelDiff(ya, naivePool(c, x, 'avg', include))).toBeLessThan(1e-6);
      expect(maxRelDiff(ya, tfjsPool(c, x, 'avg', include))).toBeLessThan(1e-6);
    }
  });

  test('gradients equal central differences (float64)', () => {
    const rng = new Rng(4);
    const x = randomF64(rng, c.n * per);
    const r = randomF64(rng, maxPoolForward(maxG, x).y.length);
    const dmax = maxPoolBackward(maxG, maxPoolForward(maxG, x).argmax, r, x.length);
    expect(
      maxRelDiff(
        dmax,
        numericGradient(() => dot(r, maxPoolForward(maxG, x).y), x, 1e-7),
      ),
    ).toBeLessThan(1e-6);
    for (const g of [exclG, inclG]) {
      const davg = avgPoolBackward(g, r, x.length);
      expect(
        maxRelDiff(
          davg,
          numericGradient(() => dot(r, avgPoolForward(g, x)), x),
        ),
      ).toBeLessThan(1e-8);
    }
  });
});

describe('count_include_pad', () => {
  test('a corner window of ones averages to 1 without the pads and to the real fraction with them', () => {
    const x = new Float32Array(9).fill(1);
    const excl = avgPoolForward(poolGeometry('a', [1, 3, 3], { kernel: [3, 3], pads: [1, 1] }), x);
    const incl = avgPoolForward(poolGeometry('a', [1, 3, 3], { kernel: [3, 3], pads: [1, 1], countIncludePad: true }), x);
    expect(Array.from(excl)).toEqual(new Array(9).fill(1));
    expect(incl[0]).toBeCloseTo(4 / 9, 6);
    expect(incl[1]).toBeCloseTo(6 / 9, 6);
    expect(incl[4]).toBeCloseTo(1, 6);
  });
});

describe('global average pooling', () => {
  test('forward equals tfjs mean over the spatial axes; gradient equals central differences', () => {
    const rng = new Rng(5);
    const x = randomF32(rng, 2 * 3 * 4 * 5);
    const y = globalAvgPoolForward(x, 3, 20);
    const ref = tf.tidy(() => tf.mean(tf.tensor4d(x, [2, 3, 4, 5]), [2, 3]).dataSync());
    expect(maxRelDiff(y, ref)).toBeLessThan(1e-6);
    const x64 = randomF64(rng, 2 * 3 * 7);
    const r = randomF64(rng, 6);
    const g = globalAvgPoolBackward(r, 7);
    expect(
      maxRelDiff(
        g,
        numericGradient(() => dot(r, globalAvgPoolForward(x64, 3, 7)), x64),
      ),
    ).toBeLessThan(1e-8);
  });
});

describe('pooling geometry', () => {
  test('floor mode: a 2x2 pool of 5x5 gives 2x2; LeNet 24 -> 12 -> (conv) 8 -> 4', () => {
    expect(poolOutputShape(poolGeometry('m', [6, 5, 5], { kernel: [2, 2], strides: [2, 2] }))).toEqual([6, 2, 2]);
    expect(poolOutputShape(poolGeometry('m', [6, 24, 24], { kernel: [2, 2], strides: [2, 2] }))).toEqual([6, 12, 12]);
    expect(poolOutputShape(poolGeometry('m', [16, 8], { kernel: [2], strides: [2] }))).toEqual([16, 4]);
  });

  test('errors name the layer: input smaller than the pool, pads not smaller than the kernel, dilation', () => {
    expect(() => poolGeometry('pool m2 (layer 4)', [16, 1, 1], { kernel: [2, 2], strides: [2, 2] })).toThrow(
      /pool m2 \(layer 4\): input 1x1/,
    );
    expect(() => poolGeometry('p', [1, 5, 5], { kernel: [2, 2], pads: [2, 2] })).toThrow(/pads must be smaller/);
    expect(() => poolGeometry('p', [1, 5, 5], { kernel: [2, 2], dilations: [2, 2] })).toThrow(/dilation/);
  });
});
