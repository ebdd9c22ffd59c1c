/**
 * Exact channel pruning of convolutional networks: channels made dead in each way (a zero filter:
 * a constant channel through ReLU and pooling, folded into the next convolution without padding or
 * into the dense layer after the flatten, row by row; a zero slice of the next layer: unused; a zero
 * batch-norm gamma: constant) are removed, the channel counts shrink and the logits do not change.
 */
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import type { BatchNormLayer } from '../../../src/network/layers/batchnorm';
import type { ConvLayer } from '../../../src/network/layers/conv';
import type { DenseLayer } from '../../../src/network/layers/dense';
import type { AnyLayer, Network } from '../../../src/network/types';
import { formatPruneReport, pruneNetwork } from '../../../src/prune';
import { Rng } from '../../../src/util/rng';
import { deadLenet, randomInputs, zeroFilter, zeroSlice } from './cnn-fixtures';

const ROWS = 16;

function expectSameLogits(a: Network<AnyLayer>, b: Network<AnyLayer>): void {
  const x = randomInputs(a, ROWS);
  const za = logits(a, x, ROWS);
  const zb = logits(b, x, ROWS);
  let worst = 0;
  za.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - zb[i]))));
  expect(worst).toBeLessThan(1e-5);
}

test('LeNet-5: constant and unused channels go, the logits stay', () => {
  const net = deadLenet();
  const { network: pruned, report } = pruneNetwork(net);
  const [c1, p1, c2, p2, fl, d1] = pruned.layers as [
    ConvLayer,
    { channels: number },
    ConvLayer,
    { channels: number },
    { channels: number },
    DenseLayer,
  ];
  expect([c1.cout, p1.channels, c2.cin, c2.cout, p2.channels, fl.channels]).toEqual([4, 4, 4, 14, 14, 14]);
  expect(d1.inSize).toBe(14 * 16);
  expect(report.hiddenLayers.slice(0, 2)).toEqual([
    expect.objectContaining({ layer: 0, op: 'conv', before: 6, after: 4, removedUnused: 1, removedConstant: 1 }),
    expect.objectContaining({ layer: 2, op: 'conv', before: 16, after: 14, removedUnused: 1, removedConstant: 1 }),
  ]);
  expect(formatPruneReport(report)).toMatch(/^conv 1\s+6\s+4\s+2\s+\(1 unused, 1 constant folded\)$/m);
  expect(formatPruneReport(report)).toMatch(/^conv 3\s+16\s+14\s+2/m);
  expectSameLogits(net, pruned);
  // pruning the result again changes nothing
  const again = pruneNetwork(pruned);
  expect(again.report.parameters.after).toBe(report.parameters.after);
});

test('a constant channel into a padded convolution stays (its border reads zeros), unless it is 0', () => {
  const net = initArchNetwork('c4k3p1-m2-c6k3p1-m2-f8', [2, 8, 8], 3, 5);
  const [c1] = net.layers as [ConvLayer];
  zeroFilter(c1, 1, 0.5); // relu 0.5: not exactly foldable into the padded conv2
  zeroFilter(c1, 2, -0.5); // relu 0: nothing to fold, removed
  const { network: pruned, report } = pruneNetwork(net);
  expect((pruned.layers[0] as ConvLayer).cout).toBe(3);
  expect(report.hiddenLayers[0]).toEqual(expect.objectContaining({ before: 4, after: 3, removedConstant: 1 }));
  expectSameLogits(net, pruned);
});

test('batch norm: a zero gamma makes its channel constant; entries of removed channels go with them', () => {
  const net = initArchNetwork('c6k5-bn-m2-c8k5-bn-m2-f20', [1, 20, 20], 4, 9);
  const rng = new Rng(2);
  for (const l of net.layers) {
    if (l.op !== 'batchnorm') continue;
    const bn = l;
    for (let c = 0; c < bn.channels; c++) {
      bn.gamma[c] = 0.5 + rng.next();
      bn.beta[c] = rng.normal() * 0.2;
      bn.runningMean[c] = rng.normal() * 0.1;
      bn.runningVar[c] = 0.5 + rng.next();
    }
  }
  const [c1, bn1, , c2] = net.layers as [ConvLayer, BatchNormLayer, AnyLayer, ConvLayer];
  bn1.gamma[1] = 0;
  bn1.beta[1] = 0.4; // channel 1 is relu(0.4) whatever conv1 does: folded into conv2
  zeroFilter(c1, 4, 0.1); // a zero filter before batch norm: bn of 0.1 through relu, folded
  zeroSlice(c2, 5); // unused
  const { network: pruned, report } = pruneNetwork(net);
  const [p1, pbn] = pruned.layers as [ConvLayer, BatchNormLayer];
  expect(p1.cout).toBe(3);
  expect(pbn.channels).toBe(3);
  expect(Array.from(pbn.gamma)).toEqual([0, 2, 3].map((c) => bn1.gamma[c]));
  expect(report.hiddenLayers[0]).toEqual(expect.objectContaining({ before: 6, after: 3, removedUnused: 1, removedConstant: 2 }));
  expectSameLogits(net, pruned);
});

test('an input channel read by nothing is dropped with its H*W columns', () => {
  const net = initArchNetwork('c4k3-m2-f8', [3, 6, 6], 2, 1);
  zeroSlice(net.layers[0] as ConvLayer, 1);
  const { network: pruned } = pruneNetwork(net);
  expect(pruned.inputShape).toEqual([2, 6, 6]);
  expect(pruned.inputIndices).toEqual([...Array.from({ length: 36 }, (_, i) => i), ...Array.from({ length: 36 }, (_, i) => 72 + i)]);
  expectSameLogits(net, pruned);
});
