/**
 * Every activation of the table through every layer of gs-compress: the functions themselves
 * (known values, derivatives against central differences), the reference forward pass against a
 * hand-written loop, both fused engines' gradients (TypeScript and WebAssembly kernels) and the
 * tfjs engine's against finite differences of a float64 loss, pruning (same logits before and after,
 * with constant units folded through act(bias) and a placeholder unit where act(0) != 0), ONNX
 * export (onnxruntime equals the reference) and save/load of run directories.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ACTIVATION_NAMES, ACTIVATIONS, erf, parseActivation, type Activation } from '../../src/network/activations';
import { initNetwork } from '../../src/network/create';
import { logits, predictProba } from '../../src/network/forward';
import { loadRun, saveRun } from '../../src/network/run-io';
import type { DenseLayer, Network } from '../../src/network/types';
import { exportOnnx, readOnnxInfo, runOnnx } from '../../src/onnx';
import { pruneNetwork } from '../../src/prune';
import { layoutOf, packLayers, viewsOf } from '../../src/train/fused/layout';
import { BatchPass } from '../../src/train/fused/pass';
import { WasmBatchPass } from '../../src/train/fused/wasm-pass';
import { StackEvaluator } from '../../src/train/fused/evaluate';
import { TfjsGradientPass } from '../../src/train/tfjs/gradient-pass';
import { chooseBackend } from '../../src/train/backend';
import type { TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';
import { randomData, randomLayers } from '../train-fused/helpers';

const CASES: Activation[] = [
  { name: 'relu' },
  { name: 'leaky_relu', alpha: 0.2 },
  { name: 'tanh' },
  { name: 'sigmoid' },
  { name: 'gelu' },
  { name: 'relu6' },
  { name: 'silu' },
  { name: 'identity' },
];

/** The activations written out independently of the table (erf checked separately below). */
function plain(a: Activation): (x: number) => number {
  switch (a.name) {
    case 'relu':
      return (x) => Math.max(0, x);
    case 'leaky_relu':
      return (x) => (x >= 0 ? x : (a.alpha ?? 0.01) * x);
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'gelu':
      return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'relu6':
      return (x) => Math.min(6, Math.max(0, x));
    case 'silu':
      return (x) => x / (1 + Math.exp(-x));
    case 'identity':
      return (x) => x;
  }
}

function withActivation(layers: DenseLayer[], a: Activation): DenseLayer[] {
  return layers.map((l, k) => (k < layers.length - 1 ? { ...l, activation: a } : l));
}

/** Mean cross-entropy over the rows in float64, with the plain activation functions. */
function plainLoss(layers: DenseLayer[], a: Activation, data: TrainingData, rows: number[]): number {
  const f = plain(a);
  let total = 0;
  for (const r of rows) {
    let z = Array.from(data.x.subarray(r * data.cols, (r + 1) * data.cols));
    layers.forEach((l, k) => {
      const next = Array.from(l.bias);
      for (let i = 0; i < l.inSize; i++) for (let j = 0; j < l.outSize; j++) next[j] += z[i] * l.kernel[i * l.outSize + j];
      z = k < layers.length - 1 ? next.map(f) : next;
    });
    const m = Math.max(...z);
    total += m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[data.y[r]];
  }
  return total / rows.length;
}

/** Worst relative error of grads against central differences of plainLoss over every parameter. */
function worstFdError(layers: DenseLayer[], a: Activation, data: TrainingData, rows: number[], grads: Float32Array): number {
  const lay = layoutOf(layers);
  const g = viewsOf(grads, lay);
  let worst = 0;
  layers.forEach((l, k) => {
    for (const which of ['kernel', 'bias'] as const) {
      for (let i = 0; i < l[which].length; i++) {
        const copy = layers.map((c) => ({ ...c, kernel: c.kernel.slice(), bias: c.bias.slice() }));
        const arr = copy[k][which];
        const w = arr[i];
        arr[i] = w + 1e-3;
        const up = arr[i];
        const lp = plainLoss(copy, a, data, rows);
        arr[i] = w - 1e-3;
        const down = arr[i];
        const lm = plainLoss(copy, a, data, rows);
        const fd = (lp - lm) / (up - down);
        worst = Math.max(worst, Math.abs(g[k][which][i] - fd) / Math.max(1e-2, Math.abs(fd)));
      }
    }
  });
  return worst;
}

