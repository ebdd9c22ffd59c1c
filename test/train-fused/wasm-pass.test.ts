/**
 * The WebAssembly SIMD pass against the TypeScript pass (whose gradients are checked against
 * finite differences in gradient.test.ts): the same loss and gradients to float32 rounding, on
 * layer widths that exercise every code path (blocks of 16 and 4 lanes and the scalar rest),
 * inputs with exact zeros, partial batches and rows picked out of order. Also the SIMD
 * evaluator against the float64 reference forward pass.
 */
import { predictLabels, logits } from '../../src/network/forward';
import type { DenseLayer, Network } from '../../src/network/types';
import { GsError } from '../../src/errors';
import { initArchNetwork } from '../../src/network/create-arch';
import { KIND_DENSE, layoutOf, packLayers, viewsOf } from '../../src/train/fused/layout';
import { BatchPass } from '../../src/train/fused/pass';
import { WasmStackEvaluator } from '../../src/train/fused/wasm-eval';
import { WasmBatchPass, wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { randomData, randomLayers } from './helpers';

test('the SIMD kernels are built and load in this runtime', () => {
  expect(wasmPassAvailable()).toBe(true);
});

describe.each([
  ['16-lane blocks and a scalar rest', [23, 33, 19, 3]],
  ['4-lane blocks', [9, 20, 8, 12]],
  ['wide sparse input, one hidden layer', [150, 36, 10]],
  ['logistic regression', [7, 5]],
])('WasmBatchPass, %s', (_name, sizes) => {
  const layers = randomLayers(sizes, 17, 2);
  const data = randomData(90, sizes[0], sizes[sizes.length - 1], 4, 0.4);
  const lay = layoutOf(layers);
  const order = Int32Array.from({ length: 90 }, (_, i) => (i * 37) % 90);

  test.each([
    [0, 32],
    [32, 32],
    [80, 10],
  ])('rows %i..+%i: loss and gradient equal the TypeScript pass', (start, n) => {
    const jsParams = packLayers(layers, lay);
    const jsGrads = new Float32Array(lay.total);
    const jsLoss = new BatchPass(lay, data, 32).run(viewsOf(jsParams, lay), viewsOf(jsGrads, lay), order, start, n);

    const pass = new WasmBatchPass(lay, data, 32);
    const { params, grads } = pass.buffers();
    params.set(packLayers(layers, lay));
    grads.fill(NaN); // everything must be written
    const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, start, n);

    expect(loss).toBeCloseTo(jsLoss, 5);
    const scale = Math.max(...jsGrads.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    let worst = 0;
    for (let i = 0; i < lay.total; i++) worst = Math.max(worst, Math.abs(grads[i] - jsGrads[i]));
    expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
  });

  test('refuses parameters outside its memory and batches larger than it was made for', () => {
    const pass = new WasmBatchPass(lay, data, 8);
    const outside = packLayers(layers, lay);
    expect(() => pass.run(viewsOf(outside, lay), viewsOf(new Float32Array(lay.total), lay), order, 0, 4)).toThrow(/memory/);
    const { params, grads } = pass.buffers();
    expect(() => pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 0, 9)).toThrow(/exceeds/);
  });
});

function asNetwork(layers: DenseLayer[]): Network {
  const w = layers[0].inSize;
  return {
    inputWidth: w,
    inputIndices: Array.from({ length: w }, (_, i) => i),
    scaling: null,
    layers,
    classLabels: Array.from({ length: layers[layers.length - 1].outSize }, (_, i) => String(i)),
    featureNames: Array.from({ length: w }, (_, i) => `x${i}`),
  };
}

