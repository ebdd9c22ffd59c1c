/**
 * Exact pruning of residual networks (prune/working-copy.ts coupled sets): a channel of a block's
 * input, of its branch's output and of the sum is one set, removed only when no reader of any of
 * them reads it, and then everywhere at once (the filters writing it in the conv before the block
 * and in the branch's last conv, their batch norm entries, the readers' slices); channels inside
 * a branch go as in a chain (unused or constant, folded where exact); a projection shortcut's input has two
 * readers. The logits stay the same and the pruned network's ONNX export agrees with onnxruntime.
 */
import { initArchNetwork } from '../../src/network/create-arch';
import type { ConvLayer } from '../../src/network/layers/conv';
import type { AnyLayer, Network } from '../../src/network/types';
import { pruneNetwork } from '../../src/prune';
import { expectAgreesInOnnx, maxLogitDiff, zeroFilter, zeroSlice } from '../network/layers/cnn-fixtures';

const convs = (net: Network<AnyLayer>) => net.layers.filter((l): l is ConvLayer => l.op === 'conv');

// conv0 (6) -> save -> [conv1 (4) -> bn -> conv2 (6) -> bn] -> add -> conv3 (5) -> m2 -> dense
const SPEC = 'c6k3p1-(c4k3p1-bn-c6k3p1-bn)-c5k3p1-m2';

test('a channel of the coupled set goes only when every reader ignores it, and then from both writers', async () => {
  const net = initArchNetwork(SPEC, [2, 8, 8], 3, 1);
  const [c0, c1, c2, c3] = convs(net);
  // channel 2 of the block's input / output: read by conv1 (inside the block) and by conv3 (after it)
  zeroSlice(c1, 2);
  zeroSlice(c3, 2);
  // channel 4: read by conv3 only, not by conv1: stays
  zeroSlice(c3, 4);
  const { network: pruned, report } = pruneNetwork(net);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-5);
  const [p0, p1, p2, p3] = convs(pruned);
  expect([p0.cout, p1.cin, p2.cout, p3.cin]).toEqual([5, 5, 5, 5]);
  expect(pruned.layers.map((l) => (l.op === 'add' || l.op === 'save' ? `${l.op}${l.channels}` : l.op))).toContain('add5');
  expect(report).toBeDefined();
  // what survives of conv0 and conv2 are the filters of channels 0, 1, 3, 4, 5
  const per0 = c0.weight.length / c0.cout;
  expect(Array.from(p0.weight.subarray(2 * per0, 3 * per0))).toEqual(Array.from(c0.weight.subarray(3 * per0, 4 * per0)));
  const per2 = c2.weight.length / c2.cout;
  expect(Array.from(p2.weight.subarray(2 * per2, 3 * per2))).toEqual(Array.from(c2.weight.subarray(3 * per2, 4 * per2)));
  await expectAgreesInOnnx(pruned);
});

test('a filter of the coupled set that writes zero does not make the channel constant: the skip still carries it', () => {
  const net = initArchNetwork(SPEC, [2, 8, 8], 3, 2);
  const [, , c2] = convs(net);
  zeroFilter(c2, 3, 0);
  const { network: pruned } = pruneNetwork(net);
  expect(convs(pruned)[0].cout).toBe(6);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-5);
});

test('channels inside a branch go as in a chain: unused, or constant (zero after the ReLU)', async () => {
  const net = initArchNetwork(SPEC, [2, 8, 8], 3, 3);
  const [, c1, c2] = convs(net);
  zeroSlice(c2, 0); // branch channel 0: read by nothing
  zeroFilter(c1, 1, -0.4); // branch channel 1: relu(bn(-0.4)) = 0 everywhere: nothing to fold
  zeroFilter(c1, 2, 0.4); // channel 2: a constant 0.4 that conv2's zero padding would not see at the border: stays
  const { network: pruned } = pruneNetwork(net);
  const [, p1, p2] = convs(pruned);
  expect([p1.cout, p2.cin]).toEqual([2, 2]);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-4);
  await expectAgreesInOnnx(pruned);
});

test('a projection block: its input has two readers, and the branch and the projection are one set', async () => {
  // conv0 (4) -> save -> [conv1 (6) -> conv2 (6)] -> shortcut -> conv 1x1 (6) -> add -> dense
  const net = initArchNetwork('c4k3p1-(c6k3p1s2-bn-c6k3p1-bn)-c3k3', [1, 8, 8], 3, 4);
  const [, c1, , proj, c4] = convs(net);
  expect([proj.kernel, proj.cin, proj.cout]).toEqual([[1, 1], 4, 6]);
  // block input channel 1: unused by the branch but read by the projection: stays
  zeroSlice(c1, 1);
  // block output channel 5: read by nothing after the sum: goes from conv2, the projection and conv4's input
  zeroSlice(c4, 5);
  const { network: pruned } = pruneNetwork(net);
  const [p0, p1, p2, pproj, p4] = convs(pruned);
  expect([p0.cout, p1.cin, pproj.cin]).toEqual([4, 4, 4]);
  expect([p2.cout, pproj.cout, p4.cin]).toEqual([5, 5, 5]);
  expect(maxLogitDiff(net, pruned)).toBeLessThan(1e-5);
  await expectAgreesInOnnx(pruned);
  // once the projection ignores channel 1 too, it goes from conv0
  zeroSlice(proj, 1);
  const again = pruneNetwork(net).network;
  expect(convs(again)[0].cout).toBe(3);
  expect(maxLogitDiff(net, again)).toBeLessThan(1e-5);
});

test('pruning a pruned residual network changes nothing; a wholly dead set keeps one placeholder channel', () => {
  const net = initArchNetwork(SPEC, [2, 8, 8], 3, 5);
  const [, c1, , c3] = convs(net);
  for (let c = 0; c < 6; c++) {
    zeroSlice(c1, c);
    zeroSlice(c3, c);
  }
  const once = pruneNetwork(net).network;
  const [p0, , p2, p3] = convs(once);
  expect([p0.cout, p2.cout, p3.cin]).toEqual([1, 1, 1]);
  expect(maxLogitDiff(net, once)).toBeLessThan(1e-5);
  const twice = pruneNetwork(once).network;
  expect(convs(twice).map((c) => [c.cin, c.cout])).toEqual(convs(once).map((c) => [c.cin, c.cout]));
});
