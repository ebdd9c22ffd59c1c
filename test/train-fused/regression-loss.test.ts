/**
 * The regression loss (mean squared error, network/tasks.ts) in every kernel set: the TypeScript
 * kernel's value and output gradient against the task table and finite differences, the parameter
 * gradients of the TypeScript and WebAssembly passes against central finite differences of a
 * float64 reference, and the same training result from the TypeScript kernels, the WebAssembly
 * kernels and the tfjs engine (TensorFlow.js autodiff of tf.losses.meanSquaredError).
 */
import { activationFn, type Activation } from '../../src/network/activations';
import { TASKS } from '../../src/network/tasks';
import type { DenseLayer } from '../../src/network/types';
import { createEngine } from '../../src/train/engines';
import { layoutOf, packLayers, viewsOf } from '../../src/train/fused/layout';
import { meanSquaredError } from '../../src/train/fused/mse';
import { BatchPass } from '../../src/train/fused/pass';
import { WasmBatchPass } from '../../src/train/fused/wasm-pass';
import type { TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';
import { config, randomLayers } from './helpers';

const TANH: Activation = { name: 'tanh' };

function regressionData(rows: number, cols: number, k: number, seed: number): TrainingData {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * cols }, () => (rng.next() < 0.2 ? 0 : rng.normal()));
  const targets = Float32Array.from({ length: rows * k }, () => 2 * rng.normal() + 1);
  return { x, y: new Int32Array(rows), rows, cols, classes: k, targets };
}

/** Mean over rows and outputs of (z - t)^2, float64 forward from float32 weights. */
function referenceMse(layers: DenseLayer[], data: TrainingData, rows: ArrayLike<number>): number {
  const k = layers[layers.length - 1].outSize;
  const grad = new Float64Array(k);
  let total = 0;
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q];
    let z: number[] = Array.from(data.x.subarray(r * data.cols, (r + 1) * data.cols));
    layers.forEach((l, li) => {
      const next: number[] = Array.from(l.bias);
      for (let i = 0; i < l.inSize; i++) for (let j = 0; j < l.outSize; j++) next[j] += z[i] * l.kernel[i * l.outSize + j];
      const f = activationFn(l.activation ?? { name: 'relu' });
      z = li < layers.length - 1 ? next.map(f) : next;
    });
    total += TASKS.regression.rowLoss(z, (data.targets as Float32Array).subarray(r * k, (r + 1) * k), grad);
  }
  return total / rows.length;
}

describe('meanSquaredError (TypeScript kernel)', () => {
  const z0 = [1.5, -0.3, 0.25, 2];
  const targets = Float32Array.from([1, 0.5, -1, 2.5]);
  const rows = Int32Array.from([1, 0]); // batch row 0 is data row 1
  it('is the mean over elements (nn.MSELoss) with gradient 2(z - t)/(n k)', () => {
    const z = Float64Array.from(z0);
    const loss = meanSquaredError(z, targets, rows, 2, 2);
    // batch row 0 against targets (-1, 2.5), row 1 against (1, 0.5)
    const d = [1.5 + 1, -0.3 - 2.5, 0.25 - 1, 2 - 0.5];
    expect(loss).toBeCloseTo(d.reduce((s, v) => s + v * v, 0) / 4, 6);
    d.forEach((v, i) => expect(z[i]).toBeCloseTo(v / 2, 6));
  });
  it('its output gradient matches finite differences of the task table loss', () => {
    const z = Float64Array.from(z0);
    meanSquaredError(z, targets, rows, 2, 2);
    const g = new Float64Array(2);
    const f = (v: number[]) =>
      (TASKS.regression.rowLoss(v.slice(0, 2), targets.subarray(2, 4), g) +
        TASKS.regression.rowLoss(v.slice(2), targets.subarray(0, 2), g)) /
      2;
    const h = 1e-6;
    for (let i = 0; i < 4; i++) {
      const up = [...z0];
      const dn = [...z0];
      up[i] += h;
      dn[i] -= h;
      expect(z[i]).toBeCloseTo((f(up) - f(dn)) / (2 * h), 6);
    }
  });
});