describe('the activation table', () => {
  test('erf matches known values', () => {
    // values of math.erf (CPython, correctly rounded libm)
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 14);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 14);
    expect(erf(7)).toBe(1);
  });

  test('known values: gelu, sigmoid, tanh, leaky relu, relu6, silu', () => {
    const g = (x: number, a: number) => ACTIVATIONS.gelu.forward(x, a);
    expect(g(1, 0)).toBeCloseTo(0.8413447460685429, 12); // torch.nn.functional.gelu(1.)
    expect(g(-0.5, 0)).toBeCloseTo(-0.15426876936299347, 12);
    expect(ACTIVATIONS.sigmoid.forward(2, 0)).toBeCloseTo(0.8807970779778823, 14);
    expect(ACTIVATIONS.sigmoid.forward(-800, 0)).toBe(0);
    expect(ACTIVATIONS.tanh.forward(0.5, 0)).toBeCloseTo(0.46211715726000974, 14);
    expect(ACTIVATIONS.leaky_relu.forward(-2, 0.2)).toBeCloseTo(-0.4, 14);
    expect(ACTIVATIONS.relu.forward(-2, 0)).toBe(0);
    expect([-2, 0, 3.5, 6, 9].map((x) => ACTIVATIONS.relu6.forward(x, 0))).toEqual([0, 0, 3.5, 6, 6]);
    // torch.nn.ReLU6's gradient: 1 strictly inside (0, 6)
    expect([-2, 0, 3.5, 6, 9].map((x) => ACTIVATIONS.relu6.derivative(x, 0))).toEqual([0, 0, 1, 0, 0]);
    // torch.nn.functional.silu on float64
    [1, -0.5, 3].forEach((x, i) =>
      expect(ACTIVATIONS.silu.forward(x, 0)).toBeCloseTo([0.7310585786300049, -0.1887703343990727, 2.8577223804672998][i], 14),
    );
  });

  test.each(ACTIVATION_NAMES)('%s: derivative equals central differences of forward', (name) => {
    const def = ACTIVATIONS[name];
    for (const x of [-3.1, -1.2, -0.4, 0.3, 0.9, 2.7, 5.2, 7.3]) {
      const h = 1e-6;
      const fd = (def.forward(x + h, 0.2) - def.forward(x - h, 0.2)) / (2 * h);
      expect(def.derivative(x, 0.2)).toBeCloseTo(fd, 6);
    }
  });

  test('parses command-line and file forms, refuses unknown names', () => {
    expect(parseActivation('leaky_relu:0.2', 'x')).toEqual({ name: 'leaky_relu', alpha: 0.2 });
    expect(parseActivation('LeakyRelu', 'x')).toEqual({ name: 'leaky_relu' });
    expect(parseActivation('linear', 'x')).toEqual({ name: 'identity' });
    expect(parseActivation(undefined, 'x')).toEqual({ name: 'relu' });
    expect(() => parseActivation('swish', '--activation')).toThrow(
      /--activation: unknown activation "swish"; expected one of relu, leaky_relu/,
    );
    expect(() => parseActivation('tanh:2', '--activation')).toThrow(/only leaky_relu takes a parameter/);
  });
});

