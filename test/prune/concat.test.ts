/**
 * Exact pruning of joins (network/layers/concat.ts; prune/working-copy.ts parts and offsets): each
 * branch's channels live or die by their own set, and the layer reading the join loses the slice
 * at the channel's offset there (its H*W rows after a flatten); the join input that is itself a
 * branch (DenseNet's [x, B(x)]) goes only when neither the branch nor the join's reader reads it.
 * The logits stay the same, the concat layers shrink, and the ONNX export agrees with onnxruntime.
 */
import { initArchNetwork } from '../../src/network/create-arch';
import type { ConcatLayer } from '../../src/network/layers/concat';
import type { ConvLayer } from '../../src/network/layers/conv';
import type { DenseLayer } from '../../src/network/layers/dense';
import type { AnyLayer, Network } from '../../src/network/types';
import { pruneNetwork } from '../../src/prune';
import { expectAgreesInOnnx, maxLogitDiff, zeroFilter, zeroSlice } from '../network/layers/cnn-fixtures';

const convs = (net: Network<AnyLayer>) => net.layers.filter((l): l is ConvLayer => l.op === 'conv');
const concats = (net: Network<AnyLayer>) => net.layers.filter((l): l is ConcatLayer => l.op === 'concat').map((l) => [l.first, l.second]);

test('a dead channel of either branch goes from its branch and from the reader at its offset', async () => {
  // conv0 (4) -> [conv1 (3) | conv2 (5)] -> conv3 (6) reads 8 channels
  const net = initArchNetwork('c4k3p1-[c3k1|c5k3p1]-c6k3p1-m2', [2, 8, 8], 3, 1);
  const [, c1, c2, c3] = convs(net);
  zeroSlice(c3, 1); // branch A's channel 1
  zeroSlice(c3, 3 + 0); // branch B's channels 0 and 4
  zeroSlice(c3, 3 + 4);
  zeroFilter(c2, 2, -1); // branch B's channel 2: relu(-1) = 0 reaches conv3: constant 0, folded (nothing to add)
  const { network: pruned } = pruneNetwork(net);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-5);
  const [p0, p1, p2, p3] = convs(pruned);
  expect([p0.cout, p1.cout, p2.cout, p3.cin, p3.cout]).toEqual([4, 2, 2, 4, 6]);
  expect(concats(pruned)).toEqual([[2, 2]]);
  // conv3 keeps the slices of join channels 0, 2 (A) and 3 + 1, 3 + 3 (B)
  const k = 9;
  const slice = (c: ConvLayer, o: number, i: number) => Array.from(c.weight.subarray((o * c.cin + i) * k, (o * c.cin + i + 1) * k));
  [0, 2, 4, 6].forEach((i, j) => expect(slice(p3, 5, j)).toEqual(slice(c3, 5, i)));
  expect(c1.cout).toBe(3);
  await expectAgreesInOnnx(pruned);
});

test("the join's input as a branch goes only when neither its own reader nor the join's reads it", async () => {
  // conv0 (4) -> [x | conv1 (3)] -> flatten -> dense: conv0's channel c is read by conv1 and by the dense rows of join channel c
  const net = initArchNetwork('c4k3p1-[|c3k3p1]-m2-f5', [1, 6, 6], 3, 2);
  const [, c1] = convs(net);
  const dense = net.layers.find((l): l is DenseLayer => l.op === 'dense') as DenseLayer;
  const rows = (c: number) => dense.kernel.fill(0, c * 9 * dense.outSize, (c + 1) * 9 * dense.outSize);
  zeroSlice(c1, 0); // channel 0: conv1 ignores it, the dense layer reads it: stays
  zeroSlice(c1, 2); // channel 2: neither reads it: goes
  rows(2);
  rows(4 + 1); // conv1's channel 1: its 9 rows are zero: goes
  const { network: pruned } = pruneNetwork(net);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-5);
  const [p0, p1] = convs(pruned);
  expect([p0.cout, p1.cin, p1.cout]).toEqual([3, 3, 2]);
  expect(concats(pruned)).toEqual([[3, 2]]);
  expect((pruned.layers.find((l) => l.op === 'dense') as DenseLayer).inSize).toBe(5 * 9);
  await expectAgreesInOnnx(pruned);
});

test('three branches, one of them a residual block: each part keeps its own channels, the block its coupled set', async () => {
  const net = initArchNetwork('c4k3p1-[c2k1|(c4k3p1-bn-c4k3p1-bn)|c3k1]-c5k3p1-g', [1, 8, 8], 3, 3);
  const cs = convs(net);
  const reader = cs[cs.length - 1];
  // join channels: 0-1 branch A, 2-5 the block (its set: conv0, the branch's last conv), 6-8 branch C
  zeroSlice(reader, 2 + 3); // the block's channel 3: the join's input, read by the three branches too: stays
  zeroSlice(reader, 6 + 1); // branch C's channel 1: goes
  const { network: pruned } = pruneNetwork(net);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-5);
  expect(concats(pruned)).toEqual([
    [2, 4],
    [6, 2],
  ]);
  // when the three branches' first convs ignore channel 3 as well, the coupled set's channel 3 goes everywhere
  const both = initArchNetwork('c4k3p1-[c2k1|(c4k3p1-bn-c4k3p1-bn)|c3k1]-c5k3p1-g', [1, 8, 8], 3, 3);
  const bs = convs(both);
  zeroSlice(bs[bs.length - 1], 2 + 3);
  for (const c of [bs[1], bs[2], bs[4]]) zeroSlice(c, 3);
  const { network: p2 } = pruneNetwork(both);
  expect(maxLogitDiff(both, p2)).toBeLessThan(1e-5);
  expect(concats(p2)).toEqual([
    [2, 3],
    [5, 3],
  ]);
  expect(convs(p2)[0].cout).toBe(3);
  await expectAgreesInOnnx(p2);
});

test('a constant channel stays when a layer after the join acts on it (not carried past), and goes when the join feeds the reader directly', () => {
  const pooled = initArchNetwork('c4k3p1-[c3k1|c5k1]-m2-c6k1-g', [1, 6, 6], 3, 4);
  zeroFilter(convs(pooled)[2], 2, 0.4); // branch B's channel 2: relu(0.4), max-pooled after the join
  const p1 = pruneNetwork(pooled).network;
  expect(convs(p1)[2].cout).toBe(5);
  expect(maxLogitDiff(pooled, p1)).toBeLessThan(1e-5);
  const direct = initArchNetwork('c4k3p1-[c3k1|c5k1]-c6k1-g', [1, 6, 6], 3, 4);
  zeroFilter(convs(direct)[2], 2, 0.4); // the same constant read by a 1x1 convolution: folded into its bias
  const p2 = pruneNetwork(direct).network;
  expect(convs(p2)[2].cout).toBe(4);
  expect(concats(p2)).toEqual([[3, 4]]);
  expect(maxLogitDiff(direct, p2)).toBeLessThan(1e-5);
});