describe.each([
  ['one tanh hidden layer, 1 output', [6, 5, 1], TANH],
  ['two relu hidden layers, 3 outputs', [5, 7, 4, 3], undefined],
])('regression parameter gradients, %s', (_name, sizes, act) => {
  const layers = randomLayers(sizes, 13, 2).map((l, k) => (act && k < sizes.length - 2 ? { ...l, activation: act } : l));
  const k = sizes[sizes.length - 1];
  const data = regressionData(12, sizes[0], k, 3);
  const lay = layoutOf(layers);
  const order = Int32Array.from([11, 4, 0, 7, 2, 9, 5, 1]);
  const start = 1;
  const n = 6;
  const rows = Array.from(order.subarray(start, start + n));

  function numeric(which: 'kernel' | 'bias', li: number, i: number): number {
    const copy = layers.map((l) => ({ ...l, kernel: l.kernel.slice(), bias: l.bias.slice() }));
    const arr = copy[li][which];
    const w = arr[i];
    arr[i] = w + 1e-3;
    const up = arr[i];
    const lp = referenceMse(copy, data, rows);
    arr[i] = w - 1e-3;
    const down = arr[i];
    return (lp - referenceMse(copy, data, rows)) / (up - down);
  }

  function worstRelative(grads: Float32Array): number {
    const gv = viewsOf(grads, lay);
    let worst = 0;
    layers.forEach((l, li) => {
      for (const which of ['kernel', 'bias'] as const) {
        for (let i = 0; i < l[which].length; i++) {
          const fd = numeric(which, li, i);
          worst = Math.max(worst, Math.abs(gv[li][which][i] - fd) / Math.max(1e-2, Math.abs(fd)));
        }
      }
    });
    return worst;
  }

  it('TypeScript pass: loss and gradient match the float64 reference and finite differences', () => {
    const grads = new Float32Array(lay.total);
    const loss = new BatchPass(lay, data, 8).run(viewsOf(packLayers(layers, lay), lay), viewsOf(grads, lay), order, start, n);
    expect(loss).toBeCloseTo(referenceMse(layers, data, rows), 5);
    expect(Math.max(...grads.map(Math.abs))).toBeGreaterThan(0.1);
    expect(worstRelative(grads)).toBeLessThan(1e-3);
  });

  it('WebAssembly pass: loss and gradient match the float64 reference and finite differences', () => {
    const pass = new WasmBatchPass(lay, data, 8);
    const { params, grads } = pass.buffers();
    params.set(packLayers(layers, lay));
    grads.fill(NaN);
    const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, start, n);
    expect(loss).toBeCloseTo(referenceMse(layers, data, rows), 4);
    expect(worstRelative(grads)).toBeLessThan(2e-3);
  });
});

describe('the same regression training on every kernel set', () => {
  const sizes = [6, 8, 2];
  const layers = randomLayers(sizes, 5).map((l, k) => (k === 0 ? { ...l, activation: TANH } : l));
  const data = regressionData(64, 6, 2, 8);
  const order = Int32Array.from({ length: 64 }, (_, i) => (i * 29) % 64);

  async function trained(engine: 'fused' | 'fused-js' | 'tfjs'): Promise<{ name: string; loss: number[]; layers: DenseLayer[] }> {
    const e = await createEngine(
      layers,
      data,
      config({ engine, backend: 'cpu', optimizer: 'adam', lr: 0.01, batchSize: 16, penalty: 'gl', lambda: 1e-3 }),
    );
    try {
      const loss = [1, 2, 3].map(() => e.runEpoch(order));
      return { name: e.name, loss, layers: e.layers() };
    } finally {
      e.dispose();
    }
  }

  it('TypeScript, WebAssembly and tfjs give the same weights and losses after 3 epochs', async () => {
    const js = await trained('fused-js');
    const wasm = await trained('fused');
    const tf = await trained('tfjs');
    expect([js.name, wasm.name, tf.name]).toEqual(['fused-js', 'fused-wasm', 'tfjs-cpu']);
    const diff = (a: DenseLayer[], b: DenseLayer[]) =>
      Math.max(
        ...a.flatMap((l, k) => [
          ...l.kernel.map((v, i) => Math.abs(v - b[k].kernel[i])),
          ...l.bias.map((v, i) => Math.abs(v - b[k].bias[i])),
        ]),
      );
    expect(diff(js.layers, wasm.layers)).toBeLessThan(1e-4);
    expect(diff(js.layers, tf.layers)).toBeLessThan(1e-4);
    expect(diff(js.layers, layers)).toBeGreaterThan(0.02); // training moved the weights
    js.loss.forEach((l, i) => {
      expect(wasm.loss[i]).toBeCloseTo(l, 4);
      expect(tf.loss[i]).toBeCloseTo(l, 4);
    });
    expect(js.loss[2]).toBeLessThan(js.loss[0]); // and it learns
  });
});