describe.each(CASES)('activation $name', (a) => {
  const sizes = [6, 7, 5, 3];
  // relu6: weights large enough that pre-activations pass 6 too, so both clips are exercised
  const layers = withActivation(randomLayers(sizes, 21, a.name === 'relu6' ? 9 : 2), a);
  const data = randomData(12, sizes[0], 3, 8, 0.3);
  const order = Int32Array.from([3, 11, 0, 7, 5, 9, 1, 4]);
  const rows = Array.from(order.subarray(1, 7));

  test('reference forward pass equals a plain float64 loop', () => {
    const net: Network = {
      inputWidth: 6,
      inputIndices: [0, 1, 2, 3, 4, 5],
      scaling: null,
      layers,
      classLabels: ['a', 'b', 'c'],
      featureNames: [],
    };
    const z = logits(net, data.x, data.rows);
    const f = plain(a);
    let clipped = 0;
    for (let r = 0; r < data.rows; r++) {
      let h = Array.from(data.x.subarray(r * 6, r * 6 + 6));
      layers.forEach((l, k) => {
        const next = Array.from(l.bias);
        for (let i = 0; i < l.inSize; i++) for (let j = 0; j < l.outSize; j++) next[j] += h[i] * l.kernel[i * l.outSize + j];
        h = k < layers.length - 1 ? next.map(f) : next;
        if (k < layers.length - 1) clipped += next.filter((v) => v > 6).length;
      });
      for (let j = 0; j < 3; j++) expect(z[r * 3 + j]).toBeCloseTo(h[j], 5);
    }
    if (a.name === 'relu6') expect(clipped).toBeGreaterThan(5);
    // the fused engine's float64 evaluator predicts the same classes
    const ev = new StackEvaluator(layers);
    for (let r = 0; r < data.rows; r++) {
      const row = Array.from(z.subarray(r * 3, r * 3 + 3));
      expect(ev.predictRow(data.x, r * 6)).toBe(row.indexOf(Math.max(...row)));
    }
  });

  test('TypeScript kernels: gradient equals finite differences', () => {
    const lay = layoutOf(layers);
    const params = packLayers(layers, lay);
    const grads = new Float32Array(lay.total);
    const loss = new BatchPass(lay, data, 8).run(viewsOf(params, lay), viewsOf(grads, lay), order, 1, 6);
    expect(loss).toBeCloseTo(plainLoss(layers, a, data, rows), 6);
    expect(worstFdError(layers, a, data, rows, grads)).toBeLessThan(1e-3);
  });

  test('WebAssembly kernels: gradient equals finite differences (float32)', () => {
    const lay = layoutOf(layers);
    const pass = new WasmBatchPass(lay, data, 8);
    const { params, grads } = pass.buffers();
    params.set(packLayers(layers, lay));
    grads.fill(NaN);
    const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 1, 6);
    expect(loss).toBeCloseTo(plainLoss(layers, a, data, rows), 4);
    expect(worstFdError(layers, a, data, rows, grads)).toBeLessThan(2e-3);
  });

  test('tfjs engine: gradient equals finite differences', async () => {
    await chooseBackend('cpu');
    const lay = layoutOf(layers);
    const pass = new TfjsGradientPass(lay, data);
    try {
      const params = packLayers(layers, lay);
      const grads = new Float32Array(lay.total);
      const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 1, 6);
      expect(loss).toBeCloseTo(plainLoss(layers, a, data, rows), 4);
      expect(worstFdError(layers, a, data, rows, grads)).toBeLessThan(2e-3);
    } finally {
      pass.dispose();
    }
  });

  /** A network with dead structure: zero rows (unused units), zero columns (constant units) and a
   * second hidden layer whose units all lose their inputs (constant, folded) when asked. */
  function sparseNet(killLayer: boolean): Network {
    const net = initNetwork({ inputWidth: 8, hidden: [9, 6], classes: 3 }, 5, {
      activation: a,
      scaling: { mean: Float32Array.from({ length: 8 }, (_, i) => i * 0.3), std: Float32Array.from({ length: 8 }, (_, i) => 1 + i * 0.1) },
      classLabels: ['x', 'y', 'z'],
    });
    const [l0, l1] = net.layers;
    for (const i of [1, 4]) l0.kernel.fill(0, i * 9, (i + 1) * 9); // inputs 1 and 4 unused
    for (const j of [2, 5, 7]) for (let i = 0; i < 8; i++) l0.kernel[i * 9 + j] = 0; // constant hidden units
    l1.kernel.fill(0, 3 * 6, 4 * 6); // first hidden layer's unit 3 unused
    if (killLayer) l1.kernel.fill(0);
    return net;
  }

  test.each([false, true])('pruning keeps the logits (whole second layer constant: %s)', (killLayer) => {
    const net = sparseNet(killLayer);
    const { network: small, report } = pruneNetwork(net);
    const rng = new Rng(9);
    const x = Float32Array.from({ length: 20 * 8 }, () => rng.normal() * 2);
    const before = logits(net, x, 20);
    const after = logits(small, x, 20);
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i], 5);
    if (killLayer) {
      // everything before the output folded into its bias; one placeholder unit per level
      expect(small.layers.map((l) => l.outSize)).toEqual([1, 1, 3]);
    } else {
      expect(small.layers.map((l) => [l.inSize, l.outSize])).toEqual([
        [6, 5],
        [5, 6],
        [6, 3],
      ]);
    }
    expect(small.layers.slice(0, -1).every((l) => (l.activation?.name ?? 'relu') === a.name)).toBe(true);
    expect(report.parameters.after).toBeLessThan(report.parameters.before);
  });

  test('ONNX export: onnxruntime equals the reference forward pass', async () => {
    const net = sparseNet(false);
    const bytes = exportOnnx(net, { producerVersion: 'test' });
    const rng = new Rng(4);
    const x = Float32Array.from({ length: 64 * 8 }, () => rng.normal() * 3);
    const out = await runOnnx(bytes, x, 64, 8);
    const ref = predictProba(net, x, 64);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - out.probabilities[i]));
    expect(worst).toBeLessThanOrEqual(1e-5);
    const ops = readOnnxInfo(bytes, 'm').nodes.map((n) => n.op);
    const expected: Record<string, string[]> = {
      relu: ['Relu'],
      leaky_relu: ['LeakyRelu'],
      tanh: ['Tanh'],
      sigmoid: ['Sigmoid'],
      gelu: ['Erf'],
      relu6: ['Clip'],
      silu: ['Sigmoid', 'Mul'],
      identity: [],
    };
    for (const op of expected[a.name]) expect(ops).toContain(op);
    // the pruned network exports as exactly
    const small = pruneNetwork(net).network;
    const outSmall = await runOnnx(exportOnnx(small, { producerVersion: 'test' }), x, 64, 8);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(outSmall.probabilities[i] - ref[i])).toBeLessThanOrEqual(1e-5);
  });

  test('save and load keep the activation (tfjs LayersModel form in model.json)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-act-'));
    try {
      const net = sparseNet(false);
      saveRun(dir, net, { generatedBy: 'test', createdAt: 'now' });
      const back = loadRun(dir).network;
      expect(back.layers.map((l) => l.activation?.name ?? 'relu')).toEqual([a.name, a.name, 'relu']);
      if (a.name === 'leaky_relu') expect(back.layers[0].activation?.alpha).toBeCloseTo(0.2, 6);
      const x = Float32Array.from({ length: 5 * 8 }, (_, i) => Math.sin(i));
      expect(Array.from(logits(back, x, 5))).toEqual(Array.from(logits(net, x, 5)));
      const model = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
        modelTopology: { config: { layers: { class_name: string }[] } };
      };
      const classes = model.modelTopology.config.layers.map((l) => l.class_name);
      expect(classes).toEqual(
        a.name === 'leaky_relu' ? ['Dense', 'LeakyReLU', 'Dense', 'LeakyReLU', 'Dense'] : ['Dense', 'Dense', 'Dense'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
