/**
 * The reference batch normalization (src/network/kernels/batchnorm.ts): training mode against the
 * statistics computed per channel here and against tfjs moments + batchNorm (channels last), the running-statistics
 * update (momentum weight of the batch, unbiased variance, as PyTorch), evaluation mode, gradients
 * of both modes against float64 central differences, and the fold into the preceding convolution
 * (folded conv = bn(conv) in evaluation mode, with and without a conv bias, grouped too).
 */
import * as tf from '@tensorflow/tfjs';
import {
  batchNormEvalBackward,
  batchNormEvalForward,
  batchNormTrainBackward,
  batchNormTrainForward,
  foldBatchNorm,
  updateRunningStats,
  type BatchNormState,
} from '../../../src/network/kernels/batchnorm';
import { convForward, convGeometry } from '../../../src/network/kernels/conv';
import { Rng } from '../../../src/util/rng';
import { dot, maxRelDiff, numericGradient, randomF32, randomF64, useTfCpu } from './helpers';

/** The values of channel c of x [N, C, S], gathered. */
function channelValues(x: ArrayLike<number>, C: number, S: number, c: number): number[] {
  const out: number[] = [];
  for (let e = 0; e < x.length / (C * S); e++) for (let i = 0; i < S; i++) out.push(x[(e * C + c) * S + i]);
  return out;
}

function state(rng: Rng, C: number): BatchNormState {
  const gamma = randomF64(rng, C);
  const beta = randomF64(rng, C);
  const runningMean = randomF64(rng, C);
  const runningVar = Float64Array.from(randomF64(rng, C), (v) => 0.5 + v * v);
  return { gamma, beta, runningMean, runningVar };
}

beforeAll(useTfCpu);

