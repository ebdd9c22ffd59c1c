/**
 * Convolutional networks to ONNX: the unpruned and the pruned LeNet-5 (channels dead in each way),
 * a batch-norm network with average and global pooling, and a 1-D network, each run by onnxruntime
 * and compared with the reference forward pass; standardization and compact input included.
 */
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import type { AnyLayer, Network } from '../../../src/network/types';
import { describeInterface, exportOnnx } from '../../../src/onnx/export';
import { verifyOnnx } from '../../../src/onnx/verify';
import { pruneNetwork } from '../../../src/prune';
import { Rng } from '../../../src/util/rng';
import { deadLenet, randomInputs } from './cnn-fixtures';

const ROWS = 24;

async function expectAgrees(net: Network<AnyLayer>, opts: { compactInput?: boolean } = {}): Promise<void> {
  const features = randomInputs(net, ROWS, 11);
  const bytes = exportOnnx(net, { producerVersion: 'test', ...opts });
  const r = await verifyOnnx({ onnx: bytes, reference: net, features, rows: ROWS });
  expect(r.maxProbDiff).toBeLessThan(1e-5);
  expect(r.ok).toBe(true);
}

test('LeNet-5, unpruned and pruned, exports and onnxruntime agrees', async () => {
  const net = deadLenet();
  await expectAgrees(net);
  const { network: pruned } = pruneNetwork(net);
  await expectAgrees(pruned);
  expect(describeInterface(pruned)).toMatch(/^input features \[N, 1, 28, 28\] -> outputs probabilities \[N, 10\]/);
});

test('a pruned input channel: the export Gathers the kept channels of the raw [C, H, W] input, or takes them compact', async () => {
  const net = initArchNetwork('c4k3-m2-f8', [3, 6, 6], 3, 1);
  const c = net.layers[0] as { weight: Float32Array; cout: number; cin: number };
  for (let o = 0; o < c.cout; o++) c.weight.fill(0, (o * 3 + 1) * 9, (o * 3 + 2) * 9);
  const rng = new Rng(5);
  net.scaling = {
    mean: Float32Array.from({ length: net.inputWidth }, () => rng.normal()),
    std: Float32Array.from({ length: net.inputWidth }, () => 0.5 + rng.next()),
  };
  const { network: pruned } = pruneNetwork(net);
  expect(pruned.inputShape).toEqual([2, 6, 6]);
  await expectAgrees(pruned);
  await expectAgrees(pruned, { compactInput: true });
  expect(describeInterface(pruned)).toMatch(/^input features \[N, 3, 6, 6\]/);
  expect(describeInterface(pruned, { compactInput: true })).toMatch(/^input features \[N, 2, 6, 6\]/);
});

test('batch norm, average and global average pooling; a 1-D network with a strided convolution', async () => {
  const net = initArchNetwork('c6k3p1-bn-a2-c8k3p1-bn-g-f10', [2, 9, 9], 4, 2);
  const rng = new Rng(8);
  for (const l of net.layers) {
    if (l.op !== 'batchnorm') continue;
    const bn = l;
    bn.gamma.forEach((_, c) => {
      bn.gamma[c] = 0.5 + rng.next();
      bn.beta[c] = rng.normal() * 0.2;
      bn.runningMean[c] = rng.normal() * 0.1;
      bn.runningVar[c] = 0.5 + rng.next();
    });
  }
  await expectAgrees(net);
  await expectAgrees(pruneNetwork(net).network);
  await expectAgrees(initArchNetwork('c5k3s2-m2-c4k2-f6', [3, 40], 3, 4));
});

test('every channel dead: placeholder channels with zero weights stand in, the export still agrees', async () => {
  const net = initArchNetwork('c4k3-m2-c6k3-f5', [2, 12, 12], 3, 6);
  const c2 = net.layers[2] as { weight: Float32Array };
  c2.weight.fill(0); // conv2 reads nothing: its channels are constant, conv1 and the inputs unused
  const { network: pruned, report } = pruneNetwork(net);
  expect(report.inputs.placeholder).toBe(true);
  expect(report.hiddenLayers.slice(0, 2).map((h) => [h.after, h.placeholder])).toEqual([
    [1, true],
    [1, true],
  ]);
  expect(pruned.inputShape).toEqual([1, 12, 12]);
  const x = randomInputs(net, ROWS, 3);
  const [a, b] = [logits(net, x, ROWS), logits(pruned, x, ROWS)];
  a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
  await expectAgrees(net);
  await expectAgrees(pruned);
});
