/**
 * The fused engine's first steps against a hand-written scalar reference of PyTorch's optimizer
 * formulas (and of the penalty gradient / proximal step) on a tiny softmax regression, where
 * the gradient has a closed form.
 */
import { proxLayer } from '../../src/penalty';
import { createFusedEngine } from '../../src/train/fused';
import type { OptimizerName, TrainConfig, TrainingData } from '../../src/train/types';
import { config, randomData, randomLayers } from './helpers';

const IN = 3;
const C = 2;

/** Scalar reference trainer for a single dense layer (kernel [IN x C] then bias, flat). */
class Reference {
  w: number[];
  m: number[];
  v: number[];
  t = 0;
  lastH: number[] = [];
  constructor(
    init: Float32Array,
    bias: Float32Array,
    private cfg: TrainConfig,
  ) {
    this.w = [...Array.from(init), ...Array.from(bias)];
    this.m = this.w.map(() => 0);
    this.v = this.w.map(() => 0);
  }
  grad(data: TrainingData, rows: number[]): { g: number[]; loss: number } {
    const g = this.w.map(() => 0);
    let loss = 0;
    for (const r of rows) {
      const x = Array.from(data.x.subarray(r * IN, (r + 1) * IN));
      const z = [0, 1].map((j) => this.w[IN * C + j] + x.reduce((s, xi, i) => s + xi * this.w[i * C + j], 0));
      const mx = Math.max(...z);
      const e = z.map((q) => Math.exp(q - mx));
      const s = e[0] + e[1];
      loss += -Math.log(e[data.y[r]] / s);
      for (let j = 0; j < C; j++) {
        const d = (e[j] / s - (j === data.y[r] ? 1 : 0)) / rows.length;
        g[IN * C + j] += d;
        for (let i = 0; i < IN; i++) g[i * C + j] += x[i] * d;
      }
    }
    return { g, loss: loss / rows.length };
  }
  step(data: TrainingData, rows: number[]): number {
    const { cfg } = this;
    const { g, loss } = this.grad(data, rows);
    if (cfg.penalty === 'l2') g.forEach((_, k) => (g[k] += cfg.lambda * 2 * this.w[k]));
    if (cfg.penalty === 'l1' && cfg.solver === 'subgradient') g.forEach((_, k) => (g[k] += cfg.lambda * Math.sign(this.w[k])));
    const t = ++this.t;
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, cfg.lr];
    this.lastH = this.w.map(() => lr);
    for (let k = 0; k < this.w.length; k++) {
      const gk = g[k];
      const opt: OptimizerName = cfg.optimizer;
      if (opt === 'adam') {
        this.m[k] = b1 * this.m[k] + (1 - b1) * gk;
        this.v[k] = b2 * this.v[k] + (1 - b2) * gk * gk;
        const mhat = this.m[k] / (1 - b1 ** t);
        const vhat = this.v[k] / (1 - b2 ** t);
        this.w[k] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
        this.lastH[k] = lr / (Math.sqrt(vhat) + eps);
      } else if (opt === 'adamax') {
        this.m[k] = b1 * this.m[k] + (1 - b1) * gk;
        this.v[k] = Math.max(b2 * this.v[k], Math.abs(gk) + eps);
        this.w[k] -= ((lr / (1 - b1 ** t)) * this.m[k]) / this.v[k];
        this.lastH[k] = lr / (1 - b1 ** t) / this.v[k];
      } else if (opt === 'rmsprop') {
        this.v[k] = 0.99 * this.v[k] + 0.01 * gk * gk;
        this.w[k] -= (lr * gk) / (Math.sqrt(this.v[k]) + eps);
        this.lastH[k] = lr / (Math.sqrt(this.v[k]) + eps);
      } else {
        this.w[k] -= lr * gk;
      }
    }
    if (cfg.solver === 'prox' && cfg.penalty === 'l1') {
      this.w = this.w.map((x, k) => Math.sign(x) * Math.max(0, Math.abs(x) - cfg.lambda * this.lastH[k]));
    }
    if (cfg.solver === 'prox' && (cfg.penalty === 'gl' || cfg.penalty === 'sgl') && cfg.optimizer !== 'sgd') {
      // per-coordinate h: the penalty layer's prox (tested there) fed the reference's h
      const k = Float32Array.from(this.w.slice(0, IN * C));
      const b = Float32Array.from(this.w.slice(IN * C));
      const h = Float32Array.from(this.lastH);
      proxLayer(k, b, IN, C, cfg.penalty, cfg.lambda, h.subarray(0, IN * C), h.subarray(IN * C));
      this.w = [...Array.from(k), ...Array.from(b)];
    } else if (cfg.solver === 'prox' && cfg.penalty === 'gl') {
      // uniform h only (sgd): kernel rows shrink by lambda*h*sqrt(C), biases soft-threshold
      const h = cfg.lr;
      for (let i = 0; i < IN; i++) {
        const row = this.w.slice(i * C, i * C + C);
        const n = Math.hypot(...row);
        const f = Math.max(0, 1 - (cfg.lambda * h * Math.sqrt(C)) / n);
        for (let j = 0; j < C; j++) this.w[i * C + j] = row[j] * f;
      }
      for (let j = 0; j < C; j++) {
        const b = this.w[IN * C + j];
        this.w[IN * C + j] = Math.sign(b) * Math.max(0, Math.abs(b) - cfg.lambda * h);
      }
    }
    return loss;
  }
}

/** Both kernel sets (WebAssembly SIMD and TypeScript) against the reference. */
function check(over: Partial<TrainConfig>, epochs = 3, rows = 4, batch = 4): void {
  for (const kernels of ['wasm', 'js'] as const) checkKernels(kernels, over, epochs, rows, batch);
}