describe.each([
  { label: 'convolution output [N, C, H, W]', N: 4, C: 3, S: 12 },
  { label: 'dense output [N, C]', N: 6, C: 5, S: 1 },
])('batch norm on $label', ({ N, C, S }) => {
  test('training forward normalizes with the batch statistics (per-channel gather and tfjs)', () => {
    const rng = new Rng(11);
    const x = randomF32(rng, N * C * S, 2);
    const gamma = randomF32(rng, C);
    const beta = randomF32(rng, C);
    const r = batchNormTrainForward(x, C, S, gamma, beta);
    for (let c = 0; c < C; c++) {
      const v = channelValues(x, C, S, c);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const varB = v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
      expect(r.mean[c]).toBeCloseTo(m, 10);
      expect(r.variance[c]).toBeCloseTo(varB, 10);
      const y = channelValues(r.y, C, S, c);
      v.forEach((xv, i) => expect(y[i]).toBeCloseTo((gamma[c] * (xv - m)) / Math.sqrt(varB + 1e-5) + beta[c], 5));
    }
    // tfjs's batchNorm broadcasts statistics over the last axis only (channels last): go through [N, S, C].
    const ref = tf.tidy(() => {
      const xt = tf.transpose(tf.tensor3d(x, [N, C, S]), [0, 2, 1]);
      const { mean, variance } = tf.moments(xt, [0, 1]);
      return tf.transpose(tf.batchNorm(xt, mean, variance, tf.tensor1d(beta), tf.tensor1d(gamma), 1e-5), [0, 2, 1]).dataSync();
    });
    expect(maxRelDiff(r.y, ref)).toBeLessThan(1e-5);
  });

  test('running statistics: (1 - m) * running + m * batch, with the unbiased batch variance', () => {
    const rng = new Rng(12);
    const x = randomF64(rng, N * C * S);
    const st = state(rng, C);
    const before = { mean: Float64Array.from(st.runningMean), var: Float64Array.from(st.runningVar) };
    const r = batchNormTrainForward(x, C, S, st.gamma, st.beta);
    updateRunningStats(st, r, 0.25);
    for (let c = 0; c < C; c++) {
      const v = channelValues(x, C, S, c);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const unbiased = v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
      expect(st.runningMean[c]).toBeCloseTo(0.75 * before.mean[c] + 0.25 * m, 12);
      expect(st.runningVar[c]).toBeCloseTo(0.75 * before.var[c] + 0.25 * unbiased, 12);
    }
  });

  test('training backward equals central differences through the batch statistics', () => {
    const rng = new Rng(13);
    const x = randomF64(rng, N * C * S);
    const gamma = randomF64(rng, C);
    const beta = randomF64(rng, C);
    const rr = randomF64(rng, x.length);
    const loss = (): number => dot(rr, batchNormTrainForward(x, C, S, gamma, beta).y);
    const fwd = batchNormTrainForward(x, C, S, gamma, beta);
    const g = batchNormTrainBackward(x, rr, C, S, gamma, fwd);
    expect(maxRelDiff(g.dx, numericGradient(loss, x))).toBeLessThan(1e-7);
    expect(maxRelDiff(g.dgamma, numericGradient(loss, gamma))).toBeLessThan(1e-7);
    expect(maxRelDiff(g.dbeta, numericGradient(loss, beta))).toBeLessThan(1e-7);
  });

  test('evaluation forward uses the running statistics; its backward equals central differences', () => {
    const rng = new Rng(14);
    const x = randomF64(rng, N * C * S);
    const st = state(rng, C);
    const y = batchNormEvalForward(x, C, S, st);
    for (let c = 0; c < C; c++) {
      const xs = channelValues(x, C, S, c);
      const ys = channelValues(y, C, S, c);
      xs.forEach((xv, i) =>
        expect(ys[i]).toBeCloseTo((st.gamma[c] * (xv - st.runningMean[c])) / Math.sqrt(st.runningVar[c] + 1e-5) + st.beta[c], 12),
      );
    }
    const rr = randomF64(rng, x.length);
    const loss = (): number => dot(rr, batchNormEvalForward(x, C, S, st));
    const g = batchNormEvalBackward(x, rr, C, S, st);
    expect(maxRelDiff(g.dx, numericGradient(loss, x))).toBeLessThan(1e-8);
    expect(maxRelDiff(g.dgamma, numericGradient(loss, st.gamma as Float64Array))).toBeLessThan(1e-8);
    expect(maxRelDiff(g.dbeta, numericGradient(loss, st.beta as Float64Array))).toBeLessThan(1e-8);
  });
});

describe('folding evaluation-mode batch norm into the convolution', () => {
  test.each([
    { label: 'with a conv bias', bias: true, group: 1 },
    { label: 'without a conv bias', bias: false, group: 1 },
    { label: 'depthwise', bias: true, group: 4 },
  ])('folded conv equals bn(conv(x)) $label', ({ bias, group }) => {
    const rng = new Rng(15);
    const g = convGeometry('conv', [4, 6, 5], 8, { kernel: [3, 3], pads: [1, 1], group });
    const x = randomF64(rng, 3 * 4 * 6 * 5);
    const w = randomF64(rng, 8 * (4 / group) * 9);
    const b = bias ? randomF64(rng, 8) : null;
    const st = state(rng, 8);
    const ref = batchNormEvalForward(convForward(g, x, w, b), 8, 30, st);
    const f = foldBatchNorm(w, b, 8, st);
    expect(maxRelDiff(convForward(g, x, f.weight, f.bias), ref)).toBeLessThan(1e-12);
    // float32 too, to float32 rounding
    const f32 = foldBatchNorm(Float32Array.from(w), b && Float32Array.from(b), 8, st);
    expect(f32.weight).toBeInstanceOf(Float32Array);
    expect(maxRelDiff(convForward(g, Float32Array.from(x), f32.weight, f32.bias), ref)).toBeLessThan(1e-4);
  });

  test('a weight that is not whole filters is refused', () => {
    const rng = new Rng(16);
    expect(() => foldBatchNorm(new Float32Array(10), null, 3, state(rng, 3))).toThrow(/not a multiple of 3 filters/);
  });
});