test("WasmStackEvaluator: the reference forward pass's accuracy, on all rows and on a subset, as weights change", () => {
  const data = randomData(700, 30, 7, 9, 0.3);
  const shape = randomLayers([30, 21, 9, 7], 1, 3);
  const all = new WasmStackEvaluator(shape, data.x, data.y);
  const subset = Array.from({ length: 700 }, (_, r) => r).filter((r) => r % 3 === 1);
  const some = new WasmStackEvaluator(shape, data.x, data.y, subset);
  for (const seed of [2, 3]) {
    const layers = randomLayers([30, 21, 9, 7], seed, 3);
    const net = asNetwork(layers);
    const ref = predictLabels(net, data.x, data.rows);
    const z = logits(net, data.x, data.rows);
    // rows whose two best logits are too close for float32 sums to order reliably may differ
    const nearTie = (r: number) => {
      const row = Array.from(z.subarray(r * 7, r * 7 + 7)).sort((a, b) => b - a);
      return row[0] - row[1] < 1e-4 * Math.max(1, Math.abs(row[0]));
    };
    const acc = (rows: number[]) => rows.filter((r) => ref[r] === data.y[r]).length / rows.length;
    const allRows = Array.from({ length: 700 }, (_, r) => r);
    const ties = allRows.filter(nearTie).length;
    expect(Math.abs(all.accuracy(layers) - acc(allRows))).toBeLessThanOrEqual(ties / 700);
    expect(Math.abs(some.accuracy(layers) - acc(subset))).toBeLessThanOrEqual(subset.filter(nearTie).length / subset.length);
    expect(acc(allRows)).toBeGreaterThan(0.05);
  }
  expect(() => all.accuracy(randomLayers([30, 5, 7], 1))).toThrow(/shape/);
});

test('probabilities below 1e-30 are flushed to 0 (no float32 denormals reach the backward pass)', () => {
  // one layer, logits [0, 100, 0] for every row, all labels 1: p = [e^-100, 1, e^-100]
  const layers: DenseLayer[] = [
    { op: 'dense' as const, inSize: 2, outSize: 3, kernel: new Float32Array(6), bias: Float32Array.from([0, 100, 0]) },
  ];
  const data = { x: Float32Array.from([1, 2, 3, 4]), y: Int32Array.from([1, 1]), rows: 2, cols: 2, classes: 3 };
  const lay = layoutOf(layers);
  const order = Int32Array.from([0, 1]);
  const pass = new WasmBatchPass(lay, data, 2);
  const { params, grads } = pass.buffers();
  params.set(packLayers(layers, lay));
  pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 0, 2);
  expect(Array.from(grads)).toEqual(new Array(lay.total).fill(0));
  // the float64 TypeScript pass keeps the (meaningless) e^-100 terms
  const js = new Float32Array(lay.total);
  new BatchPass(lay, data, 2).run(viewsOf(packLayers(layers, lay), lay), viewsOf(js, lay), order, 0, 2);
  expect(js[lay.layers[0].biasOffset]).toBeGreaterThan(0);
  expect(js[lay.layers[0].biasOffset]).toBeLessThan(1e-40);
});

describe('the fused layout is a list of typed layer slots', () => {
  test('each slot carries its layer type and kernel id; a layer type without fused kernels is refused by name', () => {
    const layers = randomLayers([6, 4, 3], 5);
    const lay = layoutOf(layers);
    expect(lay.layers.map((s) => [s.op, s.kernelId, s.inSize, s.outSize])).toEqual([
      ['dense', KIND_DENSE, 6, 4],
      ['dense', KIND_DENSE, 4, 3],
    ]);
    expect(lay.layers[1].kernelOffset).toBe(6 * 4 + 4);
    const cnn = initArchNetwork('c2k3-f4', [1, 5, 5], 3, 0);
    expect(() => layoutOf(cnn.layers)).toThrow(GsError);
    expect(() => layoutOf(cnn.layers)).toThrow(/layer 0 is conv .*layers engine/);
  });

  test('the WebAssembly kernels read the kind column and stop on a kind they do not run', () => {
    const layers = randomLayers([5, 4, 3], 9);
    const data = randomData(8, 5, 3, 1, 0);
    const lay = layoutOf(layers);
    const pass = new WasmBatchPass(lay, data, 8);
    const m = pass.mem;
    const order = Int32Array.from({ length: 8 }, (_, i) => i);
    const { params, grads } = pass.buffers();
    params.set(packLayers(layers, lay));
    expect(Number.isFinite(pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 0, 8))).toBe(true);
    const table = new Int32Array(m.ex.memory.buffer, m.table, 2 * 12);
    expect([table[11], table[23]]).toEqual([KIND_DENSE, KIND_DENSE]);
    table[23] = 7; // a kind these kernels do not have
    expect(() => pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 0, 8)).toThrow(/unreachable/);
    pass.dispose();
  });
});
