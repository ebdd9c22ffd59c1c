/**
 * The layers engine's gradients (forward with caches, softmax cross-entropy, backward through every
 * layer type) against central finite differences of the batch's mean loss, for every trainable
 * parameter of small networks: a 2-D CNN (conv + relu + max pool + flatten + dense), one with batch
 * norm on batch statistics, average and global pooling, a 1-D CNN with a strided convolution, and
 * residual blocks (identity and projection shortcuts, nested) and joins of branches (concat).
 */
import { initArchNetwork } from '../../src/network/create-arch';
import { layerShapes } from '../../src/network/layers/table';
import type { AnyLayer, Network } from '../../src/network/types';
import { batchGradient, gradientBuffers, trainOp } from '../../src/train/layers-engine';
import { Rng } from '../../src/util/rng';

const ROWS = 5;

function check(net: Network<AnyLayer>, seed: number, activation?: 'tanh'): void {
  const layers = net.layers;
  if (activation) {
    for (const l of layers) {
      if ((l.op === 'conv' || l.op === 'batchnorm' || l.op === 'add') && l.activation) l.activation = { name: activation };
    }
  }
  const inShape = net.inputShape as number[];
  const shapes = layerShapes(layers, inShape);
  const cols = inShape.reduce((a, b) => a * b, 1);
  const classes = net.classLabels.length;
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: ROWS * cols }, () => rng.normal());
  const y = Int32Array.from({ length: ROWS }, () => rng.int(classes));
  const rows = Int32Array.from({ length: ROWS }, (_, i) => i);
  const data = { y };
  const gradsOf = () => gradientBuffers(layers);
  const loss = () => batchGradient(layers, shapes, x, ROWS, rows, data, gradsOf());
  const grads = gradsOf();
  batchGradient(layers, shapes, x, ROWS, rows, data, grads);
  // the parameters are float32: the difference quotient divides by the steps float32 actually took;
  // a small step keeps relu kinks and max-pool winners from switching in between
  let checked = 0;
  let worst = 0;
  layers.forEach((l, k) => {
    trainOp(l)
      .params(l)
      .forEach((buf, i) => {
        for (let j = 0; j < buf.length; j++) {
          const v = buf[j];
          const eps = 1e-4;
          buf[j] = v + eps;
          const up = Math.fround(v + eps) - v;
          const lp = loss();
          buf[j] = v - eps;
          const down = v - Math.fround(v - eps);
          const lm = loss();
          buf[j] = v;
          const fd = (lp - lm) / (up + down);
          const g = grads[k][i][j];
          const err = Math.abs(fd - g) / Math.max(1e-3, Math.abs(fd) + Math.abs(g));
          worst = Math.max(worst, err);
          checked++;
        }
      });
  });
  expect(checked).toBeGreaterThan(20);
  expect(worst).toBeLessThan(2e-3);
}

test('conv + relu + max pool + flatten + dense: gradients match finite differences', () => {
  check(initArchNetwork('c3k3-m2-f6', [2, 6, 6], 3, 1), 2);
});

test('two convolutions with padding, tanh activations', () => {
  check(initArchNetwork('c3k3p1-m2-c4k2-f5', [1, 6, 6], 3, 3), 4, 'tanh');
});

test('batch norm on batch statistics, average and global average pooling', () => {
  const net = initArchNetwork('c4k3p1-bn-a2-c3k3p1-bn-g-f5', [2, 6, 6], 3, 5);
  const rng = new Rng(9);
  for (const l of net.layers) {
    if (l.op !== 'batchnorm') continue;
    for (let c = 0; c < l.channels; c++) {
      l.gamma[c] = 0.5 + rng.next();
      l.beta[c] = rng.normal() * 0.3;
    }
  }
  check(net, 6);
});

test('a 1-D network with a strided convolution', () => {
  check(initArchNetwork('c3k3s2-m2-c4k2-f5', [2, 21], 3, 7), 8);
});

// tanh everywhere: the ReLUs after the sums add kinks that finite differences straddle
test('residual blocks: identity, projection with batch norm, nested', () => {
  check(initArchNetwork('c3k3p1-(c3k3p1-bn-c3k3p1-bn)-(c4k3p1s2-bn-c4k3p1-bn)-g-f5', [2, 6, 6], 3, 11), 12, 'tanh');
  check(initArchNetwork('c3k3p1-((c3k3p1-c3k3p1)-c3k3p1)-a2-f4', [1, 6, 6], 3, 13), 14, 'tanh');
});

// joins (network/layers/concat.ts): two and three branches, the input itself as a branch, a
// residual block inside a branch; tanh for the same reason, and average pooling (max pooling's
// winners switch within the step on these weights)
test('joins: branches concatenated along the channels, the input as a branch, a block inside a branch', () => {
  check(initArchNetwork('c3k3p1-[c2k1|c3k3p1-bn|a1]-a2-f5', [2, 6, 6], 3, 15), 16, 'tanh');
  check(initArchNetwork('c3k3p1-[|c2k3p1]-[(c5k3p1-c5k3p1)|c2k1]-g-f4', [1, 6, 6], 3, 17), 18, 'tanh');
});

test('training mode folds the batch statistics into the running statistics with momentum 0.1', () => {
  const net = initArchNetwork('c2k3-bn-f3', [1, 4, 4], 2, 1);
  const layers = net.layers;
  const shapes = layerShapes(layers, [1, 4, 4]);
  const x = Float64Array.from({ length: 3 * 16 }, (_, i) => Math.sin(i));
  const grads = gradientBuffers(layers);
  const conv = trainOp(layers[0]).forward(layers[0], x, 3, true, shapes[0], true).y;
  batchGradient(layers, shapes, x, 3, Int32Array.from([0, 1, 0]), { y: Int32Array.from([0, 1, 0]) }, grads);
  const bn = layers[1] as Extract<AnyLayer, { op: 'batchnorm' }>;
  // channel 0 of the convolution's output (linear: the batch norm carries the relu)
  const vals: number[] = [];
  for (let e = 0; e < 3; e++) for (let i = 0; i < 4; i++) vals.push(conv[(e * 2 + 0) * 4 + i]);
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  const unbiased = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1);
  expect(bn.runningMean[0]).toBeCloseTo(0.1 * mean, 6);
  expect(bn.runningVar[0]).toBeCloseTo(0.9 + 0.1 * unbiased, 6);
});
