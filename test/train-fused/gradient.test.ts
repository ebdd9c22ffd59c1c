/**
 * The fused forward/backward pass against central finite differences of a float64 reference
 * loss, on tiny networks (one and two hidden layers, inputs with exact zeros).
 */
import type { DenseLayer } from '../../src/network/types';
import { layoutOf, packLayers, viewsOf } from '../../src/train/fused/layout';
import { BatchPass } from '../../src/train/fused/pass';
import type { TrainingData } from '../../src/train/types';
import { randomData, randomLayers, referenceLoss } from './helpers';

function analytic(layers: DenseLayer[], data: TrainingData, order: Int32Array, start: number, n: number) {
  const lay = layoutOf(layers);
  const params = packLayers(layers, lay);
  const grads = new Float32Array(lay.total);
  const pass = new BatchPass(lay, data, 8);
  const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, start, n);
  return { loss, grads: viewsOf(grads, lay) };
}

/** Central difference along one float32 weight, using the exactly representable perturbation. */
function numeric(layers: DenseLayer[], data: TrainingData, rows: number[], k: number, which: 'kernel' | 'bias', i: number) {
  const copy = layers.map((l) => ({ ...l, kernel: l.kernel.slice(), bias: l.bias.slice() }));
  const arr = copy[k][which];
  const w = arr[i];
  const eps = 1e-3;
  arr[i] = w + eps;
  const up = arr[i];
  const lp = referenceLoss(copy, data, rows);
  arr[i] = w - eps;
  const down = arr[i];
  const lm = referenceLoss(copy, data, rows);
  return (lp - lm) / (up - down);
}

describe.each([
  ['one hidden layer', [6, 5, 3]],
  ['two hidden layers', [5, 4, 4, 3]],
  ['logistic regression', [4, 3]],
])('fused gradient, %s', (_name, sizes) => {
  const layers = randomLayers(sizes, 11, 2);
  const data = randomData(9, sizes[0], sizes[sizes.length - 1], 5, 0.3);
  const order = Int32Array.from([8, 3, 0, 6, 2, 5, 1]);
  const start = 1;
  const n = 5;
  const rows = Array.from(order.subarray(start, start + n));

  it('returns the batch mean cross-entropy', () => {
    const { loss } = analytic(layers, data, order, start, n);
    expect(loss).toBeCloseTo(referenceLoss(layers, data, rows), 5);
  });

  it('matches finite differences for every kernel and bias entry', () => {
    const { grads } = analytic(layers, data, order, start, n);
    let worst = 0;
    layers.forEach((l, k) => {
      for (const which of ['kernel', 'bias'] as const) {
        for (let i = 0; i < l[which].length; i++) {
          const a = grads[k][which][i];
          const fd = numeric(layers, data, rows, k, which, i);
          worst = Math.max(worst, Math.abs(a - fd) / Math.max(1e-2, Math.abs(fd)));
        }
      }
    });
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('fused pass on inputs', () => {
  it('gives zero kernel gradient on rows of inputs that are zero in the batch', () => {
    const layers = randomLayers([4, 3, 2], 2);
    const data = randomData(4, 4, 2, 3);
    for (let r = 0; r < 4; r++) data.x[r * 4 + 1] = 0;
    const { grads } = analytic(layers, data, Int32Array.from([0, 1, 2, 3]), 0, 4);
    expect(Array.from(grads[0].kernel.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(grads[0].kernel.subarray(0, 3).some((v) => v !== 0)).toBe(true);
  });
});

describe('fused pass buffers', () => {
  it('grows its nonzero lists for a batch larger than their initial capacity', () => {
    const layers = randomLayers([40000, 2, 2], 4);
    const data = randomData(30, 40000, 2, 6);
    const order = Int32Array.from({ length: 30 }, (_, i) => 29 - i);
    const { loss, grads } = analytic30(layers, data, order);
    expect(loss).toBeCloseTo(referenceLoss(layers, data, Array.from(order)), 5);
    const rows = Array.from(order);
    for (const i of [0, 1, 39998 * 2 + 1, 20001 * 2]) {
      const fd = numeric(layers, data, rows, 0, 'kernel', i);
      expect(Math.abs(grads[0].kernel[i] - fd)).toBeLessThan(1e-3 * Math.max(1e-2, Math.abs(fd)));
    }
  });
});

function analytic30(layers: DenseLayer[], data: TrainingData, order: Int32Array) {
  const lay = layoutOf(layers);
  const params = packLayers(layers, lay);
  const grads = new Float32Array(lay.total);
  const pass = new BatchPass(lay, data, 30);
  const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 0, 30);
  return { loss, grads: viewsOf(grads, lay) };
}
