/**
 * Group sparsity on a convolutional network: the group lasso sees each convolution's input channel
 * (its slice of every filter) as one group, its proximal step zeroes whole slices, and exact pruning
 * then removes those channels without changing the logits.
 */
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import type { ConvLayer } from '../../../src/network/layers/conv';
import type { DenseLayer } from '../../../src/network/layers/dense';
import { penaltyValue, proxLayers } from '../../../src/penalty';
import { pruneNetwork } from '../../../src/prune';
import { randomInputs } from './cnn-fixtures';

test('the group lasso of a convolution sums sqrt(size) x the norm of each input channel slice', () => {
  const net = initArchNetwork('c4k3-m2-c6k3-f5', [3, 12, 12], 2, 1);
  const [c1, , c2, , d] = net.layers as [ConvLayer, unknown, ConvLayer, unknown, DenseLayer, DenseLayer];
  const convTerm = (c: ConvLayer) => {
    let r = 0;
    for (let i = 0; i < c.cin; i++) {
      let s = 0;
      for (let o = 0; o < c.cout; o++) for (let k = 0; k < 9; k++) s += c.weight[(o * c.cin + i) * 9 + k] ** 2;
      r += Math.sqrt(c.cout * 9) * Math.sqrt(s);
    }
    return r + c.bias.reduce((a, b) => a + Math.abs(b), 0);
  };
  const dense = penaltyValue([d, net.layers[5]], 'gl', 1);
  expect(penaltyValue(net.layers, 'gl', 0.5)).toBeCloseTo(0.5 * (convTerm(c1) + convTerm(c2) + dense), 6);
});

test('the prox zeroes whole input-channel slices; pruning removes those channels exactly', () => {
  const net = initArchNetwork('c4k3-m2-c6k3-f5', [3, 12, 12], 2, 1);
  const c2 = net.layers[2] as ConvLayer;
  // make conv1's channels 1 and 3 weakly read by conv2, so a moderate step kills only those slices
  for (const i of [1, 3]) for (let o = 0; o < 6; o++) for (let k = 0; k < 9; k++) c2.weight[(o * 4 + i) * 9 + k] *= 0.01;
  proxLayers([c2], 'gl', 1, 0.05);
  const slice = (i: number) => Array.from({ length: 6 * 9 }, (_, n) => c2.weight[(Math.floor(n / 9) * 4 + i) * 9 + (n % 9)]);
  expect(slice(1).every((v) => v === 0)).toBe(true);
  expect(slice(3).every((v) => v === 0)).toBe(true);
  expect(slice(0).some((v) => v !== 0)).toBe(true);
  const { network: pruned, report } = pruneNetwork(net);
  expect(report.hiddenLayers[0]).toEqual(expect.objectContaining({ op: 'conv', before: 4, after: 2, removedUnused: 2 }));
  const x = randomInputs(net, 8);
  const a = logits(net, x, 8);
  const b = logits(pruned, x, 8);
  a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
});