function checkKernels(kernels: 'wasm' | 'js', over: Partial<TrainConfig>, epochs: number, rows: number, batch: number): void {
  const cfg = config({ lr: 0.1, batchSize: batch, ...over });
  const [layer] = randomLayers([IN, C], 3);
  const data = randomData(rows, IN, C, 4);
  const engine = createFusedEngine([layer], data, cfg, { kernels });
  expect(engine.name).toBe(`fused-${kernels}`);
  const ref = new Reference(layer.kernel, layer.bias, cfg);
  const order = Int32Array.from({ length: rows }, (_, i) => (i * 3 + 1) % rows);
  for (let e = 0; e < epochs; e++) {
    const losses: number[] = [];
    for (let s = 0; s < rows; s += batch) losses.push(ref.step(data, Array.from(order.subarray(s, s + batch))));
    const loss = engine.runEpoch(order);
    expect(loss).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / losses.length, 5);
    const got = engine.layers()[0];
    const flat = [...Array.from(got.kernel), ...Array.from(got.bias)];
    flat.forEach((x, k) => expect(x).toBeCloseTo(ref.w[k], 5));
  }
  engine.dispose();
}

describe('fused optimizers follow the PyTorch formulas', () => {
  it.each(['adam', 'adamax', 'rmsprop', 'sgd'] as const)('%s, three full-batch steps', (optimizer) => {
    check({ optimizer });
  });
  it.each(['adam', 'sgd'] as const)('%s over batches of 2, 2 and 1 (last batch smaller)', (optimizer) => {
    check({ optimizer }, 2, 5, 2);
  });
});

describe('fused penalties', () => {
  it('adds the l2 gradient under either solver', () => {
    check({ optimizer: 'sgd', penalty: 'l2', lambda: 0.3, solver: 'prox' });
    check({ optimizer: 'adam', penalty: 'l2', lambda: 0.3, solver: 'subgradient' });
  });
  it('adds the l1 subgradient under the subgradient solver', () => {
    check({ optimizer: 'rmsprop', penalty: 'l1', lambda: 0.05, solver: 'subgradient' });
  });
  it('applies the l1 prox with the scalar step lr under sgd', () => {
    check({ optimizer: 'sgd', penalty: 'l1', lambda: 1, solver: 'prox' });
  });
  it('applies the group-lasso prox with the scalar step lr under sgd', () => {
    check({ optimizer: 'sgd', penalty: 'gl', lambda: 1.5, solver: 'prox' });
  });
  it.each(['adam', 'adamax', 'rmsprop'] as const)('applies the l1 prox with the per-coordinate step of %s', (optimizer) => {
    check({ optimizer, penalty: 'l1', lambda: 0.3, solver: 'prox', lr: 0.05 });
  });
  it.each(['adam', 'adamax', 'rmsprop'] as const)('hands the per-coordinate step of %s to the gl and sgl prox', (optimizer) => {
    check({ optimizer, penalty: 'gl', lambda: 0.2, solver: 'prox', lr: 0.05 });
    check({ optimizer, penalty: 'sgl', lambda: 0.1, solver: 'prox', lr: 0.05 });
  });
  it('applies the prox to every layer of a deeper network (sgd, l1)', () => {
    const init = randomLayers([IN, 5, 4, C], 9);
    const data = randomData(6, IN, C, 10);
    const order = Int32Array.from([5, 1, 3, 0, 2, 4]);
    const base = { optimizer: 'sgd' as const, lr: 0.2, batchSize: 6 };
    const plain = createFusedEngine(init, data, config(base));
    plain.runEpoch(order);
    const prox = createFusedEngine(init, data, config({ ...base, penalty: 'l1', lambda: 0.5, solver: 'prox' }));
    prox.runEpoch(order);
    const t = 0.5 * 0.2;
    const soft = (v: number) => Math.sign(v) * Math.max(0, Math.abs(v) - t);
    const got = prox.layers();
    plain.layers().forEach((l, k) => {
      l.kernel.forEach((v, i) => expect(got[k].kernel[i]).toBeCloseTo(soft(v), 6));
      l.bias.forEach((v, j) => expect(got[k].bias[j]).toBeCloseTo(soft(v), 6));
    });
    expect(got.some((l) => l.kernel.some((v) => v === 0))).toBe(true);
  });
});

describe('fused engine contract', () => {
  it('returns copies of its layers and leaves the initial layers alone', () => {
    const init = randomLayers([IN, 4, C], 1);
    const before = init[0].kernel.slice();
    const data = randomData(10, IN, C, 2);
    const engine = createFusedEngine(init, data, config({ optimizer: 'sgd', lr: 0.5, batchSize: 3 }));
    engine.runEpoch(Int32Array.from({ length: 10 }, (_, i) => i));
    expect(init[0].kernel).toEqual(before);
    const a = engine.layers();
    a[0].kernel[0] = 123;
    expect(engine.layers()[0].kernel[0]).not.toBe(123);
    expect(a.map((l) => [l.inSize, l.outSize])).toEqual([
      [IN, 4],
      [4, C],
    ]);
    expect(engine.name).toBe('fused-wasm');
    expect(createFusedEngine(init, data, config({}), { kernels: 'js' }).name).toBe('fused-js');
  });
  it('rejects shapes that do not match the data', () => {
    const data = randomData(4, IN, C, 2);
    expect(() => createFusedEngine(randomLayers([IN + 1, C], 1), data, config({}))).toThrow(/columns/);
    expect(() => createFusedEngine(randomLayers([IN, 3], 1), data, config({}))).toThrow(/classes/);
    expect(() => createFusedEngine(randomLayers([IN, C], 1), data, config({ batchSize: 0 }))).toThrow(/batch/);
  });
});
