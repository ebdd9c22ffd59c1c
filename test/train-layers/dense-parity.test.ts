/**
 * On a dense-only network the layers engine takes the fused-js engine's steps: same initial
 * weights, same batches, and after a few steps the same weights to ~1e-5 (the loss, its gradient,
 * the optimizer and the proximal step are the same arithmetic; only summation orders differ).
 */
import { initNetwork } from '../../src/network/create';
import type { AnyLayer, DenseLayer } from '../../src/network/types';
import { createFusedEngine, type FusedConfig } from '../../src/train/fused/engine';
import { createLayersEngine } from '../../src/train/layers-engine';
import type { TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';

const COLS = 7;
const CLASSES = 3;
const ROWS = 96;

function data(seed: number): TrainingData {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: ROWS * COLS }, () => rng.normal());
  const y = Int32Array.from({ length: ROWS }, (_, r) => (x[r * COLS] + x[r * COLS + 1] > 0 ? 1 : x[r * COLS + 2] > 0.5 ? 2 : 0));
  return { x, y, rows: ROWS, cols: COLS, classes: CLASSES };
}

function maxDiff(a: readonly DenseLayer[], b: readonly AnyLayer[]): number {
  let worst = 0;
  a.forEach((l, k) => {
    const m = b[k] as DenseLayer;
    l.kernel.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - m.kernel[i]))));
    l.bias.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - m.bias[i]))));
  });
  return worst;
}

const BASE: FusedConfig = { optimizer: 'adam', lr: 1e-2, batchSize: 16, penalty: 'none', lambda: 0, solver: 'prox' };

const CASES: [string, Partial<FusedConfig>][] = [
  ['adam', {}],
  ['adam, group lasso with preconditioned prox steps', { penalty: 'gl', lambda: 2e-3 }],
  ['adam, sparse group lasso with prox step lr', { penalty: 'sgl', lambda: 1e-3, proxStep: 'lr' }],
  ['sgd, l1', { optimizer: 'sgd', lr: 0.1, penalty: 'l1', lambda: 1e-3 }],
  ['rmsprop, l2 as a gradient', { optimizer: 'rmsprop', lr: 3e-3, penalty: 'l2', lambda: 1e-2 }],
  ['adamax, group lasso by subgradient', { optimizer: 'adamax', penalty: 'gl', lambda: 1e-3, solver: 'subgradient' }],
];

// the kernel choice is about convolutions: on a dense network either choice runs the TypeScript kernels
test.each<['js' | 'auto', string, Partial<FusedConfig>]>([
  ...CASES.map(([n, o]): ['js' | 'auto', string, Partial<FusedConfig>] => ['js', n, o]),
  ...CASES.slice(0, 2).map(([n, o]): ['js' | 'auto', string, Partial<FusedConfig>] => ['auto', n, o]),
])('kernels %s, %s: the same weights as fused-js after a few epochs of steps', (kernels, _name, over) => {
  const cfg = { ...BASE, ...over };
  const net = initNetwork({ inputWidth: COLS, hidden: [10, 6], classes: CLASSES }, 3, { activation: { name: 'tanh' } });
  net.layers[1].activation = { name: 'relu' };
  const d = data(5);
  const fused = createFusedEngine(net.layers, d, cfg, { kernels: 'js' });
  const layers = createLayersEngine(net.layers, [COLS], d, cfg, { kernels });
  expect(layers.name).toBe('layers-js');
  const rng = new Rng(11);
  for (let epoch = 0; epoch < 3; epoch++) {
    const order = rng.permutation(ROWS);
    const a = fused.runEpoch(order);
    const b = layers.runEpoch(order);
    expect(Math.abs(a - b)).toBeLessThan(1e-5);
  }
  const fl = fused.layers();
  expect(maxDiff(fl, layers.layers())).toBeLessThan(1e-5);
  // and the weights did move: the comparison is not of two untouched copies
  expect(maxDiff(fl, net.layers)).toBeGreaterThan(1e-2);
  if (cfg.penalty === 'gl' && cfg.solver === 'prox') {
    const zeros = (ls: readonly AnyLayer[]) => ls.reduce((s, l) => s + (l as DenseLayer).kernel.filter((v) => v === 0).length, 0);
    expect(zeros(layers.layers())).toBe(zeros(fl));
  }
});
